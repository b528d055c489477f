// codex versions: `0.171.0`, `rust-v0.171.0`, `v0.171.0`, with or without a pre-release tail.

/** [major, minor, patch] of a version or tag, undefined when it is none. */
export function versionKey(s: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(s.trim().replace(/^rust-v/, ''));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** Numeric comparison of X.Y.Z (pre-release tails ignored; a non-version counts as 0.0.0). */
export function compareVersions(a: string, b: string): number {
  const ka = versionKey(a) ?? [0, 0, 0];
  const kb = versionKey(b) ?? [0, 0, 0];
  return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
}
