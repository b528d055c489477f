import { stat, access, readFile, realpath } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, resolve, relative, sep } from 'node:path';
import { globby } from 'globby';
import ignore, { type Ignore } from 'ignore';
import { InputError, type ScanWarning } from '../model.js';

export interface Discovered {
  /** Absolute codex-rs root. */
  root: string;
  /** `.rs` files relative to root, `/`-separated, sorted. */
  rustFiles: string[];
  /** `Cargo.toml` files relative to root, sorted. */
  manifests: string[];
  warnings: ScanWarning[];
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
 * codex-rs), else `PATH/codex-rs`, else the first `codex-rs` folder below PATH (depth <= 3).
 */
export async function findCodexRoot(path: string): Promise<string> {
  const abs = resolve(path);
  if (!(await exists(abs))) throw new InputError('path does not exist', abs);
  if (!(await isDir(abs))) throw new InputError('not a folder', abs);
  if (abs.split(sep).pop() === 'codex-rs' || (await isWorkspaceRoot(abs))) return abs;
  if (await isDir(join(abs, 'codex-rs'))) return join(abs, 'codex-rs');
  const below = await globby('**/codex-rs', {
    cwd: abs,
    onlyDirectories: true,
    deep: 3,
    ignore: IGNORE,
    suppressErrors: true,
  });
  if (below.length > 0) return join(abs, below.sort((a, b) => a.length - b.length)[0]!);
  return abs;
}

async function isWorkspaceRoot(dir: string): Promise<boolean> {
  try {
    const text = await readFile(join(dir, 'Cargo.toml'), 'utf8');
    return /^\s*\[workspace\]/m.test(text);
  } catch {
    return false;
  }
}

/** Lists Rust files and manifests under root, honouring .gitignore files and skipping target/. One walk. */
export async function discover(path: string): Promise<Discovered> {
  const root = await findCodexRoot(path);
  const warnings: ScanWarning[] = [];
  const entries = await globby('**', {
    cwd: root,
    ignore: IGNORE,
    onlyFiles: false,
    followSymbolicLinks: false,
    suppressErrors: true,
    objectMode: true,
    dot: true,
  });
  const ignored = await gitignoreFilter(
    root,
    entries.filter((e) => e.name === '.gitignore' && e.dirent.isFile()).map((e) => e.path),
  );
  const rustFiles: string[] = [];
  const manifests: string[] = [];
  const dirs: string[] = [];
  for (const entry of entries) {
    const p = entry.path;
    if (ignored(p)) continue;
    if (entry.dirent.isDirectory()) dirs.push(p);
    if (entry.dirent.isSymbolicLink()) {
      await noteSymlink(root, p, warnings, p.endsWith('.rs') ? rustFiles : undefined);
      continue;
    }
    if (!entry.dirent.isFile()) continue;
    if (p.endsWith('.rs')) rustFiles.push(p);
    else if (p === 'Cargo.toml' || p.endsWith('/Cargo.toml')) manifests.push(p);
  }
  await noteUnreadableDirs(root, dirs, warnings);
  rustFiles.sort();
  manifests.sort();
  if (rustFiles.length === 0) {
    throw new InputError('no Rust sources found (expected a codex checkout or its codex-rs folder)', root);
  }
  return { root, rustFiles, manifests, warnings };
}

/** Folders the walk could not list (it skips them silently) become warnings. */
async function noteUnreadableDirs(root: string, dirs: string[], warnings: ScanWarning[]): Promise<void> {
  const results = await Promise.all(
    dirs.map((d) =>
      access(join(root, d), constants.R_OK | constants.X_OK).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => ({ d, code: err.code ?? 'error' }),
      ),
    ),
  );
  for (const r of results) if (r) warnings.push({ kind: 'unreadable', file: r.d, message: `folder cannot be read (${r.code}): skipped` });
}

/** A predicate for paths (relative to root) that some .gitignore in the tree excludes. */
async function gitignoreFilter(root: string, files: string[]): Promise<(path: string) => boolean> {
  const rules: { dir: string; ig: Ignore }[] = [];
  for (const f of files.sort()) {
    try {
      const dir = f.includes('/') ? f.slice(0, f.lastIndexOf('/') + 1) : '';
      rules.push({ dir, ig: ignore().add(await readFile(join(root, f), 'utf8')) });
    } catch {
      // an unreadable .gitignore ignores nothing
    }
  }
  if (rules.length === 0) return () => false;
  return (p) => rules.some(({ dir, ig }) => p.startsWith(dir) && p.length > dir.length && ig.ignores(p.slice(dir.length)));
}

/** Symlinked folders are not followed; loops and broken links are reported, linked files kept. */
async function noteSymlink(root: string, rel: string, warnings: ScanWarning[], keep?: string[]): Promise<void> {
  const abs = join(root, rel);
  try {
    const target = await realpath(abs);
    const st = await stat(target);
    if (st.isFile()) {
      keep?.push(rel);
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
