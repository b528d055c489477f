// The smaller cases of the hardening issue: the flows folder, dry-run exit codes, encodings,
// special files, a byte order mark with no root key, temp files a killed run left behind.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from './helpers.js';
import { applyPlan, unpatchState } from '../../src/patch/engine/apply.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const A = ['patch', '--approach', 'a', '--codex-version', '0.125.0', '--auth', 'apikey'];
const oneLine = (s: string) => expect(s.trim().split('\n')).toHaveLength(1);

describe('hardening: smaller cases', () => {
  it('a symlinked flows folder is refused before anything is written (before: its target was chmod 0700)', async () => {
    sb = await sandbox();
    const target = join(sb.dir, 'elsewhere');
    await fs.mkdir(target, { mode: 0o755 });
    await fs.chmod(target, 0o755);
    await fs.symlink(target, join(sb.home, 'codex-mitm-flows'));
    await sb.write('config.toml', 'model = "o3"\n');
    const r = sb.cli([...A, '--codex-home', sb.home]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain('codex-mitm-flows: is a symbolic link');
    expect((await fs.stat(target)).mode & 0o777).toBe(0o755);
    expect(await sb.read('config.toml')).toBe('model = "o3"\n');
  });

  it('a file in the flows folder\'s place is refused before config.toml is written (before: failed after)', async () => {
    sb = await sandbox();
    await sb.write('codex-mitm-flows', 'x');
    await sb.write('config.toml', 'model = "o3"\n');
    const r = sb.cli([...A, '--codex-home', sb.home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('codex-mitm-flows: is not a folder');
    expect(await sb.read('config.toml')).toBe('model = "o3"\n');
    expect(existsSync(join(sb.home, '.codex-mitm'))).toBe(false);
  });

  it('--dry-run exits 2 where the real run does: a read-only config.toml (before: 0)', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'model = "o3"\n');
    await fs.chmod(join(sb.home, 'config.toml'), 0o444);
    const dry = sb.cli([...A, '--codex-home', sb.home, '--dry-run']);
    const real = sb.cli([...A, '--codex-home', sb.home]);
    expect(real.code).toBe(2);
    expect(dry.code).toBe(real.code);
    oneLine(dry.stderr);
  });

  it('a config.toml that is not UTF-8 gets a message saying so, with its line (before: "changed since the plan was made")', async () => {
    sb = await sandbox();
    await fs.writeFile(join(sb.home, 'config.toml'), Buffer.from('model = "o3"\n# caf\xe9\n', 'latin1'));
    const r = sb.cli([...A, '--codex-home', sb.home]);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain('config.toml:2: is not valid UTF-8');
  });

  it('a 100 MB config.toml is refused at once with its size (before: 289 s and 3 GB)', async () => {
    sb = await sandbox();
    const fh = await fs.open(join(sb.home, 'config.toml'), 'w');
    await fh.truncate(100 * 1024 * 1024);
    await fh.close();
    const t0 = Date.now();
    const r = sb.cli([...A, '--codex-home', sb.home]);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain('config.toml: is 104857600 bytes, more than the');
  });

  it('a FIFO config.toml is refused at once, never waited on', async () => {
    sb = await sandbox();
    execFileSync('mkfifo', [join(sb.home, 'config.toml')]);
    const r = sb.cli([...A, '--codex-home', sb.home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config.toml: is not a regular file');
  });

  it('a byte order mark with no root key: patched and unpatched byte for byte (before: refused)', async () => {
    sb = await sandbox();
    const orig = '\ufeff[tui]\nx = 1\n';
    await sb.write('config.toml', orig);
    const r = sb.cli([...A, '--codex-home', sb.home]);
    expect(r.code, r.stderr).toBe(0);
    expect(sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]).code).toBe(0);
    expect(await fs.readFile(join(sb.home, 'config.toml'))).toEqual(Buffer.from(orig, 'utf8'));
  });

  it('temp files a killed run left beside a file are removed by the next patch and unpatch (before: kept forever)', async () => {
    sb = await sandbox();
    const f = join(sb.home, 'x.toml');
    await fs.writeFile(f, 'a\n');
    const stale = (n: number) => join(sb!.home, `.x.toml.99999999${n}.abcdefabcdef.tmp`);
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

describe('unpatch --dry-run exits as the real run', () => {
  it('a read-only file to restore: both exit 2 (before: the dry run said 0)', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'model = "o3"\n');
    expect(sb.cli([...A, '--codex-home', sb.home]).code).toBe(0);
    await fs.chmod(join(sb.home, 'config.toml'), 0o444);
    const dry = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home, '--dry-run']);
    const real = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(real.code).toBe(2);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('a real run would refuse');
  });
});
