// Approach B unpatch: the engine's restore, with the in-place undo checked as TOML (an edited
// manifest — e.g. an upstream pull — keeps its edits; only the switched feature strings go back).
// Does not load the scanner.
import { unpatchState, type UnpatchResult } from '../engine/apply.js';
import { reverseRecorded } from '../engine/reverse.js';
import type { PatchStateFile } from '../engine/state.js';
import { unintendedDifference } from './toml-check.js';

const unquote = (lit: string) => (lit.length >= 2 && (lit[0] === '"' || lit[0] === "'") ? lit.slice(1, -1) : lit);

/** `current` with the recorded feature switches swapped back, when every recorded string is found
 *  where it was written (same offset, or the same unchanged line) and the result differs from
 *  `current` only by those features (parsed as TOML); undefined otherwise. */
export function reverseManifest(current: Buffer, entry: PatchStateFile): string | undefined {
  const back = reverseRecorded(current, entry);
  if (back === undefined) return undefined;
  const subs = (entry.edits ?? []).flat().map((e) => ({ from: unquote(e.new), to: unquote(e.old) }));
  return unintendedDifference(current.toString('utf8'), back, subs) ? undefined : back;
}

export async function unpatchTreeB(root: string, opts: { force?: boolean; dryRun?: boolean; stateDir?: string } = {}): Promise<UnpatchResult> {
  return unpatchState(root, 'b', { ...opts, reverseEdited: (_abs, current, entry) => reverseManifest(current, entry) });
}
