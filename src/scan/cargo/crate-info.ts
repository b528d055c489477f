// CrateInfo for a manifest with a [package] table.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { CrateInfo } from '../../model.js';
import type { ResolvedDep } from './deps.js';
import type { ParsedManifest } from './manifest-read.js';

function binsOf(root: string, m: ParsedManifest, name: string): string[] {
  const pkg = (m.doc.package ?? {}) as Record<string, unknown>;
  const declared = Array.isArray(m.doc.bin) ? (m.doc.bin as Array<Record<string, unknown>>) : [];
  const bins: string[] = [];
  const paths = new Set<string>();
  for (const b of declared) {
    if (typeof b.name === 'string') bins.push(b.name);
    if (typeof b.path === 'string') paths.add(path.posix.normalize(b.path.replace(/\\/g, '/')));
  }
  if (pkg.autobins === false) return bins;
  const dir = path.join(root, m.dir);
  if (existsSync(path.join(dir, 'src', 'main.rs')) && !paths.has('src/main.rs') && !bins.includes(name)) bins.push(name);
  const binDir = path.join(dir, 'src', 'bin');
  if (existsSync(binDir)) {
    for (const e of readdirSync(binDir, { withFileTypes: true })) {
      const n = e.isFile() && e.name.endsWith('.rs') ? e.name.slice(0, -3) : e.isDirectory() && existsSync(path.join(binDir, e.name, 'main.rs')) ? e.name : undefined;
      const p = e.isFile() ? `src/bin/${e.name}` : `src/bin/${e.name}/main.rs`;
      if (n && !paths.has(p) && !bins.includes(n)) bins.push(n);
    }
  }
  return bins;
}

export function crateInfoOf(root: string, m: ParsedManifest, name: string, deps: ResolvedDep[]): CrateInfo {
  return {
    name,
    manifest: m.rel,
    dir: m.dir,
    bins: binsOf(root, m, name),
    deps: deps.map((d) => ({
      name: d.key,
      package: d.package,
      table: d.table,
      ...(d.path !== undefined ? { path: d.path } : {}),
      ...(d.optional ? { optional: true } : {}),
    })),
  };
}

export function packageName(m: ParsedManifest): string | undefined {
  const pkg = m.doc.package;
  if (typeof pkg !== 'object' || pkg === null) return undefined;
  const n = (pkg as Record<string, unknown>).name;
  return typeof n === 'string' ? n : undefined;
}
