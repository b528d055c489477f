// Content-hash cache of per-file facts: one JSON file per scanned root under the OS cache folder
// ($XDG_CACHE_HOME/codex-mitm or ~/.cache/codex-mitm). Key = sha256 of the file bytes; the whole
// cache is dropped when the tool version, the rules or the extractor code change. A stat index
// (size + mtime per path) lets a warm run skip reading files that did not change at all.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { FileFacts, RawBaseArg, RawConst, RawModDecl } from './facts.js';
import type { FileIndex } from './fn-index.js';

/** What the last run saw at a path: its stat, and its content hash (parsed files) or text facts. */
export interface StatEntry {
  size: number;
  mtimeMs: number;
  hash?: string;
  consts?: RawConst[];
  modDecls?: RawModDecl[];
  baseArgs?: RawBaseArg[];
  index?: FileIndex;
}

export interface FactsCache {
  get(hash: string): FileFacts | undefined;
  /** Content hashes the cache holds facts for. */
  known(): Set<string>;
  set(hash: string, facts: FileFacts): void;
  /** The entry of `file` when its size and mtime did not change since it was recorded. */
  stat(file: string, size: number, mtimeMs: number): StatEntry | undefined;
  recordStat(file: string, entry: StatEntry): void;
  save(): void;
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : path.join(homedir(), '.cache');
  return path.join(base, 'codex-mitm');
}

/** How many scanned roots keep a cache file of each kind; older ones are removed. */
const KEEP_ROOTS = 24;

/**
 * Writes one cache file atomically (best effort) and drops the least recently written files of the
 * same kind (`<prefix>-<root hash>.json`) beyond KEEP_ROOTS, so scanning many trees (temporary
 * copies, tests) does not grow the cache folder without bound.
 */
export function writeCacheFile(file: string, data: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, file);
    const dir = path.dirname(file);
    const prefix = path.basename(file).replace(/-[0-9a-f]+\.json$/, '-');
    const same = readdirSync(dir)
      .filter((n) => n.startsWith(prefix) && n.endsWith('.json'))
      .map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { n } of same.slice(KEEP_ROOTS)) rmSync(path.join(dir, n), { force: true });
  } catch {
    // a cache that cannot be written only costs time
  }
}

function codeHash(): string {
  const h = createHash('sha256');
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const names = ['extract', 'light', 'analyze', 'prefilter', 'facts', 'sparse', 'resolve', 'fn-index', 'file-job'];
  for (const dir of ['extract', 'resolve']) {
    try {
      for (const f of readdirSync(new URL(`./${dir}/`, import.meta.url)).sort()) if (f.endsWith(`.${ext}`)) names.push(`${dir}/${f.slice(0, -ext.length - 1)}`);
    } catch {
      names.push(`${dir}/`);
    }
  }
  for (const name of names) {
    try {
      h.update(readFileSync(new URL(`./${name}.${ext}`, import.meta.url)));
    } catch {
      h.update(name);
    }
  }
  return h.digest('hex');
}

function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0';
  }
}

export function openCache(root: string, rulesHash: string): FactsCache {
  const dir = cacheDir();
  const file = path.join(dir, `rust-facts-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
  const key = createHash('sha256').update(toolVersion()).update(rulesHash).update(codeHash()).digest('hex');
  let old: Record<string, FileFacts> = {};
  let oldStats: Record<string, StatEntry> = {};
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { key: string; files: Record<string, FileFacts>; stats?: Record<string, StatEntry> };
    if (data.key === key) {
      old = data.files;
      oldStats = data.stats ?? {};
    }
  } catch {
    old = {};
  }
  const now: Record<string, FileFacts> = {};
  const stats: Record<string, StatEntry> = {};
  let dirty = false;
  return {
    get(hash) {
      const f = old[hash];
      if (f) now[hash] = f;
      return f;
    },
    known() {
      return new Set(Object.keys(old));
    },
    set(hash, facts) {
      now[hash] = facts;
      dirty = true;
    },
    stat(f, size, mtimeMs) {
      const e = oldStats[f];
      if (!e || e.size !== size || e.mtimeMs !== mtimeMs) return undefined;
      if (e.hash && !old[e.hash]) return undefined;
      return e;
    },
    recordStat(f, entry) {
      const e = oldStats[f];
      if (!e || e.size !== entry.size || e.mtimeMs !== entry.mtimeMs || e.hash !== entry.hash) dirty = true;
      stats[f] = entry;
    },
    save() {
      if (!dirty && Object.keys(now).length === Object.keys(old).length && Object.keys(stats).length === Object.keys(oldStats).length) return;
      writeCacheFile(file, JSON.stringify({ key, files: now, stats }));
    },
  };
}
