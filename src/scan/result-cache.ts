// Warm runs of an unchanged tree: the whole ScanResult of the last run, reused when no scanned file
// (.rs, Cargo.toml, Cargo.lock) changed size or mtime, and neither the rules nor the scanner's code
// did. One JSON file per scanned root beside the per-file caches. Best effort: any problem with
// the cache falls back to a full scan (which then uses the per-file caches).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScanResult, ScanWarning } from '../model.js';
import { stampOf, type Discovered } from './discover.js';
import { cacheDir, writeCacheFile } from './rust/cache.js';

/** Folders whose files decide what a scan of a given tree returns (compiled code and rules). */
const CODE_DIRS = [new URL('./', import.meta.url), new URL('../channels/', import.meta.url), new URL('../../rules/', import.meta.url)];
const EXT = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
/** ... and single files: the pipeline that composes scan and channels, the model, the version. */
const CODE_FILES = [new URL(`../pipeline.${EXT}`, import.meta.url), new URL(`../model.${EXT}`, import.meta.url), new URL('../../package.json', import.meta.url)];

function addTree(out: string[], dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const n of names) {
    const p = path.join(dir, n);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) addTree(out, p);
    else if (/\.(js|ts|toml|scm|json)$/.test(n)) out.push(p);
  }
}

/** Every file the code hash covers (absolute paths): the files of CODE_DIRS, then CODE_FILES. */
export function codeFiles(): string[] {
  const out: string[] = [];
  for (const d of CODE_DIRS) addTree(out, fileURLToPath(d));
  return [...out, ...CODE_FILES.map((f) => fileURLToPath(f))];
}

let codeKey: string | undefined;
/** sha256 of the scanner's code and rules (path, size, mtime): a rebuilt tool or an edited rule drops the cache. */
function codeHash(): string {
  if (codeKey) return codeKey;
  const h = createHash('sha256');
  for (const f of codeFiles()) {
    try {
      const st = statSync(f);
      h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
    } catch {
      h.update(f);
    }
  }
  codeKey = h.digest('hex');
  return codeKey;
}

export interface ResultKeyInput {
  root: string;
  files: string[];
  includeTests: boolean;
}

/** The key of a tree as it is now: code, options, and size + mtime of every scanned file. */
export function resultKey(input: ResultKeyInput): string {
  const h = createHash('sha256').update(codeHash()).update(input.includeTests ? 'tests\n' : 'prod\n');
  for (const f of input.files) {
    try {
      const s = statSync(path.join(input.root, f));
      h.update(`${f}\0${s.size}\0${s.mtimeMs}\n`);
    } catch {
      h.update(`${f}\0-\n`);
    }
  }
  return h.digest('hex');
}

interface Stored {
  key: string;
  result: ScanResult;
  /** Warnings of the manifest and Rust scans. */
  scanWarnings: ScanWarning[];
  /** The listing of the tree, valid while all its stamps match (see Discovered.stamps) and the
   *  code that listed it is the code running now. */
  discovered?: Discovered;
  code?: string;
}

function fileFor(root: string): string {
  return path.join(cacheDir(), `scan-result-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
}

/** The last file read, so that storedListing and loadResult parse it once per run. */
let lastRead: { file: string; data: Stored | undefined } | undefined;

function readStored(root: string): Stored | undefined {
  const file = fileFor(root);
  if (lastRead?.file === file) return lastRead.data;
  let data: Stored | undefined;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as Stored;
    if (data.result?.schemaVersion !== 1) data = undefined;
  } catch {
    data = undefined;
  }
  lastRead = { file, data };
  return data;
}

/** The stored result for this key, or undefined. */
export function loadResult(root: string, key: string): Stored | undefined {
  const data = readStored(root);
  return data?.key === key ? data : undefined;
}

/**
 * The last run's listing of the tree at `root` when no walked folder and no .gitignore changed
 * since (a stat per folder instead of a walk), else undefined: then the tree is walked again.
 */
export function storedListing(root: string): Discovered | undefined {
  const d = readStored(root)?.discovered;
  if (!d || d.root !== root || !Array.isArray(d.stamps) || readStored(root)?.code !== codeHash()) return undefined;
  for (const [rel, stamp] of d.stamps) if (stampOf(root, rel) !== stamp) return undefined;
  return d;
}

export function saveResult(root: string, key: string, result: ScanResult, scanWarnings: ScanWarning[], discovered?: Discovered): void {
  lastRead = undefined;
  writeCacheFile(fileFor(root), JSON.stringify({ key, result, scanWarnings, ...(discovered ? { discovered, code: codeHash() } : {}) } satisfies Stored));
}
