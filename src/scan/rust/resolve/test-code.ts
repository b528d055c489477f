// Which files and crates hold only test code: by path, `#![cfg(test)]`, cfg(test) file modules
// (and their descendants), and crates used only as dev-dependencies. Pure.
import path from 'node:path/posix';
import type { CrateInfo } from '../../../model.js';
import type { RustRules } from '../rules.js';
import type { FileEntry } from './context.js';

/** Files that hold only test code: by path, `#![cfg(test)]`, or as (descendants of) cfg(test) file modules. */
export function testFilesOf(entries: FileEntry[], rules: RustRules): Set<string> {
  const files = new Set(entries.map((e) => e.file));
  const test = new Set<string>();
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const e of entries) {
    if (rules.testPaths.some((r) => r.test(e.file)) || e.facts?.fileTest) roots.push(e.file);
    const dir = path.dirname(e.file);
    const base = path.basename(e.file);
    const modDir = ['mod.rs', 'lib.rs', 'main.rs'].includes(base) || /(^|\/)src\/bin$/.test(dir) ? dir : path.join(dir, base.replace(/\.rs$/, ''));
    for (const d of e.modDecls) {
      const cands = d.path
        ? [path.normalize(path.join(dir, d.path))]
        : [path.join(modDir, `${d.name}.rs`), path.join(modDir, d.name, 'mod.rs')];
      const target = cands.find((c) => files.has(c));
      if (!target) continue;
      const list = children.get(e.file) ?? [];
      list.push(target);
      children.set(e.file, list);
      if (d.test) roots.push(target);
    }
  }
  const stack = [...roots];
  const testDirs: string[] = [];
  while (stack.length) {
    const f = stack.pop()!;
    if (test.has(f)) continue;
    test.add(f);
    const base = path.basename(f);
    if (base === 'mod.rs') testDirs.push(`${path.dirname(f)}/`);
    else if (!['lib.rs', 'main.rs'].includes(base)) testDirs.push(`${f.replace(/\.rs$/, '')}/`);
    for (const c of children.get(f) ?? []) stack.push(c);
  }
  if (testDirs.length) for (const f of files) if (testDirs.some((d) => f.startsWith(d))) test.add(f);
  return test;
}

/**
 * Crates of the workspace that other crates use only as dev-dependencies (test helpers such as
 * codex-test-binary-support): their code runs in tests only. A crate with a binary, or one no
 * crate depends on, is not one of them.
 */
export function devOnlyCrates(crates: readonly CrateInfo[]): Set<string> {
  const tables = new Map<string, Set<string>>();
  for (const c of crates)
    for (const d of c.deps) {
      if (d.path === undefined) continue;
      const t = tables.get(d.package) ?? new Set<string>();
      t.add(d.table);
      tables.set(d.package, t);
    }
  const out = new Set<string>();
  for (const c of crates) {
    const t = tables.get(c.name);
    if (t && c.bins.length === 0 && [...t].every((x) => x === 'dev-dependencies')) out.add(c.name);
  }
  return out;
}
