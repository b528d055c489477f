// What `unpatch` does to each recorded file, decided from what was read (pure: no file system, no
// clock). The reader (unpatch-read.ts) gathers the inputs; the writer (apply.ts) carries the plan out.
import type { PatchState, PatchStateFile } from './state.js';
import { sha256 } from './state.js';

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

/** Undoes only the patch in `current`: the new text, null to delete the file, undefined when it cannot tell. */
export type Reverser = (abs: string, current: Buffer, entry: PatchStateFile) => string | null | undefined;

/** One recorded file as read. */
export interface UnpatchFileInput {
  entry: PatchStateFile;
  /** Absolute path. */
  path: string;
  /** Its bytes now; null when it does not exist. */
  current: Buffer | null;
  /** The original bytes from the backup, or why they cannot be had; undefined for a file the patch created. */
  backup?: { bytes: Buffer } | { why: string };
}

export interface UnpatchInput {
  /** The trusted state (read and verified). */
  state: PatchState;
  stateFile: string;
  /** The state file as shown to the user (relative to the target). */
  stateRel: string;
  /** Every recorded file, in state order. */
  files: UnpatchFileInput[];
  force?: boolean;
  /** Edits made since are expected: undo the patch in place where possible, without force. */
  undoInPlace?: boolean;
  reverse: Reverser;
}

/** What happens to one file. */
export type UnpatchAction =
  /** Already original: nothing to do. */
  | { do: 'leave' }
  /** Put the backup's bytes back. */
  | { do: 'restore'; bytes: Buffer; mode?: number }
  /** Write the current text with the patch undone (edits made since are kept). */
  | { do: 'reverse'; text: string; mode?: number }
  /** Delete the file (one the patch created; `inPlace`: undoing the patch in place left nothing). */
  | { do: 'delete'; inPlace: boolean }
  /** Left as it is. `backupLost`: it cannot be restored at all (its backup is missing or corrupted). */
  | { do: 'refuse'; reason: string; backupLost: boolean };

export interface UnpatchFilePlan {
  path: string;
  entry: PatchStateFile;
  action: UnpatchAction;
  /** Edited (or deleted) since the patch and not undone in place: refused without force. */
  edited?: { reason: string; keepsEdits?: boolean };
}

/** An error with the file it names (thrown as InputError). */
export interface UnpatchError {
  message: string;
  file: string;
}

export interface UnpatchPlan {
  files: UnpatchFilePlan[];
  /** Why nothing may be written. 'lost': a backup is missing (a dry run refuses too); 'edited': a
   *  file changed since the patch (a dry run reports it instead). */
  stop?: UnpatchError & { kind: 'lost' | 'edited' };
  /** After the files: drop the state and the backups, or (some files could not be restored) keep
   *  only their entries, delete the other backups, then fail with `error`. */
  clean: { drop: true } | { drop: false; keep: PatchStateFile[]; removeBackups: string[]; error: UnpatchError };
}

/** What --force does to the files an unpatch refused. */
export function forceHint(refused: UnpatchResult['refused']): string {
  return refused.every((r) => r.keepsEdits)
    ? 'use --force to undo only the patch and keep your edits'
    : refused.some((r) => r.keepsEdits)
      ? 'use --force: it undoes only the patch where it can and keeps those edits, and discards the others'
      : 'use --force to discard the edits';
}

const more = (n: number) => (n > 1 ? ` (and ${n - 1} more)` : '');

/** Decides every file before any is touched. */
export function planUnpatch(input: UnpatchInput): UnpatchPlan {
  const files = input.files.map((f) => planFile(f, input));
  const lost = files.filter((f) => f.action.do === 'refuse' && f.action.backupLost);
  const refused = files.filter((f) => f.edited).map((f) => ({ path: f.path, ...f.edited! }));
  const reasonOf = (f: UnpatchFilePlan) => (f.action as { reason: string }).reason;
  const recover = (entries: PatchStateFile[]) => {
    const names = entries.map((f) => f.path);
    return `put ${names.join(', ')} back yourself (in a git checkout: \`git checkout -- ${names.join(' ')}\`), then delete ${input.stateRel}`;
  };
  let stop: UnpatchPlan['stop'];
  if (lost.length > 0 && !input.force) {
    stop = {
      kind: 'lost',
      message: `${reasonOf(lost[0]!)}${more(lost.length)}; nothing was changed. --force restores the other files; or ${recover(lost.map((f) => f.entry))}`,
      file: input.stateFile,
    };
  } else if (refused.length > 0 && !input.force) {
    stop = {
      kind: 'edited',
      message: `${refused[0]!.reason}${more(refused.length)}; refusing to restore anything (${forceHint(refused)})`,
      file: refused[0]!.path,
    };
  }
  if (lost.length === 0) return { files, ...(stop ? { stop } : {}), clean: { drop: true } };
  // Keep only what is still patched in the state (a later unpatch, after the user put the files
  // back, finds them original and finishes), with the backups those entries name.
  const keep = lost.map((f) => f.entry);
  const wanted = new Set(keep.map((f) => f.backup).filter((b): b is string => b !== null));
  const done = files.filter((f) => changes(f.action));
  const removeBackups = done.map((f) => f.entry.backup).filter((b): b is string => b !== null && !wanted.has(b));
  const error = {
    message: `restored ${done.length} file(s), but not ${keep.map((f) => f.path).join(', ')}: ${reasonOf(lost[0]!)}; ${recover(keep)} (or run unpatch again once it is back)`,
    file: input.stateFile,
  };
  return { files, ...(stop ? { stop } : {}), clean: { drop: false, keep, removeBackups, error } };
}

/** true for an action that writes or deletes the file. */
export function changes(a: UnpatchAction): a is Extract<UnpatchAction, { do: 'restore' | 'reverse' | 'delete' }> {
  return a.do === 'restore' || a.do === 'reverse' || a.do === 'delete';
}

function planFile(input: UnpatchFileInput, opts: UnpatchInput): UnpatchFilePlan {
  const { entry: f, path, current: cur } = input;
  const plan = (action: UnpatchAction, edited?: UnpatchFilePlan['edited']): UnpatchFilePlan => ({ path, entry: f, action, ...(edited ? { edited } : {}) });
  const mode = f.existed && f.mode !== null ? f.mode & 0o777 : undefined;
  const withMode = mode === undefined ? {} : { mode };
  const bytes = input.backup && 'bytes' in input.backup ? input.backup.bytes : undefined;
  const backupWhy = input.backup && 'why' in input.backup ? input.backup.why : undefined;
  const lost = (reason: string): UnpatchAction => ({ do: 'refuse', reason, backupLost: true });
  const fromBackup = (): UnpatchAction => (f.existed ? { do: 'restore', bytes: bytes!, ...withMode } : { do: 'delete', inPlace: false });
  const h = cur === null ? null : sha256(cur);
  const patched = h !== null && (h === f.after || f.earlier.includes(h));
  const original = f.existed ? h === f.before : cur === null;
  if (original) return plan({ do: 'leave' });
  // A missing or corrupted backup: without force, refuse before touching anything.
  if (backupWhy && !opts.force) return plan(lost(backupWhy));
  if (patched) {
    if (!backupWhy) return plan(fromBackup());
    // The backup is gone: undoing the patch in place must give back the original bytes exactly.
    const back = opts.reverse(path, cur!, f);
    return typeof back === 'string' && sha256(Buffer.from(back, 'utf8')) === f.before ? plan({ do: 'reverse', text: back, ...withMode }) : plan(lost(backupWhy));
  }
  // Edited since the patch: refused unless forced; forced, only the patch's own change is undone
  // in the current text where that is possible (the other edits stay), else the backup returns.
  const back = cur !== null ? opts.reverse(path, cur, f) : undefined;
  if (back !== undefined && (opts.force || opts.undoInPlace)) {
    return plan(back === null ? { do: 'delete', inPlace: true } : { do: 'reverse', text: back, ...withMode });
  }
  const reason = cur === null ? `${f.path} was deleted since the patch` : `${f.path} was edited since the patch`;
  const edited = { reason, ...(back !== undefined ? { keepsEdits: true } : {}) };
  if (backupWhy) return plan(lost(`${reason}, and the ${backupWhy}`), edited);
  return plan(opts.force ? fromBackup() : { do: 'refuse', reason, backupLost: false }, edited);
}

/** What the plan (would have) done, as unpatch reports it. */
export function unpatchResult(plan: UnpatchPlan, stateFile: string): UnpatchResult {
  const of = (pick: (a: UnpatchAction) => boolean) => plan.files.filter((f) => pick(f.action)).map((f) => f.path);
  return {
    restored: of((a) => a.do === 'restore' || a.do === 'reverse'),
    removed: of((a) => a.do === 'delete'),
    refused: plan.files.filter((f) => f.edited).map((f) => ({ path: f.path, ...f.edited! })),
    untouched: of((a) => a.do === 'leave'),
    inPlace: of((a) => a.do === 'reverse' || (a.do === 'delete' && a.inPlace)),
    notRestored: plan.files.flatMap((f) => (f.action.do === 'refuse' && f.action.backupLost ? [{ path: f.path, reason: f.action.reason }] : [])),
    stateFile,
  };
}
