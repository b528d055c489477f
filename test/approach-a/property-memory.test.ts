// Property, in memory (no disk, no fsync): for 1,200 generated config.toml files
// (generated-configs.ts), the approach a plan parses, changes exactly the intended keys, and
// patch -> unpatch returns the exact bytes (the engine's backup and restore, and the marker-only
// fallback). property.test.ts runs more seeds through the engine on disk.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { changedFiles, type Plan } from '../../src/patch/engine/plan.js';
import { checkPlan, planCase } from './generated-configs.js';

/**
 * applyPlan then unpatchState on a codex home held in memory (file name -> bytes), as the engine
 * does them on disk: the patch goes ahead only when every file it writes is in the home and still
 * holds the plan's old text (absent when that is null), keeps those bytes as the file's backup and
 * writes the new text; unpatch puts every backup back and removes the files the patch created.
 */
function patchThenUnpatch(home: string, files: Map<string, Buffer>, plan: Plan, ctx: string): Map<string, Buffer> {
  const now = new Map(files);
  const backups = new Map<string, Buffer | null>();
  for (const f of changedFiles(plan)) {
    expect(f.path, ctx).toBe(join(home, f.display));
    const cur = now.get(f.display) ?? null;
    expect(cur, `${ctx}: ${f.display} changed since the plan was made`).toEqual(f.oldText === null ? null : Buffer.from(f.oldText, 'utf8'));
    backups.set(f.display, cur);
    now.set(f.display, Buffer.from(f.newText, 'utf8'));
  }
  for (const [name, bytes] of backups) {
    if (bytes === null) now.delete(name);
    else now.set(name, bytes);
  }
  return now;
}

describe('approach a/ca: patch -> unpatch is byte-exact over generated configs, in memory', () => {
  it('holds for 1,200 seeded configs', () => {
    let checked = 0;
    let skipped = 0;
    let inPlace = 0;
    let crlf = 0;
    for (let seed = 1; seed <= 1200; seed++) {
      const home = `/nonexistent/cm-prop-a/h${seed}`;
      const c = planCase(seed, home);
      if (!c) {
        skipped++;
        continue;
      }
      const s = checkPlan(c);
      if (s.inPlace) inPlace++;
      if (s.crlf) crlf++;
      const before = new Map<string, Buffer>(c.g.text === null ? [] : [['config.toml', Buffer.from(c.g.text, 'utf8')]]);
      const after = patchThenUnpatch(home, before, c.plan, c.ctx);
      expect(after.get('config.toml')?.toString('utf8') ?? null, c.ctx).toBe(c.g.text);
      expect([...after.keys()], c.ctx).toEqual(c.g.text === null ? [] : ['config.toml']);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(1000);
    expect(skipped).toBeLessThan(60);
    expect(inPlace).toBeGreaterThan(100);
    expect(crlf).toBeGreaterThan(100);
  });
});
