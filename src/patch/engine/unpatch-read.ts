// Reads what `unpatch` decides from: the trusted state, each recorded file's bytes and its backup,
// every path checked first (no link on the way, regular files only); and, once decided, whether the
// files it changes can be written.
import { resolve } from 'node:path';
import { InputError, type Approach } from '../../model.js';
import { unwritableReason } from './atomic.js';
import { assertPlainPath } from './trust.js';
import { absPath, readCurrent, readState, stateDirOf, stateFileOf, storedPath, tryReadBackup, type PatchState } from './state.js';
import { changes, type UnpatchFileInput, type UnpatchPlan } from './unpatch-plan.js';

export interface UnpatchRead {
  root: string;
  stateDir: string;
  stateFile: string;
  /** The state file relative to the target, as messages show it. */
  stateRel: string;
  state: PatchState;
  files: UnpatchFileInput[];
}

/** Throws InputError when no state is recorded, when it is not trusted (trust.ts), or when a
 *  recorded path goes through a link or is not a regular file — before any file is read. */
export async function readUnpatch(target: string, approach: Approach, stateDirOpt?: string): Promise<UnpatchRead> {
  const root = resolve(target);
  const stateDir = stateDirOf(root, stateDirOpt);
  const stateFile = stateFileOf(root, approach, stateDirOpt);
  const state = await readState(root, approach, stateDirOpt);
  if (!state) throw new InputError(`no approach ${approach} patch is recorded here (${stateFile} not found); nothing to unpatch`, root);
  for (const f of state.files) await assertPlainPath(root, f.path, f.path);
  const files: UnpatchFileInput[] = [];
  for (const f of state.files) {
    const path = absPath(root, f.path);
    const backup = f.existed ? await tryReadBackup(stateDir, f) : undefined;
    files.push({ entry: f, path, current: await readCurrent(path), ...(backup ? { backup } : {}) });
  }
  return { root, stateDir, stateFile, stateRel: storedPath(root, stateFile), state, files };
}

/** Why files the plan writes or deletes could not be: one line each; empty when all can. */
export async function unpatchProblems(plan: UnpatchPlan): Promise<string[]> {
  const problems: string[] = [];
  for (const f of plan.files) {
    if (!changes(f.action)) continue;
    const why = f.action.do === 'delete' ? await removableReason(f.path) : await unwritableReason(f.path);
    if (why) problems.push(why);
  }
  return problems;
}

async function removableReason(path: string): Promise<string | undefined> {
  const cur = await readCurrent(path);
  if (cur === null) return undefined;
  return unwritableReason(path);
}
