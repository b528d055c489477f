// The Rust source scan: clients, endpoints, env vars, config keys of a codex-rs tree.
// Read every file once (size, encoding, prefilter), analyze the candidates (cache, workers),
// then resolve across files. One bad file never stops the scan: it becomes a warning.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ClientSite, ConfigKey, CrateInfo, Endpoint, EnvVar, ScanWarning } from '../../model.js';
import { openCache } from './cache.js';
import type { FileFacts } from './facts.js';
import { startPool } from './pool.js';
import { constsOf, mayNeedParse, modDeclsOf, needsParse } from './prefilter.js';
import type { FileEntry } from './resolve.js';
import { resolveFacts } from './resolve.js';
import { loadRules } from './rules.js';

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
  endpoints: Endpoint[];
  envVars: EnvVar[];
  configKeys: ConfigKey[];
  warnings: ScanWarning[];
  parseErrors: number;
  rustFiles: number;
  cached: number;
}

export async function scanRust(input: RustScanInput): Promise<RustScanOutput> {
  const rules = loadRules();
  const maxBytes = rules.data.limits.max_file_bytes;
  const cache = input.useCache ? openCache(input.root, rules.hash) : undefined;
  const warnings: ScanWarning[] = [];
  const entries = new Map<string, FileEntry>();
  const total = input.files.length;
  let done = 0;
  let cached = 0;
  const progress = (): void => input.onProgress?.(done, total);
  const hashOf = new Map<string, string>();
  // Small trees are analyzed in this thread; big ones on workers that start with the first file
  // needing a parse, so that their start-up overlaps the reading below (a warm run starts none).
  const pool = startPool(
    rules,
    (r) => {
      done++;
      if (r.facts) {
        entries.set(r.file, { file: r.file, facts: r.facts, consts: [], modDecls: r.facts.modDecls });
        cache?.set(hashOf.get(r.file)!, r.facts);
      } else {
        warnings.push({ kind: 'other', file: r.file, message: `${r.file}: analysis failed (${r.error ?? 'unknown error'}); skipped` });
      }
      if (done % 64 === 0) progress();
    },
    total >= WORKER_MIN_FILES ? undefined : 1,
  );

  for (const file of [...input.files].sort()) {
    const abs = path.join(input.root, file);
    let buf: Buffer;
    let size: number;
    let mtimeMs: number;
    try {
      const st = statSync(abs);
      size = st.size;
      mtimeMs = st.mtimeMs;
      if (st.size > maxBytes) {
        warnings.push({ kind: 'too-large', file, message: `${file}: ${st.size} bytes, over the ${maxBytes}-byte limit; skipped` });
        done++;
        continue;
      }
      const seen = st.isFile() ? cache?.stat(file, size, mtimeMs) : undefined;
      if (seen) {
        // unchanged since the last run: no need to read it
        const facts = seen.hash ? cache!.get(seen.hash) : undefined;
        if (facts) {
          entries.set(file, { file, facts, consts: [], modDecls: facts.modDecls });
          cached++;
        } else entries.set(file, { file, consts: seen.consts ?? [], modDecls: seen.modDecls ?? [] });
        cache!.recordStat(file, seen);
        done++;
        continue;
      }
      buf = readFileSync(abs);
    } catch (e) {
      warnings.push({ kind: 'unreadable', file, message: `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}); skipped` });
      done++;
      continue;
    }
    if (!isUtf8(buf)) {
      warnings.push({ kind: 'encoding', file, message: `${file}: not valid UTF-8 (rustc would reject it); skipped` });
      done++;
      continue;
    }
    if (!mayNeedParse(buf, rules)) {
      // cheap path: decode only what the text passes need (string consts, cfg(test)/#[path] modules)
      const wantConsts = buf.indexOf('str =') >= 0 || buf.indexOf('str=') >= 0;
      const wantMods = buf.indexOf('cfg(') >= 0 || buf.indexOf('#[path') >= 0;
      const text = wantConsts || wantMods ? buf.toString('utf8') : '';
      const consts = wantConsts ? constsOf(text) : [];
      const modDecls = wantMods ? modDeclsOf(text) : [];
      entries.set(file, { file, consts, modDecls });
      cache?.recordStat(file, { size, mtimeMs, consts, modDecls });
      done++;
      continue;
    }
    const text = buf.toString('utf8');
    if (!needsParse(file, text, rules)) {
      const consts = constsOf(text);
      const modDecls = modDeclsOf(text);
      entries.set(file, { file, consts, modDecls });
      cache?.recordStat(file, { size, mtimeMs, consts, modDecls });
      done++;
      continue;
    }
    const hash = createHash('sha256').update(buf).digest('hex');
    cache?.recordStat(file, { size, mtimeMs, hash });
    const hit = cache?.get(hash);
    if (hit) {
      entries.set(file, { file, facts: hit, consts: [], modDecls: hit.modDecls });
      cached++;
      done++;
      continue;
    }
    hashOf.set(file, hash);
    pool.submit({ file, abs, text });
  }
  progress();
  await pool.finish();
  progress();
  cache?.save();

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
        message: `tree-sitter-rust could not parse ${f.parseErrors} place${f.parseErrors === 1 ? '' : 's'} (a syntax error, or Rust the grammar does not know); findings from the parts that parse are kept`,
      });
    }
  }
  const r = resolveFacts(list, await input.crates, rules);
  return {
    clients: r.clients,
    endpoints: r.endpoints,
    envVars: r.envVars,
    configKeys: r.configKeys,
    warnings,
    parseErrors,
    rustFiles: input.files.length,
    cached,
  };
}
