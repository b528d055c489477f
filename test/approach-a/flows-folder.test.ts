// The flows folder (codex-mitm-flows in the codex home, made 0700 for the flow files): a symbolic
// link or a file in its place is refused before anything is written.
import { describe, expect, it } from 'vitest';
import { promises as fs, existsSync } from 'node:fs';
import { join } from 'node:path';
import { expectOneLine, PATCH_A, sandboxes } from './helpers.js';

const sandbox = sandboxes();


describe('patch --approach a checks the flows folder first', () => {
  it('a symlinked flows folder is refused before anything is written (before: its target was chmod 0700)', async () => {
    const sb = await sandbox();
    const target = join(sb.dir, 'elsewhere');
    await fs.mkdir(target, { mode: 0o755 });
    await fs.chmod(target, 0o755);
    await fs.symlink(target, join(sb.home, 'codex-mitm-flows'));
    await sb.write('config.toml', 'model = "o3"\n');
    const r = sb.cli([...PATCH_A, '--codex-home', sb.home]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('codex-mitm-flows: is a symbolic link');
    expect((await fs.stat(target)).mode & 0o777).toBe(0o755);
    expect(await sb.read('config.toml')).toBe('model = "o3"\n');
  });

  it('a file in the flows folder\'s place is refused before config.toml is written (before: failed after)', async () => {
    const sb = await sandbox();
    await sb.write('codex-mitm-flows', 'x');
    await sb.write('config.toml', 'model = "o3"\n');
    const r = sb.cli([...PATCH_A, '--codex-home', sb.home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('codex-mitm-flows: is not a folder');
    expect(await sb.read('config.toml')).toBe('model = "o3"\n');
    expect(existsSync(join(sb.home, '.codex-mitm'))).toBe(false);
  });
});
