import { stat, access, realpath } from 'node:fs/promises';
import { constants, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, resolve, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { globby } from 'globby';
import type { Ignore } from 'ignore';
import { InputError, type ScanWarning } from '../model.js';
import { readRegularText } from './cargo/read-file.js';

export interface Discovered {
  /** Absolute codex-rs root. */
  root: string;
  /** `.rs` files relative to root, `/`-separated, sorted. */
  rustFiles: string[];
  /** `Cargo.toml` files relative to root, sorted. */
  manifests: string[];
  warnings: ScanWarning[];
  /**
   * What the listing depends on: every folder walked (its ctime changes when an entry is added,
   * removed or renamed, or its permissions change) and every .gitignore read (size and mtime).
   * A later run whose stamps all match would list the same files (see result-cache.ts).
   */
  stamps: Stamp[];
}

/** [path relative to root ('' = root, folders end in '/'), stamp]. */
export type Stamp = [string, string];

/** The stamp of a walked folder or a read .gitignore now; '-' when it cannot be read. */
export function stampOf(root: string, rel: string): string {
  try {
    const st = statSync(rel ? join(root, rel) : root);
    return rel === '' || rel.endsWith('/') ? `d${st.ctimeMs}` : `f${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch {
    return '-';
  }
}

const IGNORE = ['**/target/**', '**/node_modules/**', '**/.git/**', '**/.codex-mitm/**'];

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The codex-rs root for PATH: PATH itself when it holds a workspace Cargo.toml (or is named
 * codex-rs), else `PATH/codex-rs`, else the one `codex-rs` folder below PATH (depth <= 3). Two or
 * more below PATH are an error: picking one would scan, or patch, a tree the user did not mean.
 */
/** The path leads to no single codex-rs tree although it names or holds some (inside one crate,
 *  or two or more trees below): worth saying, unlike a folder with no tree at all. */
export class AmbiguousRootError extends InputError {}

export async function findCodexRoot(path: string): Promise<string> {
  const abs = resolve(path);
  if (!(await exists(abs))) throw new InputError('path does not exist', abs);
  if (!(await isDir(abs))) throw new InputError('not a folder', abs);
  if (abs.split(sep).pop() === 'codex-rs' || (await isWorkspaceRoot(abs))) return abs;
  if (await isDir(join(abs, 'codex-rs'))) return join(abs, 'codex-rs');
  // a folder inside a codex-rs tree (one crate): its findings would lack the workspace, the
  // codex binary and every other crate, so the verdicts would be wrong
  for (let up = dirname(abs); up !== dirname(up); up = dirname(up)) {
    if (up.split(sep).pop() === 'codex-rs' || (await isWorkspaceRoot(up))) {
      throw new AmbiguousRootError(`is inside the codex-rs tree ${up}: give that folder (one crate alone cannot say what the codex binary does)`, abs);
    }
  }
  const below = await globby('**/codex-rs', {
    cwd: abs,
    onlyDirectories: true,
    deep: 3,
    ignore: IGNORE,
    suppressErrors: true,
  });
  // the shallowest ones: a codex-rs inside another one's tree is not a second checkout
  const depth = (p: string): number => p.split('/').length;
  const top = below.map((b) => b.replace(/\/$/, '')).filter((b) => !below.some((o) => o !== b && b.startsWith(`${o.replace(/\/$/, '')}/`)));
  top.sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
  if (top.length > 1) {
    const shown = top.slice(0, 4).join(', ') + (top.length > 4 ? `, and ${top.length - 4} more` : '');
    throw new AmbiguousRootError(`${top.length} codex-rs folders below this folder (${shown}): pass the one to use`, abs);
  }
  if (top.length === 1) return join(abs, top[0]!);
  return abs;
}

/** A folder whose Cargo.toml (a regular file: a FIFO there, or a link, is never opened for
 *  waiting or followed) declares `[workspace]`. */
async function isWorkspaceRoot(dir: string): Promise<boolean> {
  const read = await readRegularText(join(dir, 'Cargo.toml'), { noFollow: true });
  return 'text' in read && /^\s*\[workspace\]/m.test(read.text);
}

const require = createRequire(import.meta.url);

/** Folder names never walked into, at any depth. */
const SKIP_DIRS = new Set(['target', 'node_modules', '.git', '.codex-mitm']);

interface GitIgnore {
  /** folder of the .gitignore, relative to root, '' or ending in '/' */
  dir: string;
  ig: Ignore;
}

/**
 * Lists Rust files and manifests under root in one synchronous walk (a warm scan spends most of its
 * time here): target/ and the like are skipped, .gitignore files apply below their folder (an
 * ignored folder is not entered, as in git), symlinks are noted and not followed, folders that
 * cannot be listed become warnings.
 */
export async function discover(path: string): Promise<Discovered> {
  const root = await findCodexRoot(path);
  const warnings: ScanWarning[] = [];
  const rustFiles: string[] = [];
  const manifests: string[] = [];
  const symlinks: string[] = [];
  const stamps: Stamp[] = [];
  const ignores: GitIgnore[] = [];
  const ignored = (rel: string): boolean => {
    for (const { dir, ig } of ignores) if (rel.startsWith(dir) && rel.length > dir.length && ig.ignores(rel.slice(dir.length))) return true;
    return false;
  };
  const walk = (rel: string): void => {
    stamps.push([rel, stampOf(root, rel)]);
    let entries: Dirent[];
    try {
      entries = readdirSync(rel ? join(root, rel) : root, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      warnings.push({ kind: 'unreadable', file: rel.slice(0, -1), message: `folder cannot be read (${code}): skipped` });
      return;
    }
    const gitignore = entries.find((e) => e.name === '.gitignore' && e.isFile());
    if (gitignore) stamps.push([`${rel}.gitignore`, stampOf(root, `${rel}.gitignore`)]);
    const pushed = gitignore ? addGitignore(root, rel, ignores) : false;
    for (const e of entries) {
      const p = rel + e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !ignored(`${p}/`)) walk(`${p}/`);
      } else if (e.isSymbolicLink()) {
        if (!ignored(p)) symlinks.push(p);
      } else if ((p.endsWith('.rs') || e.name === 'Cargo.toml') && !ignored(p)) {
        if (e.isFile()) (e.name === 'Cargo.toml' ? manifests : rustFiles).push(p);
        else warnings.push({ kind: 'unreadable', file: p, message: `is ${specialKind(e)}, not a regular file: not read` });
      }
    }
    if (pushed) ignores.pop();
  };
  walk('');
  for (const p of symlinks.sort()) await noteSymlink(root, p, warnings, p.endsWith('.rs') ? rustFiles : undefined);
  rustFiles.sort();
  manifests.sort();
  if (rustFiles.length === 0) {
    throw new InputError('no Rust sources found (expected a codex checkout or its codex-rs folder)', root);
  }
  return { root, rustFiles, manifests, warnings, stamps };
}

function specialKind(e: Dirent): string {
  if (e.isFIFO()) return 'a FIFO (named pipe)';
  if (e.isSocket()) return 'a socket';
  if (e.isCharacterDevice() || e.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Reads `<rel>.gitignore` into the stack; false when it cannot be read (it then ignores nothing). */
function addGitignore(root: string, rel: string, ignores: GitIgnore[]): boolean {
  try {
    // loaded on the first .gitignore only (the package is CommonJS, so it loads synchronously)
    const ignore = require('ignore') as (options?: unknown) => Ignore;
    ignores.push({ dir: rel, ig: ignore().add(readFileSync(join(root, rel, '.gitignore'), 'utf8')) });
    return true;
  } catch {
    return false;
  }
}

/** Symlinked folders are not followed; loops and broken links are reported, linked files kept. */
async function noteSymlink(root: string, rel: string, warnings: ScanWarning[], keep?: string[]): Promise<void> {
  const abs = join(root, rel);
  try {
    const target = await realpath(abs);
    const st = await stat(target);
    if (st.isFile()) {
      if (keep) keep.push(rel);
      else if (!/(^|\/)Cargo\.toml$/.test(rel)) return;
      // a linked manifest is not read: cargo would follow it, but a link in a checkout can point
      // anywhere, and a patch must never write through one (approach B names it)
      else warnings.push({ kind: 'symlink', file: rel, message: `is a symbolic link to ${relative(root, target)}: not read (links are not followed)` });
      return;
    }
    if (!st.isDirectory()) {
      if (keep || /(^|\/)Cargo\.toml$/.test(rel)) warnings.push({ kind: 'symlink', file: rel, message: 'is a symbolic link to something that is not a regular file: not read' });
      return;
    }
    const parent = resolve(abs, '..');
    if (parent === target || parent.startsWith(target + sep)) {
      warnings.push({ kind: 'symlink', file: rel, message: `symlink loop to ${relative(root, target) || '.'}: not followed` });
    } else {
      warnings.push({ kind: 'symlink', file: rel, message: 'symlinked folder: not followed' });
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    warnings.push({
      kind: 'symlink',
      file: rel,
      message: code === 'ELOOP' ? 'symlink loop: not followed' : `broken symlink (${code ?? 'error'}): skipped`,
    });
  }
}
