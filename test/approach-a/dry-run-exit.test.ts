// `patch --dry-run` and `unpatch --dry-run` on a codex home exit as the real run would: a read-only
// config.toml (to patch or to restore) is exit 2 for both.
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { expectOneLine, PATCH_A, sandboxes } from './helpers.js';

const sandbox = sandboxes();


describe('patch --dry-run exits as the real run', () => {
  it('--dry-run exits 2 where the real run does: a read-only config.toml (before: 0)', async () => {
    const sb = await sandbox();
    await sb.write('config.toml', 'model = "o3"\n');
    await fs.chmod(join(sb.home, 'config.toml'), 0o444);
    const dry = sb.cli([...PATCH_A, '--codex-home', sb.home, '--dry-run']);
    const real = sb.cli([...PATCH_A, '--codex-home', sb.home]);
    expect(real.code).toBe(2);
    expect(dry.code).toBe(real.code);
    expectOneLine(dry.stderr);
  });
});

describe('unpatch --dry-run exits as the real run', () => {
  it('a read-only file to restore: both exit 2 (before: the dry run said 0)', async () => {
    const sb = await sandbox();
    await sb.write('config.toml', 'model = "o3"\n');
    expect(sb.cli([...PATCH_A, '--codex-home', sb.home]).code).toBe(0);
    await fs.chmod(join(sb.home, 'config.toml'), 0o444);
    const dry = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home, '--dry-run']);
    const real = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(real.code).toBe(2);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('a real run would refuse');
  });
});
