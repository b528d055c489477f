// receivers() finds the receivers of fallback calls from the method name backwards; it must give
// exactly what the plain regex it replaced gives, on hand-written edge cases and on every file of
// the fixture tree.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { receivers } from '../../src/scan/rust/extract.js';

const REGEX = /\b([a-z_][a-z0-9_]*)\s*\.\s*(?:or|or_else|unwrap_or|unwrap_or_else|unwrap_or_default|as_deref|filter)\s*\(/g;
const byRegex = (t: string): { index: number; name: string }[] => [...t.matchAll(REGEX)].map((m) => ({ index: m.index!, name: m[1]! }));

function rustFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) rustFiles(p, out);
    else if (e.name.endsWith('.rs')) out.push(p);
  }
  return out;
}

describe('receivers', () => {
  it('matches the regex on edge cases', () => {
    const cases = [
      'let u = base_url.unwrap_or_else(|| DEFAULT.to_string());',
      'let u = cfg.base_url.or(profile.base_url);', // field receivers: `base_url` after a dot counts too
      'x\n    .as_deref()\n    .unwrap_or(DEFAULT)',
      'fooBar.or(x); Foo.or(x); _x1 . filter (p); 9lives.or(x)',
      'a.or(b.or(c)).unwrap_or_default()',
      'self.chatgpt_base_url.clone().or_else(|| None)',
      'v.order(x); v.or_else_if(x); v.orx(y)',
      'é.or(x); résumé_url.or(x)',
      '.or(x) at the start',
    ];
    for (const c of cases) expect(receivers(c), c).toEqual(byRegex(c));
    expect(receivers(cases[0]!)).toEqual([{ index: 8, name: 'base_url' }]);
  });

  it('matches the regex on every file of the fixture tree', () => {
    const root = fileURLToPath(new URL('../../fixtures/codex-rs', import.meta.url));
    const files = rustFiles(root);
    expect(files.length).toBeGreaterThan(20);
    let found = 0;
    for (const f of files) {
      const t = readFileSync(f, 'utf8');
      const want = byRegex(t);
      found += want.length;
      expect(receivers(t), f).toEqual(want);
    }
    expect(found).toBeGreaterThan(0);
  });

  it('keeps only receivers that start in the given ranges', () => {
    const t = 'fn a() { x.or(y) }\nfn b() { z.or(w) }\n';
    const second = t.indexOf('fn b');
    const ranges = [{ startIndex: second, endIndex: t.length, startPosition: { row: 1, column: 0 }, endPosition: { row: 2, column: 0 } }];
    expect(receivers(t, ranges).map((r) => r.name)).toEqual(['z']);
  });
});
