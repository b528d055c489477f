// Applies a plan (backups + state recorded before the first write, then one atomic write per file)
// and undoes it (every recorded file checked before any is restored).
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError, type Approach } from '../../model.js';
import { cleanStaleTemps, unwritableReason, writeFileAtomic } from './atomic.js';
import { changedFiles, type Plan } from './plan.js';
import { verifyState } from './verify-state.js';
import { recordEdits, reverseEdits } from './reverse.js';
import { withLock } from './lock.js';
import { assertPlainPath, assertRealDirs, readNoFollow } from './trust.js';
import {
  absPath,
  readCurrent,
  tryReadBackup,
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

export interface UnpatchResult {
  /** Absolute paths whose original bytes were (dry run: would be) put back (from the backup, or by
   *  undoing the patch in place: those are also listed in `inPlace`). */
  restored: string[];
  /** Files the patch created, (would be) removed. */
  removed: string[];
  /** Files edited since the patch whose change could not be undone in place. Only filled by a dry
   *  run (a real run throws InputError instead) or with force (then they are restored from the
   *  backup anyway and also listed here). */
  refused: { path: string; reason: string; keepsEdits?: boolean }[];
  /** Files already back to their original bytes (nothing to do). */
  untouched?: string[];
  /** Files whose patch was (would be) undone in the current text, keeping the edits made since. */
  inPlace?: string[];
  /** With force: files that could not be restored (backup missing or corrupted and no in-place
   *  undo possible). A real run restores the others, then throws InputError naming them. */
  notRestored?: { path: string; reason: string }[];
  stateFile?: string;
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
  reverseEdited?: (abs: string, current: Buffer, entry: PatchStateFile) => string | null | undefined;
}

/** What --force does to the files an unpatch refused. */
export function forceHint(refused: UnpatchResult['refused']): string {
  return refused.every((r) => r.keepsEdits)
    ? 'use --force to undo only the patch and keep your edits'
    : refused.some((r) => r.keepsEdits)
      ? 'use --force: it undoes only the patch where it can and keeps those edits, and discards the others'
      : 'use --force to discard the edits';
}

/** The patch undone in `current` by its recorded replacements; undefined when not possible. */
export function reverseRecorded(current: Buffer, entry: PatchStateFile): string | undefined {
  if (!entry.edits) return undefined;
  const text = current.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(current)) return undefined;
  return reverseEdits(text, entry.edits);
}

export async function unpatchState(target: string, approach: Approach, opts: UnpatchOptions = {}): Promise<UnpatchResult> {
  return opts.dryRun ? unpatchLocked(target, approach, opts) : withLock(target, () => unpatchLocked(target, approach, opts));
}

async function unpatchLocked(target: string, approach: Approach, opts: UnpatchOptions): Promise<UnpatchResult> {
  const root = resolve(target);
  const stateDir = stateDirOf(root, opts.stateDir);
  const stateFile = stateFileOf(root, approach, opts.stateDir);
  const state = await readStateFile(root, approach, opts.stateDir);
  if (!state) throw new InputError(`no approach ${approach} patch is recorded here (${stateFile} not found); nothing to unpatch`, root);
  const stateRel = storedPath(root, stateFile);
  const reverse = (abs: string, cur: Buffer, f: PatchStateFile) => (opts.reverseEdited ? opts.reverseEdited(abs, cur, f) : reverseRecorded(cur, f));

  type Action = { abs: string; f: PatchStateFile; kind: 'restore' | 'remove' | 'none' | 'lost'; bytes?: Buffer; inPlace?: boolean; why?: string };
  const actions: Action[] = [];
  const refused: UnpatchResult['refused'] = [];
  // Check every file (and every backup) before touching any.
  for (const f of state.files) await assertPlainPath(root, f.path, f.path);
  for (const f of state.files) {
    const abs = absPath(root, f.path);
    const backup = f.existed ? await tryReadBackup(stateDir, f) : undefined;
    const bytes = backup && 'bytes' in backup ? backup.bytes : undefined;
    const backupWhy = backup && 'why' in backup ? backup.why : undefined;
    const cur = await readCurrent(abs);
    const h = cur === null ? null : sha256(cur);
    const patched = h !== null && (h === f.after || f.earlier.includes(h));
    const original = f.existed ? h === f.before : cur === null;
    if (original) {
      actions.push({ abs, f, kind: 'none' });
      continue;
    }
    // A missing or corrupted backup: without force, refuse before touching anything.
    if (backupWhy && !opts.force) {
      actions.push({ abs, f, kind: 'lost', why: backupWhy });
      continue;
    }
    if (patched) {
      if (!backupWhy) {
        actions.push({ abs, f, kind: f.existed ? 'restore' : 'remove', bytes });
        continue;
      }
      // The backup is gone: undoing the patch in place must give back the original bytes exactly.
      const back = reverse(abs, cur!, f);
      if (typeof back === 'string' && sha256(Buffer.from(back, 'utf8')) === f.before) {
        actions.push({ abs, f, kind: 'restore', bytes: Buffer.from(back, 'utf8'), inPlace: true });
      } else actions.push({ abs, f, kind: 'lost', why: backupWhy });
      continue;
    }
    // Edited since the patch: refused unless forced; forced, only the patch's own change is undone
    // in the current text where that is possible (the other edits stay), else the backup returns.
    const back = cur !== null ? reverse(abs, cur, f) : undefined;
    if (back !== undefined && (opts.force || opts.undoInPlace)) {
      actions.push(back === null ? { abs, f, kind: 'remove', inPlace: true } : { abs, f, kind: 'restore', bytes: Buffer.from(back, 'utf8'), inPlace: true });
      continue;
    }
    refused.push({
      path: abs,
      reason: cur === null ? `${f.path} was deleted since the patch` : `${f.path} was edited since the patch`,
      ...(back !== undefined ? { keepsEdits: true } : {}),
    });
    if (backupWhy) actions.push({ abs, f, kind: 'lost', why: `${refused[refused.length - 1]!.reason}, and the ${backupWhy}` });
    else actions.push({ abs, f, kind: f.existed ? 'restore' : 'remove', bytes });
  }
  const lost = actions.filter((a) => a.kind === 'lost');
  const recover = (entries: PatchStateFile[]) => {
    const names = entries.map((f) => f.path);
    return `put ${names.join(', ')} back yourself (in a git checkout: \`git checkout -- ${names.join(' ')}\`), then delete ${stateRel}`;
  };
  if (lost.length > 0 && !opts.force) {
    const more = lost.length > 1 ? ` (and ${lost.length - 1} more)` : '';
    throw new InputError(
      `${lost[0]!.why}${more}; nothing was changed. --force restores the other files; or ${recover(lost.map((a) => a.f))}`,
      stateFile,
    );
  }
  if (refused.length > 0 && !opts.force && !opts.dryRun) {
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : '';
    throw new InputError(`${refused[0]!.reason}${more}; refusing to restore anything (${forceHint(refused)})`, refused[0]!.path);
  }
  const dryRefusedOnly = opts.dryRun && !opts.force;
  const todo = actions.filter((a) => (a.kind === 'restore' || a.kind === 'remove') && !(dryRefusedOnly && refused.some((r) => r.path === a.abs)));
  const problems: string[] = [];
  for (const a of todo) {
    const why = a.kind === 'restore' ? await unwritableReason(a.abs) : await removableReason(a.abs);
    if (why) problems.push(why);
  }
  if (problems.length > 0) {
    // a dry run says what the real run would: the same refusal, exit 2
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new InputError(`cannot write: ${problems[0]}${more}; ${opts.dryRun ? 'a real run would refuse (dry run: nothing was written)' : 'nothing was restored'}`);
  }
  const result: UnpatchResult = {
    restored: todo.filter((a) => a.kind === 'restore').map((a) => a.abs),
    removed: todo.filter((a) => a.kind === 'remove').map((a) => a.abs),
    refused,
    untouched: actions.filter((a) => a.kind === 'none').map((a) => a.abs),
    inPlace: todo.filter((a) => a.inPlace).map((a) => a.abs),
    notRestored: lost.map((a) => ({ path: a.abs, reason: a.why! })),
    stateFile,
  };
  if (opts.dryRun) return result;

  // temp files a killed earlier run left beside the recorded files (and the state) go too
  for (const f of state.files) await cleanStaleTemps(absPath(root, f.path));
  await cleanStaleTemps(stateFile);
  for (const a of todo) {
    if (a.kind === 'restore') await writeFileAtomic(a.abs, a.bytes!, a.f.existed && a.f.mode !== null ? a.f.mode & 0o777 : undefined);
    else await fs.rm(a.abs, { force: true });
  }
  if (lost.length > 0) {
    // Keep only what is still patched in the state (a later unpatch, after the user put the files
    // back, finds them original and finishes), with the backups those entries name.
    const keep = lost.map((a) => a.f);
    const now = new Date().toISOString();
    await writeFileAtomic(stateFile, await stateToJson({ ...state, updatedAt: now, files: keep }), 0o644);
    const wanted = new Set(keep.map((f) => f.backup).filter((b): b is string => b !== null));
    for (const a of todo) {
      if (a.f.backup && !wanted.has(a.f.backup)) await fs.rm(join(stateDir, ...a.f.backup.split('/')), { force: true });
    }
    const done = todo.length;
    throw new InputError(
      `restored ${done} file(s), but not ${lost.map((a) => a.f.path).join(', ')}: ${lost[0]!.why}; ${recover(keep)} (or run unpatch again once it is back)`,
      stateFile,
    );
  }
  // The patch is undone: drop its state and backups (keep what other approaches recorded).
  await fs.rm(stateFile, { force: true });
  await assertRealDirs(stateDir, join(stateDir, 'backup', approach), 'the backup folder');
  await fs.rm(join(stateDir, 'backup', approach), { recursive: true, force: true });
  await removeIfEmpty(join(stateDir, 'backup'));
  const left = await fs.readdir(stateDir).catch(() => [] as string[]);
  const ours = left.length === 1 && left[0] === '.gitignore' && (await readCurrent(join(stateDir, '.gitignore')))?.toString('utf8').startsWith(GITIGNORE_MARK);
  if (left.length === 0 || ours) await fs.rm(stateDir, { recursive: true, force: true });
  return result;
}

async function removableReason(path: string): Promise<string | undefined> {
  const cur = await readCurrent(path);
  if (cur === null) return undefined;
  return unwritableReason(path);
}

async function removeIfEmpty(dir: string): Promise<void> {
  try {
    if ((await fs.readdir(dir)).length === 0) await fs.rmdir(dir);
  } catch {
    /* absent */
  }
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
