// Applies a plan (backups + state recorded before the first write, then one atomic write per file)
// and undoes it (every recorded file checked before any is restored).
import { promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, type Approach } from '../../model.js';
import { unwritableReason, writeFileAtomic } from './atomic.js';
import { changedFiles, type Plan } from './plan.js';
import { verifyState } from './verify-state.js';
import {
  absPath,
  readBackup,
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

export async function applyPlan(plan: Plan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const target = resolve(plan.target);
  const stateDir = stateDirOf(target, opts.stateDir);
  const stateFile = stateFileOf(target, plan.approach, opts.stateDir);
  const files = changedFiles(plan);
  if (files.length === 0) return { written: [], unchanged: true, stateFile };

  // 1. An earlier run's state must still describe the tree (and its backups must be intact).
  const previous = await verifyState(target, plan.approach, opts.stateDir);
  const byPath = new Map<string, PatchStateFile>((previous?.files ?? []).map((f) => [f.path, f]));

  // 2. Every file must still hold the text the plan was made from, and every target must be writable.
  const current = new Map<string, Buffer | null>();
  const problems: string[] = [];
  for (const f of files) {
    const abs = resolve(f.path);
    const cur = await readCurrent(abs);
    if (f.oldText === null ? cur !== null : cur === null || !cur.equals(Buffer.from(f.oldText, 'utf8'))) {
      throw new InputError(`${f.display} changed since the plan was made (or is not valid UTF-8); nothing was written`, abs);
    }
    current.set(abs, cur);
    const why = await unwritableReason(abs);
    if (why) problems.push(why);
  }
  const stateWhy = await unwritableReason(stateFile);
  if (stateWhy) problems.push(`${stateWhy} (needed for the backup)`);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new InputError(`cannot write: ${problems[0]}${more}; nothing was written`);
  }

  // 3. Backups, then the state — before the first file is touched.
  const now = new Date().toISOString();
  const entries: PatchStateFile[] = previous ? previous.files.map((f) => ({ ...f, earlier: [...f.earlier] })) : [];
  const backupDir = join(stateDir, 'backup', plan.approach);
  const freshStateDir = (await readCurrentDir(stateDir)) === null;
  await fs.mkdir(backupDir, { recursive: true });
  if (freshStateDir) await ensureGitignore(stateDir);
  for (const f of files) {
    const abs = resolve(f.path);
    const cur = current.get(abs) ?? null;
    const key = storedPath(target, abs);
    const after = sha256(Buffer.from(f.newText, 'utf8'));
    const old = byPath.get(key);
    if (old) {
      const e = entries.find((x) => x.path === key)!;
      if (e.after !== after && !e.earlier.includes(e.after)) e.earlier.push(e.after);
      e.after = after;
      continue;
    }
    const before = cur === null ? null : sha256(cur);
    let backup: string | null = null;
    let mode: number | null = null;
    if (cur !== null && before !== null) {
      backup = `backup/${plan.approach}/${before}`;
      const bfile = join(stateDir, ...backup.split('/'));
      const existing = await readCurrent(bfile);
      if (existing === null || sha256(existing) !== before) await writeFileAtomic(bfile, cur, 0o600);
      mode = (await fs.stat(abs)).mode & 0o7777;
    }
    entries.push({ path: key, existed: cur !== null, mode, before, after, earlier: [], backup });
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
  await writeFileAtomic(stateFile, stateToJson(state), 0o644);

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
  /** Absolute paths whose original bytes were (dry run: would be) put back. */
  restored: string[];
  /** Files the patch created, (would be) removed. */
  removed: string[];
  /** Files edited since the patch. Only filled by a dry run (a real run throws InputError instead)
   *  or with force (then they are restored/removed anyway and also listed here). */
  refused: { path: string; reason: string }[];
  /** Files already back to their original bytes (nothing to do). */
  untouched?: string[];
  stateFile?: string;
}

export interface UnpatchOptions {
  force?: boolean;
  stateDir?: string;
  dryRun?: boolean;
  /**
   * For a file edited since the patch: undo only the patch's own change in the current text and
   * keep the other edits (e.g. codex adding `[projects.x]` to config.toml). Returns the new text,
   * null to delete the file, or undefined when it cannot tell (then the file is refused as edited).
   */
  reverseEdited?: (abs: string, current: Buffer) => string | null | undefined;
}

export async function unpatchState(target: string, approach: Approach, opts: UnpatchOptions = {}): Promise<UnpatchResult> {
  const root = resolve(target);
  const stateDir = stateDirOf(root, opts.stateDir);
  const stateFile = stateFileOf(root, approach, opts.stateDir);
  const state = await readStateFile(root, approach, opts.stateDir);
  if (!state) throw new InputError(`no approach ${approach} patch is recorded here (${stateFile} not found); nothing to unpatch`, root);

  type Action = { abs: string; f: PatchStateFile; kind: 'restore' | 'remove' | 'none'; bytes?: Buffer };
  const actions: Action[] = [];
  const refused: UnpatchResult['refused'] = [];
  // Check every file (and every backup) before touching any.
  for (const f of state.files) {
    const abs = absPath(root, f.path);
    const bytes = f.existed ? await readBackup(stateDir, f, stateFile) : undefined;
    const cur = await readCurrent(abs);
    const h = cur === null ? null : sha256(cur);
    const patched = h !== null && (h === f.after || f.earlier.includes(h));
    const original = f.existed ? h === f.before : cur === null;
    if (original) {
      actions.push({ abs, f, kind: 'none' });
      continue;
    }
    if (!patched && cur !== null && opts.reverseEdited) {
      const back = opts.reverseEdited(abs, cur);
      if (back !== undefined) {
        actions.push(back === null ? { abs, f, kind: 'remove' } : { abs, f, kind: 'restore', bytes: Buffer.from(back) });
        continue;
      }
    }
    if (!patched) {
      refused.push({
        path: abs,
        reason: cur === null ? `${f.path} was deleted since the patch` : `${f.path} was edited since the patch`,
      });
    }
    actions.push({ abs, f, kind: f.existed ? 'restore' : 'remove', bytes });
  }
  if (refused.length > 0 && !opts.force && !opts.dryRun) {
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : '';
    throw new InputError(`${refused[0]!.reason}${more}; refusing to restore anything (use --force to discard the edits)`, refused[0]!.path);
  }
  const dryRefusedOnly = opts.dryRun && !opts.force;
  const todo = actions.filter((a) => a.kind !== 'none' && !(dryRefusedOnly && refused.some((r) => r.path === a.abs)));
  const problems: string[] = [];
  for (const a of todo) {
    const why = a.kind === 'restore' ? await unwritableReason(a.abs) : await removableReason(a.abs);
    if (why) problems.push(why);
  }
  if (problems.length > 0 && !opts.dryRun) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new InputError(`cannot write: ${problems[0]}${more}; nothing was restored`);
  }
  const result: UnpatchResult = {
    restored: todo.filter((a) => a.kind === 'restore').map((a) => a.abs),
    removed: todo.filter((a) => a.kind === 'remove').map((a) => a.abs),
    refused,
    untouched: actions.filter((a) => a.kind === 'none').map((a) => a.abs),
    stateFile,
  };
  if (opts.dryRun) return result;

  for (const a of todo) {
    if (a.kind === 'restore') await writeFileAtomic(a.abs, a.bytes!, a.f.mode ?? undefined);
    else await fs.rm(a.abs, { force: true });
  }
  // The patch is undone: drop its state and backups (keep what other approaches recorded).
  await fs.rm(stateFile, { force: true });
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
