// config.toml as a file on disk: one that is not UTF-8, too big, or a FIFO is refused at once with
// one line naming it (exit 2); a byte order mark with no root key is patched and unpatched byte
// for byte.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { expectOneLine, PATCH_A, sandboxes } from './helpers.js';

const sandbox = sandboxes();


describe('patch --approach a reads config.toml as a regular UTF-8 file', () => {
  it('a config.toml that is not UTF-8 gets a message saying so, with its line (before: "changed since the plan was made")', async () => {
    const sb = await sandbox();
    await fs.writeFile(join(sb.home, 'config.toml'), Buffer.from('model = "o3"\n# caf\xe9\n', 'latin1'));
    const r = sb.cli([...PATCH_A, '--codex-home', sb.home]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('config.toml:2: is not valid UTF-8');
  });

  it('a 100 MB config.toml is refused at once with its size (before: 289 s and 3 GB)', async () => {
    const sb = await sandbox();
    const fh = await fs.open(join(sb.home, 'config.toml'), 'w');
    await fh.truncate(100 * 1024 * 1024);
    await fh.close();
    const t0 = Date.now();
    const r = sb.cli([...PATCH_A, '--codex-home', sb.home]);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toContain('config.toml: is 104857600 bytes, more than the');
  });

  it('a FIFO config.toml is refused at once, never waited on', async () => {
    const sb = await sandbox();
    execFileSync('mkfifo', [join(sb.home, 'config.toml')]);
    const r = sb.cli([...PATCH_A, '--codex-home', sb.home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config.toml: is not a regular file');
  });

  it('a byte order mark with no root key: patched and unpatched byte for byte (before: refused)', async () => {
    const sb = await sandbox();
    const orig = '\ufeff[tui]\nx = 1\n';
    await sb.write('config.toml', orig);
    const r = sb.cli([...PATCH_A, '--codex-home', sb.home]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]).code).toBe(0);
    expect(await fs.readFile(join(sb.home, 'config.toml'))).toEqual(Buffer.from(orig, 'utf8'));
  });
});
