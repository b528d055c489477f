// Checks that an earlier patch's state still describes the files on disk.
import { InputError, type Approach } from '../../model.js';
import { assertPlainPath } from './trust.js';
import { absPath, readBackup, readCurrent, readState, sha256, stateDirOf, stateFileOf, type PatchState } from './state.js';

/** Throws InputError when a recorded file is neither original nor patched, when a backup is missing
 *  or corrupted, or when the state is unreadable / of another version. Returns the state (if any). */
export async function verifyState(target: string, approach: Approach, stateDir?: string): Promise<PatchState | undefined> {
  const state = await readState(target, approach, stateDir);
  if (!state) return undefined;
  const file = stateFileOf(target, approach, stateDir);
  for (const f of state.files) {
    const abs = absPath(target, f.path);
    await assertPlainPath(target, f.path, f.path);
    const cur = await readCurrent(abs);
    const h = cur === null ? null : sha256(cur);
    if (!(h === f.before || h === f.after || (h !== null && f.earlier.includes(h)))) {
      throw new InputError(
        `${f.path} changed since the earlier patch recorded in ${file}; run \`codex-mitm unpatch --approach ${approach}\` (with --force to discard the edits) first`,
        abs,
      );
    }
    if (f.existed) await readBackup(stateDirOf(target, stateDir), f, file);
  }
  return state;
}
