// Two patch runs at once on one folder: the second waits for the first, then refuses.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO } from '../helpers/run-cli.js';
import { sandbox, writeCa, type Sandbox } from '../approach-a/helpers.js';
import { withLock } from '../../src/patch/engine/lock.js';

let sb: Sandbox | undefined;
let sleeper: ChildProcess | undefined;
afterEach(async () => {
  sleeper?.kill();
  sleeper = undefined;
  await sb?.cleanup();
  sb = undefined;
});

function cliAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const A = ['patch', '--approach', 'a', '--codex-version', '0.125.0', '--auth', 'apikey'];

describe('the patch lock', () => {
  it('a run while another holds the lock waits, then refuses with one line and writes nothing', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'model = "o3"\n');
    sleeper = spawn('sleep', ['30']);
    await fs.writeFile(join(sb.home, '.codex-mitm.lock'), `${sleeper.pid} ${hostname()}\n`);
    const t0 = Date.now();
    const r = sb.cli([...A, '--codex-home', sb.home], { CODEX_MITM_LOCK_WAIT_MS: '400' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`another codex-mitm run (pid ${sleeper.pid}) is patching`);
    expect(await sb.read('config.toml')).toBe('model = "o3"\n');
    expect(existsSync(join(sb.home, '.codex-mitm'))).toBe(false);
  });

  it('a lock left by a run that died is taken over, and released after the run', async () => {
    sb = await sandbox();
    await fs.writeFile(join(sb.home, '.codex-mitm.lock'), `999999999 ${hostname()}\n`);
    const r = sb.cli([...A, '--codex-home', sb.home], { CODEX_MITM_LOCK_WAIT_MS: '400' });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(sb.home, '.codex-mitm.lock'))).toBe(false);
  });

  it('a and ca started at once never end with both applied, and unpatch gives back the original bytes (before: both applied)', async () => {
    sb = await sandbox();
    const ca = join(sb.dir, 'ca.pem');
    await writeCa(ca);
    const orig = 'model = "o3"\n[tui]\nx = 1\n';
    for (let round = 0; round < 3; round++) {
      await sb.write('config.toml', orig);
      const env = { PATH: sb.bin, HOME: sb.userHome, CODEX_HOME: '' };
      const [ra, rc] = await Promise.all([
        cliAsync([...A, '--codex-home', sb.home, '--model-port', String(9100 + round)], env),
        cliAsync(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.125.0', '--ca', ca], env),
      ]);
      for (const r of [ra, rc]) if (r.code !== 0) expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      const cfg = (await sb.read('config.toml')) ?? '';
      const envFile = await sb.read('codex-mitm.env');
      const blocks = (cfg.match(/# >>> codex-mitm \(managed\) >>>/g) ?? []).length;
      const applied = [/approach=a\b/.test(cfg) || /approach=a\b/.test(envFile ?? '') ? 'a' : '', /approach=ca\b/.test(envFile ?? '') || /approach=ca\b/.test(cfg) ? 'ca' : ''].filter(Boolean);
      expect(blocks).toBeLessThanOrEqual(1);
      expect(applied.length, `${cfg}\n---\n${envFile}`).toBeLessThanOrEqual(1);
      for (const a of applied) {
        const u = sb.cli(['unpatch', '--approach', a, '--codex-home', sb.home]);
        expect(u.code, u.stderr).toBe(0);
      }
      expect(await sb.read('config.toml')).toBe(orig);
      expect(await sb.read('codex-mitm.env')).toBeNull();
    }
  });

  it('is re-entrant within one process', async () => {
    sb = await sandbox();
    const out = await withLock(sb.home, () => withLock(sb!.home, async () => existsSync(join(sb!.home, '.codex-mitm.lock'))));
    expect(out).toBe(true);
    expect(existsSync(join(sb.home, '.codex-mitm.lock'))).toBe(false);
  });
});
