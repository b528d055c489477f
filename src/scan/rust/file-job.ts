// What one .rs file of the tree gives: read, checked (size, UTF-8), prefiltered, and analyzed when
// it can hold a finding. Runs on the worker threads (or inline for small trees), so reading and
// the text passes share the cores with the parser instead of queueing on the main thread.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { ScanWarning } from '../../model.js';
import { analyzeFile } from './analyze.js';
import type { FileFacts, RawBaseArg, RawConst, RawModDecl } from './facts.js';
import { indexFile, type FileIndex } from './fn-index.js';
import { trailingTestModule } from './light.js';
import { baseArgsOf, constsOf, mayNeedParse, modDeclsOf, needsParse, testByPath } from './prefilter.js';
import type { RustRules } from './rules.js';

export interface FileJob {
  /** path relative to the root, '/'-separated */
  file: string;
  abs: string;
  /** compute the content hash (for the facts cache) */
  hash: boolean;
}

/** What the text passes give for a file that is not parsed. */
export interface TextFacts {
  consts: RawConst[];
  modDecls: RawModDecl[];
  baseArgs: RawBaseArg[];
  /** Functions, structs and `use` map (production files only). */
  index?: FileIndex;
}

interface Stat {
  file: string;
  size: number;
  mtimeMs: number;
}

/** What a file gave: parsed facts, text-pass facts, a cache hit by content, or a warning. */
export type FileOutcome =
  | (Stat & { kind: 'facts'; facts: FileFacts; hash?: string })
  | (Stat & { kind: 'text' } & TextFacts)
  | (Stat & { kind: 'known'; hash: string })
  | { file: string; kind: 'skipped'; warning: ScanWarning };

/** `known`: content hashes whose facts the caller already holds (they are not analyzed again). */
export function processFile(job: FileJob, rules: RustRules, known?: ReadonlySet<string>): FileOutcome {
  const { file, abs } = job;
  const maxBytes = rules.data.limits.max_file_bytes;
  const skipped = (kind: ScanWarning['kind'], message: string): FileOutcome => ({ file, kind: 'skipped', warning: { kind, file, message } });
  let buf: Buffer;
  let stat: Stat;
  try {
    const st = statSync(abs);
    stat = { file, size: st.size, mtimeMs: st.mtimeMs };
    if (st.size > maxBytes) return skipped('too-large', `${file}: ${st.size} bytes, over the ${maxBytes}-byte limit; skipped`);
    buf = readFileSync(abs);
  } catch (e) {
    return skipped('unreadable', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}); skipped`);
  }
  if (!isUtf8(buf)) return skipped('encoding', `${file}: not valid UTF-8 (rustc would reject it); skipped`);
  if (!mayNeedParse(buf, rules)) {
    // cheap path: decode only what the text passes need (string consts, cfg(test)/#[path] modules,
    // base URLs handed to calls)
    const wantConsts = buf.indexOf('str =') >= 0 || buf.indexOf('str=') >= 0;
    const wantMods = buf.indexOf('cfg(') >= 0 || buf.indexOf('#[path') >= 0;
    const wantBases = buf.indexOf('_base_url') >= 0;
    const wantIndex = buf.indexOf('fn ') >= 0 && !testByPath(file, rules);
    const text = wantConsts || wantMods || wantBases || wantIndex ? buf.toString('utf8') : '';
    return {
      ...stat,
      kind: 'text',
      consts: wantConsts ? constsOf(text) : [],
      modDecls: wantMods ? modDeclsOf(text) : [],
      baseArgs: wantBases ? baseArgsOf(text) : [],
      ...(wantIndex ? { index: indexFile(prodPart(text), rules.flagRules) } : {}),
    };
  }
  const text = buf.toString('utf8');
  if (!needsParse(file, text, rules))
    return {
      ...stat,
      kind: 'text',
      consts: constsOf(text),
      modDecls: modDeclsOf(text),
      baseArgs: baseArgsOf(text),
      ...(testByPath(file, rules) ? {} : { index: indexFile(prodPart(text), rules.flagRules) }),
    };
  const hash = job.hash ? createHash('sha256').update(buf).digest('hex') : undefined;
  if (hash && known?.has(hash)) return { ...stat, kind: 'known', hash };
  try {
    return { ...stat, kind: 'facts', facts: analyzeFile(file, text, rules), ...(hash ? { hash } : {}) };
  } catch (e) {
    return skipped('other', `${file}: analysis failed (${e instanceof Error ? e.message : String(e)}); skipped`);
  }
}

/** The text before a trailing `#[cfg(test)] mod tests { .. }` (what the index looks at). */
function prodPart(text: string): string {
  const cut = trailingTestModule(text);
  return cut >= 0 ? text.slice(0, cut) : text;
}
