// Semver-ish matching of a Cargo version requirement against a rule's range.
// The requirement's lowest admissible version ("0.12" -> 0.12.0, "^1.7" -> 1.7.0, "=0.28.0") is
// tested against the range: comparators joined by "," (and) or "||" (or); "*" matches anything.

import { compareKeys as cmp, versionIn as parseVersion } from '../../util/versions.js';

type V = [number, number, number];

/** Lowest version a Cargo requirement admits; undefined for "*", git/path-only or unreadable requirements. */
export function lowestVersion(req: string | undefined): V | undefined {
  if (!req || req.trim() === '*') return undefined;
  // For multi-comparator requirements (">=0.12, <0.14") the lower bound is the first one.
  return parseVersion(req);
}

export function versionInRange(req: string | undefined, range: string): boolean {
  const r = range.trim();
  if (r === '*' || r === '') return true;
  const v = lowestVersion(req);
  if (!v) return false;
  return r.split('||').some((alt) =>
    alt
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '')
      .every((c) => {
        const m = /^(>=|<=|>|<|=)?\s*(.+)$/.exec(c);
        const bound = m ? parseVersion(m[2]!) : undefined;
        if (!m || !bound) return false;
        const d = cmp(v, bound);
        switch (m[1]) {
          case '>=':
            return d >= 0;
          case '<=':
            return d <= 0;
          case '>':
            return d > 0;
          case '<':
            return d < 0;
          default:
            return d === 0;
        }
      }),
  );
}
