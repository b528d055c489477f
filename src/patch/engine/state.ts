// The patch state: what a patch changed, with the hashes and backups that let `unpatch` put every
// byte back. One JSON file per approach: <stateDir>/<approach>.json (stateDir default
// <target>/.codex-mitm); original bytes in <stateDir>/backup/<approach>/<sha256 of the bytes>.
import { promises as fs, constants as fsConstants } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseJsonText } from '../../json-error.js';
import { InputError, type Approach } from '../../model.js';
import type { RecordedEdit } from './reverse.js';
import { assertRealDirs, checkStateMac, readNoFollow, signState } from './trust.js';

export const STATE_VERSION = 1;
export const STATE_DIR_NAME = '.codex-mitm';

export interface PatchStateFile {
  /** Relative to the target with `/` (absolute when the file lies outside the target). */
  path: string;
  /** false: the patch created the file ("did not exist" before). */
  existed: boolean;
  /** Mode of the original file (null when it did not exist). */
  mode: number | null;
  /** sha256 (hex) of the original bytes; null when the file did not exist. */
  before: string | null;
  /** sha256 (hex) of the bytes the last patch wrote. */
  after: string;
  /** after-hashes of earlier patch runs folded into this state (still count as "patched"). */
  earlier: string[];
  /** Backup of the original bytes, relative to the state folder; null when the file did not exist. */
  backup: string | null;
  /** The replacements of each patch run (oldest first), when every run recorded them: lets
   *  `unpatch` undo the patch in place, keeping edits made since. */
  edits?: RecordedEdit[][];
}

export interface PatchState {
  tool: 'codex-mitm';
  stateVersion: number;
  approach: Approach;
  /** Absolute target at the time of the patch (informational; paths are relative to it). */
  target: string;
  createdAt: string;
  updatedAt: string;
  files: PatchStateFile[];
  /** HMAC-SHA256 of the rest, keyed by the user's state key (trust.ts): a state without it, or
   *  with another one, was not written by this user's codex-mitm and is refused. */
  mac?: string;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function stateDirOf(target: string, stateDir?: string): string {
  return stateDir ? resolve(stateDir) : join(resolve(target), STATE_DIR_NAME);
}

export function stateFileOf(target: string, approach: Approach, stateDir?: string): string {
  return join(stateDirOf(target, stateDir), `${approach}.json`);
}

/** Path as stored in the state (relative to target with `/` when inside it). */
export function storedPath(target: string, abs: string): string {
  const rel = relative(resolve(target), abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return abs;
  return rel.split(sep).join('/');
}

export function absPath(target: string, stored: string): string {
  return isAbsolute(stored) ? stored : join(resolve(target), ...stored.split('/'));
}

/** Reads the state of `approach`; undefined when none was recorded. Bad JSON, a wrong shape or
 *  another state version → InputError naming the file. */
export async function readState(target: string, approach: Approach, stateDir?: string, env: NodeJS.ProcessEnv = process.env): Promise<PatchState | undefined> {
  const file = stateFileOf(target, approach, stateDir);
  const dir = stateDirOf(target, stateDir);
  await assertRealDirs(resolve(target), dir, 'the patch state folder');
  const bytes = await readNoFollow(file, 'the patch state');
  if (bytes === null) return undefined;
  const text = bytes.toString('utf8');
  const data = parseJsonText(text, file, 'patch state is corrupted');
  // the shape first (clear messages for a damaged state), then whose it is
  const checked = validateState(structuredClone(data), file, approach);
  await checkStateMac(data as Record<string, unknown>, file, env);
  return checked;
}

function validateState(data: unknown, file: string, approach: Approach): PatchState {
  const bad = (why: string): never => {
    throw new InputError(`patch state is corrupted (${why})`, file);
  };
  if (!data || typeof data !== 'object') bad('not an object');
  const s = data as Record<string, unknown>;
  if (s.tool !== 'codex-mitm') bad('not written by codex-mitm');
  if (typeof s.stateVersion !== 'number') bad('no stateVersion');
  if (s.stateVersion !== STATE_VERSION) {
    throw new InputError(
      `patch state has version ${String(s.stateVersion)}, this codex-mitm reads version ${STATE_VERSION}; restore the files with the codex-mitm that wrote it`,
      file,
    );
  }
  if (s.approach !== approach) bad(`approach is ${String(s.approach)}, expected ${approach}`);
  if (!Array.isArray(s.files)) bad('no files list');
  const hex = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
  for (const [i, f] of (s.files as unknown[]).entries()) {
    const e = f as Record<string, unknown>;
    if (!e || typeof e !== 'object') bad(`files[${i}] is not an object`);
    if (typeof e.path !== 'string' || e.path === '') bad(`files[${i}].path`);
    // a patch only ever writes inside the folder it patched: a path leading elsewhere is not ours
    const p = e.path as string;
    if (isAbsolute(p) || /^[A-Za-z]:/.test(p) || p.split(/[\\/]/).includes('..')) bad(`files[${i}].path ${JSON.stringify(p)} leads outside the patched folder`);
    if (typeof e.existed !== 'boolean') bad(`files[${i}].existed`);
    if (!hex(e.after)) bad(`files[${i}].after`);
    if (e.existed) {
      if (!hex(e.before)) bad(`files[${i}].before`);
      if (typeof e.backup !== 'string' || !new RegExp(`^backup/${approach}/[0-9a-f]{64}$`).test(e.backup) || e.backup !== `backup/${approach}/${String(e.before)}`) bad(`files[${i}].backup`);
      // permission bits only: a state never gives a file setuid, setgid or sticky bits
      if (typeof e.mode !== 'number' || !Number.isInteger(e.mode) || e.mode < 0 || e.mode > 0o777) bad(`files[${i}].mode`);
    } else if (e.before !== null) bad(`files[${i}].before must be null for a created file`);
    if (e.earlier !== undefined && !(Array.isArray(e.earlier) && e.earlier.every(hex))) bad(`files[${i}].earlier`);
    if (e.earlier === undefined) e.earlier = [];
    if (e.edits !== undefined && !validEdits(e.edits)) bad(`files[${i}].edits`);
  }
  return s as unknown as PatchState;
}

function validEdits(v: unknown): boolean {
  const num = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  return (
    Array.isArray(v) &&
    v.every(
      (run) =>
        Array.isArray(run) &&
        run.every((e: Record<string, unknown>) => {
          if (!e || typeof e !== 'object') return false;
          return num(e.line) && num(e.start) && num(e.col) && typeof e.old === 'string' && typeof e.new === 'string' && typeof e.lineText === 'string';
        }),
    )
  );
}

/** The backup file of a recorded entry, checked to lie in real folders (no link on the way). */
async function backupFile(stateDir: string, f: PatchStateFile): Promise<string> {
  const file = join(stateDir, ...f.backup!.split('/'));
  await assertRealDirs(stateDir, join(stateDir, ...f.backup!.split('/').slice(0, -1)), 'the backup folder');
  return file;
}

/** The original bytes of a recorded file, or why they cannot be had (missing / corrupted backup). */
export async function tryReadBackup(stateDir: string, f: PatchStateFile): Promise<{ bytes: Buffer } | { why: string }> {
  if (!f.backup || !f.before) return { why: `no backup recorded for ${f.path}` };
  const file = await backupFile(stateDir, f);
  let bytes: Buffer | null;
  try {
    bytes = await readNoFollow(file, `the backup of ${f.path}`);
  } catch (err) {
    if (err instanceof InputError) throw err;
    bytes = null;
  }
  if (bytes === null) return { why: `backup of ${f.path} is missing (${file})` };
  if (sha256(bytes) !== f.before) return { why: `backup of ${f.path} is corrupted (sha256 of ${file} differs from the recorded original)` };
  return { bytes };
}

/** The original bytes of a recorded file, checked against the recorded before-hash. */
export async function readBackup(stateDir: string, f: PatchStateFile, stateFile: string): Promise<Buffer> {
  if (!f.backup || !f.before) throw new InputError(`no backup recorded for ${f.path}`, stateFile);
  const file = await backupFile(stateDir, f);
  const bytes = await readNoFollow(file, `the backup of ${f.path}`);
  if (bytes === null) throw new InputError(`backup of ${f.path} is missing (${file}); nothing was changed`, stateFile);
  if (sha256(bytes) !== f.before) {
    throw new InputError(`backup of ${f.path} is corrupted (sha256 differs from the recorded original); nothing was changed`, file);
  }
  return bytes;
}

/** Current bytes of a file, or null when it does not exist. Only a regular file is read (a FIFO
 *  or a device in its place is refused at once, never waited on). */
export async function readCurrent(path: string): Promise<Buffer | null> {
  let fh;
  try {
    fh = await fs.open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, path);
  }
  try {
    if (!(await fh.stat()).isFile()) throw new InputError('not a regular file (a FIFO, socket or device is not read)', path);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** The state's text, signed with the user's state key. */
export async function stateToJson(state: PatchState, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return signState(state, env);
}
