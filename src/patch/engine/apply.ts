// The one place that writes a patch: applies a plan (backups + state recorded before the first
// write, then one atomic write per file) and carries out an unpatch plan (every recorded file
// decided before any is restored; unpatch-plan.ts decides, unpatch-read.ts reads).
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError, type Approach } from '../../model.js';
import { cleanStaleTemps, removeDirIfEmpty, removeFile, unwritableReason, writeFileAtomic } from './atomic.js';
import { changedFiles, type Plan } from './plan.js';
import { verifyState } from './verify-state.js';
import { recordEdits, reverseRecorded } from './reverse.js';
import { planUnpatch, unpatchResult, type Reverser, type UnpatchPlan, type UnpatchResult } from './unpatch-plan.js';
import { readUnpatch, unpatchProblems, type UnpatchRead } from './unpatch-read.js';
import { withLock } from './lock.js';
import { assertPlainPath, assertRealDirs, readNoFollow } from './trust.js';
import {
  absPath,
  readCurrent,
  readState as readStateFile,
  sha256,
  STATE_VERSION,
  stateDirOf,
  stateFileOf,
  stateToJson,
  storedPath,
  type PatchState,
  type PatchStateFile,
} from './state.js';

export type { PatchState, PatchStateFile } from './state.js';
export { STATE_VERSION } from './state.js';
export type { UnpatchResult } from './unpatch-plan.js';
export { forceHint } from './unpatch-plan.js';
export { reverseRecorded } from './reverse.js';

export type Writer = (path: string, data: string | Buffer, mode?: number) => Promise<void>;

export interface ApplyResult {
  /** Absolute paths written, in plan order. */
  written: string[];
  /** true when the plan changed nothing (nothing written, no state touched). */
  unchanged: boolean;
  stateFile: string;
}

export interface ApplyOptions {
  /** Default <target>/.codex-mitm */
  stateDir?: string;
  /** The writer for plan files (tests inject one that fails midway). Backups and state always use writeFileAtomic. */
  writer?: Writer;
}

export async function readState(target: string, approach: Approach, stateDir?: string): Promise<PatchState | undefined> {
  return readStateFile(target, approach, stateDir);
}

/** Why files of the plan (or its state) could not be written: one line each; empty when all can.
 *  `patch --dry-run` runs the same check a real run does. */
export async function writeProblems(plan: Plan, opts: Pick<ApplyOptions, 'stateDir'> = {}): Promise<string[]> {
  const problems: string[] = [];
  for (const f of changedFiles(plan)) {
    const why = await unwritableReason(resolve(f.path));
    if (why) problems.push(why);
  }
  const stateWhy = await unwritableReason(stateFileOf(resolve(plan.target), plan.approach, opts.stateDir));
  if (stateWhy) problems.push(`${stateWhy} (needed for the backup)`);
  return problems;
}

/** Applies `plan` holding the lock of its target (a second run at once waits, then refuses). */
export async function applyPlan(plan: Plan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  return withLock(plan.target, () => applyLocked(plan, opts));
}

async function applyLocked(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  const target = resolve(plan.target);
  const stateDir = stateDirOf(target, opts.stateDir);
  const stateFile = stateFileOf(target, plan.approach, opts.stateDir);
  const files = changedFiles(plan);
  if (files.length === 0) return { written: [], unchanged: true, stateFile };

  // 0. No link on the way to a file the plan writes or to the state folder (a planted
  //    `.codex-mitm -> /elsewhere` or `crate -> /elsewhere` must not make us write there).
  await assertRealDirs(target, stateDir, 'the patch state folder');
  for (const f of files) {
    const key = storedPath(target, resolve(f.path));
    if (!isAbsolute(key)) await assertPlainPath(target, key, f.display);
  }

  // 1. An earlier run's state must still describe the tree (and its backups must be intact).
  const previous = await verifyState(target, plan.approach, opts.stateDir);
  const byPath = new Map<string, PatchStateFile>((previous?.files ?? []).map((f) => [f.path, f]));

  // 2. Every file must still hold the text the plan was made from, and every target must be writable.
  const current = new Map<string, Buffer | null>();
  for (const f of files) {
    const abs = resolve(f.path);
    const cur = await readCurrent(abs);
    if (f.oldText === null ? cur !== null : cur === null || !cur.equals(Buffer.from(f.oldText, 'utf8'))) {
      throw new InputError(`${f.display} changed since the plan was made (or is not valid UTF-8); nothing was written`, abs);
    }
    current.set(abs, cur);
  }
  const problems = await writeProblems(plan, opts);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new InputError(`cannot write: ${problems[0]}${more}; nothing was written`);
  }

  // 3. Backups, then the state — before the first file is touched.
  const now = new Date().toISOString();
  const entries: PatchStateFile[] = previous
    ? previous.files.map((f) => ({ ...f, earlier: [...f.earlier], ...(f.edits ? { edits: f.edits.map((r) => [...r]) } : {}) }))
    : [];
  const backupDir = join(stateDir, 'backup', plan.approach);
  const freshStateDir = (await readCurrentDir(stateDir)) === null;
  // private whatever the umask: the backups are copies of the user's files
  await fs.mkdir(backupDir, { recursive: true, mode: 0o700 });
  await assertRealDirs(target, backupDir, 'the backup folder');
  if (freshStateDir) {
    for (const d of [stateDir, join(stateDir, 'backup'), backupDir]) await fs.chmod(d, 0o700);
    await ensureGitignore(stateDir);
  }
  for (const f of files) {
    const abs = resolve(f.path);
    const cur = current.get(abs) ?? null;
    const key = storedPath(target, abs);
    if (isAbsolute(key)) throw new Error(`internal: a plan for ${target} writes ${abs}, outside it`);
    const after = sha256(Buffer.from(f.newText, 'utf8'));
    const run = f.oldText !== null && f.replacements ? recordEdits(f.oldText, f.newText, f.replacements) : undefined;
    const old = byPath.get(key);
    if (old) {
      const e = entries.find((x) => x.path === key)!;
      if (e.after !== after && !e.earlier.includes(e.after)) e.earlier.push(e.after);
      e.after = after;
      // In-place undo needs the replacements of every run.
      if (e.edits && run) e.edits.push(run);
      else delete e.edits;
      continue;
    }
    const before = cur === null ? null : sha256(cur);
    let backup: string | null = null;
    let mode: number | null = null;
    if (cur !== null && before !== null) {
      backup = `backup/${plan.approach}/${before}`;
      const bfile = join(stateDir, ...backup.split('/'));
      const existing = await readNoFollow(bfile, `the backup of ${key}`);
      if (existing === null || sha256(existing) !== before) await writeFileAtomic(bfile, cur, 0o600);
      mode = (await fs.lstat(abs)).mode & 0o777;
    }
    entries.push({ path: key, existed: cur !== null, mode, before, after, earlier: [], backup, ...(run ? { edits: [run] } : {}) });
  }
  const state: PatchState = {
    tool: 'codex-mitm',
    stateVersion: STATE_VERSION,
    approach: plan.approach,
    target,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    files: entries,
  };
  await writeFileAtomic(stateFile, await stateToJson(state), 0o644);

  // 4. The files, one atomic write each.
  const writer = opts.writer ?? writeFileAtomic;
  const written: string[] = [];
  for (const f of files) {
    const abs = resolve(f.path);
    const existed = current.get(abs) !== null;
    if (!existed) await fs.mkdir(dirname(abs), { recursive: true });
    await writer(abs, f.newText, existed ? undefined : (f.mode ?? 0o644));
    written.push(abs);
  }
  return { written, unchanged: false, stateFile };
}

export interface UnpatchOptions {
  force?: boolean;
  /** Edits made since are expected (a patch re-run replacing its own): undo only the patch in the
   *  current text where possible, without --force; a file where that is not possible is refused. */
  undoInPlace?: boolean;
  stateDir?: string;
  dryRun?: boolean;
  /**
   * Undo only the patch's own change in the current text and keep the other edits (e.g. codex
   * adding `[projects.x]` to config.toml, an upstream pull into a patched manifest). Returns the
   * new text, null to delete the file, or undefined when it cannot tell. Called for a file edited
   * since the patch (undefined: the file is refused as edited) and, for a patched file whose backup
   * is missing or corrupted, as the fallback (the result must then hash to the original).
   * Default: undo the replacements recorded in the state (`edits`), when there are any.
   */
  reverseEdited?: Reverser;
}

/** Undoes the patch of `approach` in `target`: reads (unpatch-read.ts), decides every file before
 *  touching any (unpatch-plan.ts), then writes. A dry run makes the same plan and writes nothing. */
export async function unpatchState(target: string, approach: Approach, opts: UnpatchOptions = {}): Promise<UnpatchResult> {
  return opts.dryRun ? unpatchLocked(target, approach, opts) : withLock(target, () => unpatchLocked(target, approach, opts));
}

async function unpatchLocked(target: string, approach: Approach, opts: UnpatchOptions): Promise<UnpatchResult> {
  const read = await readUnpatch(target, approach, opts.stateDir);
  const plan = planUnpatch({
    state: read.state,
    stateFile: read.stateFile,
    stateRel: read.stateRel,
    files: read.files,
    ...(opts.force ? { force: true } : {}),
    ...(opts.undoInPlace ? { undoInPlace: true } : {}),
    reverse: opts.reverseEdited ?? ((_abs, cur, f) => reverseRecorded(cur, f)),
  });
  // a dry run reports the files a real run would refuse; a lost backup it refuses too
  if (plan.stop && (plan.stop.kind === 'lost' || !opts.dryRun)) throw new InputError(plan.stop.message, plan.stop.file);
  const problems = await unpatchProblems(plan);
  if (problems.length > 0) {
    // a dry run says what the real run would: the same refusal, exit 2
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new InputError(`cannot write: ${problems[0]}${more}; ${opts.dryRun ? 'a real run would refuse (dry run: nothing was written)' : 'nothing was restored'}`);
  }
  const result = unpatchResult(plan, read.stateFile);
  if (opts.dryRun) return result;
  await writeUnpatch(plan, read, approach);
  return result;
}

/** Carries out an unpatch plan: the files (one atomic write or delete each), then the state. */
async function writeUnpatch(plan: UnpatchPlan, read: UnpatchRead, approach: Approach): Promise<void> {
  const { root, stateDir, stateFile, state } = read;
  // temp files a killed earlier run left beside the recorded files (and the state) go too
  for (const f of state.files) await cleanStaleTemps(absPath(root, f.path));
  await cleanStaleTemps(stateFile);
  for (const { path, action: a } of plan.files) {
    if (a.do === 'restore') await writeFileAtomic(path, a.bytes, a.mode);
    else if (a.do === 'reverse') await writeFileAtomic(path, a.text, a.mode);
    else if (a.do === 'delete') await removeFile(path);
  }
  const clean = plan.clean;
  if (!clean.drop) {
    await writeFileAtomic(stateFile, await stateToJson({ ...state, updatedAt: new Date().toISOString(), files: clean.keep }), 0o644);
    for (const b of clean.removeBackups) await removeFile(join(stateDir, ...b.split('/')));
    throw new InputError(clean.error.message, clean.error.file);
  }
  // The patch is undone: drop its state and backups (keep what other approaches recorded).
  await removeFile(stateFile);
  await assertRealDirs(stateDir, join(stateDir, 'backup', approach), 'the backup folder');
  await fs.rm(join(stateDir, 'backup', approach), { recursive: true, force: true });
  await removeDirIfEmpty(join(stateDir, 'backup'));
  const left = await fs.readdir(stateDir).catch(() => [] as string[]);
  const ours = left.length === 1 && left[0] === '.gitignore' && (await readCurrent(join(stateDir, '.gitignore')))?.toString('utf8').startsWith(GITIGNORE_MARK);
  if (left.length === 0 || ours) await fs.rm(stateDir, { recursive: true, force: true });
}


const GITIGNORE_MARK = '# written by codex-mitm';

/** Keeps backups out of `git status` of the patched tree (only in a state folder we created). */
async function ensureGitignore(stateDir: string): Promise<void> {
  const file = join(stateDir, '.gitignore');
  if ((await readCurrent(file)) === null) await writeFileAtomic(file, `${GITIGNORE_MARK}: patch state and backups\n*\n`, 0o644);
}

async function readCurrentDir(dir: string): Promise<string[] | null> {
  try {
    return await fs.readdir(dir);
  } catch {
    return null;
  }
}
