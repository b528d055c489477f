import type { CrateInfo } from '../model.js';

/** The package owning `file` (relative to root): the crate with the longest folder prefix. */
export function crateOf(file: string, crates: readonly CrateInfo[]): string {
  let best: CrateInfo | undefined;
  for (const c of crates) {
    const prefix = c.dir === '' ? '' : `${c.dir}/`;
    if (file.startsWith(prefix) && (!best || c.dir.length > best.dir.length)) best = c;
  }
  return best?.name ?? '';
}
