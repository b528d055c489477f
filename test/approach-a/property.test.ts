// Property, on disk: for 40 more generated config.toml files (generated-configs.ts, seeds after
// the 1,200 of property-memory.test.ts), the approach a plan parses and changes exactly the
// intended keys, and patch -> unpatch through the engine (applyPlan, unpatchState: real files,
// backups, state and fsync) returns the exact bytes and leaves nothing else in the codex home.
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, unpatchState } from '../../src/patch/engine/apply.js';
import { checkPlan, planCase } from './generated-configs.js';

describe('approach a/ca: patch -> unpatch is byte-exact over generated configs', () => {
  it('holds for 40 seeded configs through the engine on disk', async () => {
    const root = await fs.mkdtemp(join(tmpdir(), 'cm-prop-a-'));
    let checked = 0;
    let skipped = 0;
    let inPlace = 0;
    let crlf = 0;
    let ca = 0;
    let absent = 0;
    try {
      for (let seed = 1201; seed <= 1240; seed++) {
        const home = join(root, `h${seed}`);
        await fs.mkdir(home);
        const c = planCase(seed, home);
        if (!c) {
          skipped++;
          continue;
        }
        const { ctx, g, approach, plan } = c;
        const s = checkPlan(c);
        if (s.inPlace) inPlace++;
        if (s.crlf) crlf++;
        if (approach === 'ca') ca++;
        if (g.text === null) absent++;
        if (g.text !== null) await fs.writeFile(join(home, 'config.toml'), g.text);
        const stateDir = join(home, '.codex-mitm');
        await applyPlan(plan, { stateDir });
        await unpatchState(home, approach, { stateDir });
        const after = await fs.readFile(join(home, 'config.toml'), 'utf8').catch(() => null);
        expect(after, ctx).toBe(g.text);
        expect(await fs.readdir(home), ctx).toEqual(g.text === null ? [] : ['config.toml']);
        await fs.rm(home, { recursive: true });
        checked++;
      }
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
    // The few seeds on disk still cover both approaches, CRLF, an in-place value and no config.toml.
    expect(checked).toBeGreaterThanOrEqual(35);
    expect(skipped).toBeLessThan(5);
    expect(ca).toBeGreaterThan(0);
    expect(crlf).toBeGreaterThan(0);
    expect(inPlace).toBeGreaterThan(0);
    expect(absent).toBeGreaterThan(0);
  }, 300_000);
});
