// After an edit: parse old and new text with smol-toml and check that the only semantic
// difference is the intended one (feature strings swapped inside `features` arrays).
import { parse } from 'smol-toml';

export interface Substitution {
  from: string;
  to: string;
}

export interface LeafDiff {
  path: Array<string | number>;
  a: unknown;
  b: unknown;
}

/** Structural differences between two parsed TOML documents (leaf by leaf). */
export function tomlDiff(a: unknown, b: unknown, path: Array<string | number> = [], out: LeafDiff[] = []): LeafDiff[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push({ path, a: `array of ${a.length}`, b: `array of ${b.length}` });
    else a.forEach((x, i) => tomlDiff(x, b[i], [...path, i], out));
    return out;
  }
  if (isTable(a) && isTable(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) {
      out.push({ path, a: `keys ${ka.join(',')}`, b: `keys ${kb.join(',')}` });
      return out;
    }
    for (const k of ka) tomlDiff(a[k], b[k], [...path, k], out);
    return out;
  }
  if (leafKey(a) !== leafKey(b)) out.push({ path, a, b });
  return out;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function leafKey(v: unknown): string {
  if (v instanceof Date) return `date:${String(v)}`;
  return `${typeof v}:${String(v)}`;
}

/** Why `newText` is not exactly `oldText` with `subs` applied to feature strings; undefined when it is. */
export function unintendedDifference(oldText: string, newText: string, subs: Substitution[]): string | undefined {
  let a: unknown;
  let b: unknown;
  try {
    a = parse(oldText);
  } catch (err) {
    return `the original does not parse: ${(err as Error).message.split('\n')[0]}`;
  }
  try {
    b = parse(newText);
  } catch (err) {
    return `the edited text does not parse: ${(err as Error).message.split('\n')[0]}`;
  }
  const diffs = tomlDiff(a, b);
  const want = subs.map((s) => `${s.from}\u0000${s.to}`).sort();
  const got: string[] = [];
  for (const d of diffs) {
    const parent = d.path[d.path.length - 2];
    // a dependency's `features = [...]`, or a crate's own `[features] name = ["dep/feature"]`
    const featureList = parent === 'features' || (d.path.length === 3 && d.path[0] === 'features');
    if (typeof d.a !== 'string' || typeof d.b !== 'string' || !featureList || typeof d.path[d.path.length - 1] !== 'number') {
      return `unexpected change at ${d.path.join('.') || '(root)'}: ${JSON.stringify(d.a)} -> ${JSON.stringify(d.b)}`;
    }
    got.push(`${d.a}\u0000${d.b}`);
  }
  got.sort();
  if (got.length !== want.length || got.some((g, i) => g !== want[i])) {
    return `expected ${want.length} feature substitution(s), found ${got.length}`;
  }
  return undefined;
}
