// codex versions: `0.171.0`, `rust-v0.171.0`, `v0.171.0`, with or without a pre-release tail.

/** [major, minor, patch] of a version or tag, undefined when it is none. */
export function versionKey(s: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(s.trim().replace(/^rust-v/, ''));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** [major, minor, patch] of the first version inside a Cargo requirement (`^1.7` -> 1.7.0, `>=0.12` -> 0.12.0). */
export function versionIn(s: string): [number, number, number] | undefined {
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(s);
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

/** Order of two [major, minor, patch] keys. */
export function compareKeys(a: readonly number[], b: readonly number[]): number {
  return a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
}

/** Numeric comparison of X.Y.Z (pre-release tails ignored; a non-version counts as 0.0.0). */
export function compareVersions(a: string, b: string): number {
  const ka = versionKey(a) ?? [0, 0, 0];
  const kb = versionKey(b) ?? [0, 0, 0];
  return compareKeys(ka, kb);
}
