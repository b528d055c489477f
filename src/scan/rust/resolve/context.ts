// What every resolution step shares: the crate of each file, test code, and the const table
// (same file, same crate, then unique across the tree). Pure.
import type { CrateInfo, Override } from '../../../model.js';
import { crateOf } from '../../crates.js';
import type { FileFacts, RawBaseArg, RawConst, RawOverride } from '../facts.js';
import type { RustRules } from '../rules.js';
import type { FileIndex } from '../fn-index.js';
import { devOnlyCrates, testFilesOf } from './test-code.js';

export interface FileEntry {
  file: string;
  /** Facts of a parsed file; undefined when the prefilter skipped it. */
  facts?: FileFacts;
  /** Consts and module declarations of every file (from the text pass). */
  consts: RawConst[];
  modDecls: FileFacts['modDecls'];
  /** Base URLs handed to calls, of a file that is not parsed (a parsed file has them in `facts`). */
  baseArgs?: RawBaseArg[];
  /** Functions, structs and `use` map of a file that is not parsed (a parsed file has them in `facts`). */
  index?: FileIndex;
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ConstDef extends RawConst {
  file: string;
  crate: string;
}

export interface ResolveContext {
  entries: FileEntry[];
  crates: CrateInfo[];
  rules: RustRules;
  testFiles: Set<string>;
  crateFor(file: string): string;
  /** Test code: marked so in the file, a test file, or a crate used only by tests. */
  isTest(file: string, test: boolean): boolean;
  /** String consts by name. */
  byName: Map<string, ConstDef[]>;
  resolveConst(name: string, file: string): ConstDef | undefined;
  overrideOut(o: RawOverride, file: string): Override | undefined;
  /** Env var names read per file (filled by the env-vars step). */
  envByFile: Map<string, string[]>;
}

export function resolveContext(entries: FileEntry[], crates: CrateInfo[], rules: RustRules): ResolveContext {
  const testFiles = testFilesOf(entries, rules);
  const crateCache = new Map<string, string>();
  const crateFor = (f: string): string => {
    let c = crateCache.get(f);
    if (c === undefined) {
      c = crateOf(f, crates);
      crateCache.set(f, c);
    }
    return c;
  };

  // ---- const table ------------------------------------------------------------------------
  const byName = new Map<string, ConstDef[]>();
  for (const e of entries) {
    const list = e.facts ? e.facts.consts : e.consts;
    for (const c of list) {
      const d: ConstDef = { ...c, file: e.file, crate: crateFor(e.file) };
      const l = byName.get(c.name) ?? [];
      l.push(d);
      byName.set(c.name, l);
    }
  }
  const resolveConst = (name: string, file: string): ConstDef | undefined => {
    const defs = byName.get(name);
    if (!defs?.length) return undefined;
    const prod = (l: ConstDef[]): ConstDef | undefined => l.find((d) => !d.test && !testFiles.has(d.file)) ?? l[0];
    const same = defs.filter((d) => d.file === file);
    if (same.length) return prod(same);
    const crate = crateFor(file);
    const inCrate = defs.filter((d) => d.crate === crate);
    if (inCrate.length) return prod(inCrate);
    const values = new Set(defs.map((d) => d.value));
    return values.size === 1 ? prod(defs) : undefined;
  };
  const overrideOut = (o: RawOverride, file: string): Override | undefined => {
    if (o.kind === 'config' || o.kind === 'flag') return o.name ? { kind: o.kind, name: o.name, file, line: o.line } : undefined;
    const name = o.name ?? (o.constRef ? resolveConst(o.constRef, file)?.value : undefined);
    if (!name || !ENV_NAME.test(name)) return undefined;
    return { kind: 'env', name, file, line: o.line };
  };

  const devOnly = devOnlyCrates(crates);
  const isTest = (file: string, t: boolean): boolean => t || testFiles.has(file) || devOnly.has(crateFor(file));

  return { entries, crates, rules, testFiles, crateFor, isTest, byName, resolveConst, overrideOut, envByFile: new Map() };
}
