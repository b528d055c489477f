// The Rust source scan: clients, endpoints, env vars, config keys of a codex-rs tree.
// Files unchanged since the last run come from the cache's stat index; every other file is read,
// checked (size, encoding), prefiltered and, when it can hold a finding, analyzed by processFile
// (on worker threads for big trees); then facts are resolved across files. One bad file never
// stops the scan: it becomes a warning.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { CliFlag, ClientFactory, ClientSite, ConfigKey, CrateInfo, Endpoint, EnvVar, ScanWarning } from '../../model.js';
import { openCache, type FactsCache, type StatEntry } from './cache.js';
import type { FileOutcome } from './file-job.js';
import type { FileFacts } from './facts.js';
import { startPool } from './pool.js';
import type { FileEntry } from './resolve.js';
import { resolveFacts } from './resolve.js';
import { loadRules } from './rules-load.js';

/** Below this many files the scan stays in one thread (worker start-up would cost more). */
const WORKER_MIN_FILES = 300;

export interface RustScanInput {
  /** absolute codex-rs root */
  root: string;
  /** .rs paths relative to root, '/'-separated */
  files: string[];
  /** for crateOf() from src/scan/crates.ts; a promise lets the manifest scan run while files parse. */
  crates: CrateInfo[] | Promise<CrateInfo[]>;
  useCache: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface RustScanOutput {
  clients: ClientSite[];
  factories: ClientFactory[];
  endpoints: Endpoint[];
  envVars: EnvVar[];
  configKeys: ConfigKey[];
  flags: CliFlag[];
  literals: { value: string; file: string; line: number }[];
  warnings: ScanWarning[];
  parseErrors: number;
  rustFiles: number;
  cached: number;
}

export async function scanRust(input: RustScanInput): Promise<RustScanOutput> {
  const rules = loadRules();
  const cache = input.useCache ? openCache(input.root, rules.hash) : undefined;
  const warnings: ScanWarning[] = [];
  const fileWarnings: ScanWarning[] = [];
  const entries = new Map<string, FileEntry>();
  const total = input.files.length;
  let done = 0;
  let cached = 0;
  const progress = (): void => input.onProgress?.(done, total);
  const onResult = (r: FileOutcome): void => {
    done++;
    if (done % 64 === 0) progress();
    if (r.kind === 'skipped') {
      fileWarnings.push(r.warning);
      return;
    }
    const stat = { size: r.size, mtimeMs: r.mtimeMs };
    if (r.kind === 'text') {
      entries.set(r.file, { file: r.file, consts: r.consts, modDecls: r.modDecls, baseArgs: r.baseArgs, ...(r.index ? { index: r.index } : {}) });
      cache?.recordStat(r.file, { ...stat, consts: r.consts, modDecls: r.modDecls, baseArgs: r.baseArgs, ...(r.index ? { index: r.index } : {}) });
      return;
    }
    const facts = r.kind === 'facts' ? r.facts : cache?.get(r.hash);
    if (!facts) {
      fileWarnings.push({ kind: 'other', file: r.file, message: `${r.file}: cached facts vanished; skipped` });
      return;
    }
    if (r.kind === 'known') cached++;
    entries.set(r.file, { file: r.file, facts, consts: [], modDecls: facts.modDecls });
    if (r.hash) {
      if (r.kind === 'facts') cache?.set(r.hash, facts);
      cache?.recordStat(r.file, { ...stat, hash: r.hash });
    }
  };
  // Small trees are analyzed in this thread; big ones on workers that read, prefilter and parse
  // (this thread only checks the stat index of the cache), so a warm run starts none.
  const pool = startPool(rules, onResult, total >= WORKER_MIN_FILES ? undefined : 1, cache?.known());
  for (const file of [...input.files].sort()) {
    const abs = path.join(input.root, file);
    const seen = cache ? unchangedSince(cache, file, abs) : undefined;
    if (seen) {
      // unchanged since the last run: no need to read it
      const facts = seen.hash ? cache!.get(seen.hash) : undefined;
      if (facts) {
        entries.set(file, { file, facts, consts: [], modDecls: facts.modDecls });
        cached++;
      } else entries.set(file, { file, consts: seen.consts ?? [], modDecls: seen.modDecls ?? [], baseArgs: seen.baseArgs ?? [], ...(seen.index ? { index: seen.index } : {}) });
      cache!.recordStat(file, seen);
      done++;
      continue;
    }
    pool.submit({ file, abs, hash: Boolean(cache) });
  }
  progress();
  await pool.finish();
  progress();
  cache?.save();
  // workers finish in any order: warnings in file order, as the report lists them
  warnings.push(...fileWarnings.sort((a, b) => (a.file! < b.file! ? -1 : a.file! > b.file! ? 1 : 0)));

  const list = [...entries.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  let parseErrors = 0;
  for (const e of list) {
    const f: FileFacts | undefined = e.facts;
    if (f && f.parseErrors > 0) {
      parseErrors++;
      warnings.push({
        kind: 'syntax',
        file: e.file,
        line: f.firstErrorLine ?? 1,
        message: f.tooDeep
          ? `brackets nest deeper than ${f.tooDeep} levels here (no real code does): the file is not parsed, so nothing in it is found`
          : `tree-sitter-rust could not parse ${f.parseErrors} place${f.parseErrors === 1 ? '' : 's'} (a syntax error, or Rust the grammar does not know); findings from the parts that parse are kept`,
      });
    }
  }
  const r = resolveFacts(list, await input.crates, rules);
  return {
    clients: r.clients,
    factories: r.factories,
    endpoints: r.endpoints,
    envVars: r.envVars,
    configKeys: r.configKeys,
    flags: r.flags,
    literals: r.literals,
    warnings,
    parseErrors,
    rustFiles: input.files.length,
    cached,
  };
}

/** The cache's stat entry of a file whose size and mtime did not change, if any. */
function unchangedSince(cache: FactsCache, file: string, abs: string): StatEntry | undefined {
  try {
    const st = statSync(abs);
    return st.isFile() ? cache.stat(file, st.size, st.mtimeMs) : undefined;
  } catch {
    return undefined; // the worker reports why it cannot be read
  }
}
