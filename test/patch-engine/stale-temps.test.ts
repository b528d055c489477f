// Temp files a killed run left beside a file it writes (`.<name>.<pid>.<random>.tmp`) are removed by
// the next applyPlan and unpatchState.
import { describe, expect, it } from 'vitest';
import { promises as fs, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxes } from '../approach-a/helpers.js';
import { applyPlan, unpatchState } from '../../src/patch/engine/apply.js';

const sandbox = sandboxes();

describe('stale temp files', () => {
  it('temp files a killed run left beside a file are removed by the next patch and unpatch (before: kept forever)', async () => {
    const sb = await sandbox();
    const f = join(sb.home, 'x.toml');
    await fs.writeFile(f, 'a\n');
    const stale = (n: number) => join(sb.home, `.x.toml.99999999${n}.abcdefabcdef.tmp`);
    await fs.writeFile(stale(1), 'a'.repeat(1 << 16));
    const plan = { approach: 'b' as const, target: sb.home, files: [{ path: f, display: 'x.toml', oldText: 'a\n', newText: 'b\n', reasons: [] }], notes: [], nextSteps: [] };
    await applyPlan(plan);
    expect(existsSync(stale(1))).toBe(false);
    await fs.writeFile(stale(2), 'b');
    await unpatchState(sb.home, 'b');
    expect(existsSync(stale(2))).toBe(false);
    expect(await fs.readFile(f, 'utf8')).toBe('a\n');
  });
});
