// `codex-mitm capture` and `show` through the real CLI with the fake codex (fixtures/fake-codex)
// and the loopback stub upstream: both approaches record what the fake sends; bad input is exit 2.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Har } from '../../src/capture/har.js';
import { runCli } from '../helpers/run-cli.js';
import { startStubUpstream, type StubUpstream } from '../helpers/stub-upstream.js';

const ROOT = resolve(__dirname, '../..');
const FAKE = join(ROOT, 'fixtures/fake-codex');

function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/codex-mitm.js'), ...args], { cwd: env.WORK ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => res({ status, stdout, stderr }));
  });
}

describe('codex-mitm capture with the fake codex', { timeout: 60_000 }, () => {
  let stub: StubUpstream;
  let dir: string;
  let stubCa: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    stub = await startStubUpstream();
    dir = mkdtempSync(join(tmpdir(), 'codex-mitm-capture-cli-'));
    stubCa = join(dir, 'stub-ca.pem');
    writeFileSync(stubCa, stub.caPem);
    env = { PATH: process.env.PATH ?? '', HOME: dir, CODEX_HOME: join(dir, 'none'), CODEX_MITM_CONFIG_DIR: join(dir, 'cfg'), CODEX_MITM_STATE_DIR: join(dir, 'state'), WORK: dir };
  });
  afterAll(async () => stub?.stop());

  const har = (out: string): Har => JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.har'))!), 'utf8')) as Har;

  it('default approach by version (ca for 0.169), default folder under the state dir; forwarded to the stub', async () => {
    const r = await cli(['capture', '--codex', join(FAKE, 'codex-0.169.0'), '--upstream', `*=127.0.0.1:${stub.port}`, '--upstream-ca', stubCa, '--', 'exec', 'hi'], env);
    expect(r.stderr).toContain('note: approach ca (codex 0.169.0 reads CODEX_CA_CERTIFICATE)');
    const out = join(dir, 'state', 'captures');
    const entries = har(out).log.entries;
    const model = entries.find((e) => e.request.method === 'POST' && e.request.url === 'https://api.openai.com/v1/responses');
    expect(model).toMatchObject({ _channel: 'model-api', _route: 'tunnel', response: { status: 200 } });
    expect(r.stderr).toMatch(/look at it: codex-mitm show .*\.har/);
  });

  it('approach a: the model API goes through a reverse listener, recorded as its upstream URL', async () => {
    const out = join(dir, 'a');
    const r = await cli(['capture', '--codex', join(FAKE, 'codex-0.169.0'), '--approach', 'a', '--out', out, '--upstream', `*=127.0.0.1:${stub.port}`, '--upstream-ca', stubCa, '--', 'exec', 'hi'], env);
    expect(r.stderr).toContain('reverse listeners http://127.0.0.1:');
    const model = har(out).log.entries.find((e) => e.request.method === 'POST' && e.request.url === 'https://api.openai.com/v1/responses');
    expect(model).toMatchObject({ _channel: 'model-api', _route: 'reverse:model-api', response: { status: 200 } });
  });

  it('a new file per run: an earlier recording is never overwritten', async () => {
    const out = join(dir, 'twice');
    for (let i = 0; i < 2; i++) await cli(['capture', '--codex', join(FAKE, 'codex-0.169.0'), '--out', out, '--upstream', `*=127.0.0.1:${stub.port}`, '--upstream-ca', stubCa, '--', 'exec', 'hi'], env);
    expect(readdirSync(out).filter((f) => f.endsWith('.har'))).toHaveLength(2);
  });

  it('show: per-channel table and request list; --channel filters; a bad file is exit 2', async () => {
    const out = join(dir, 'a');
    const file = join(out, readdirSync(out).find((f) => f.endsWith('.har'))!);
    const r = runCli(['show', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^channel\s+requests\s+bytes/m);
    expect(r.stdout).toContain('POST   200  model-api');
    const none = runCli(['show', file, '--channel', 'no-such']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^codex-mitm: .*no request of channel "no-such"/);
    const bad = runCli(['show', join(ROOT, 'package.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/package\.json.*not a HAR file/);
  });

  it('bad --upstream and --home are exit 2 with one line', async () => {
    const r = runCli(['capture', '--codex', join(FAKE, 'codex-0.169.0'), '--upstream', 'nonsense']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(runCli(['capture', '--home', 'mine']).code).toBe(2);
  });
});

describe('capture --home user with the fake codex', { timeout: 60_000 }, () => {
  it("runs in the user's codex home with programs switched off by -c and the CA env set; a provider auth command is refused", async () => {
    const stub = await startStubUpstream();
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-capture-user-'));
    try {
      const home = join(dir, 'codex');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(home);
      writeFileSync(join(home, 'config.toml'), 'model = "o3"\nnotify = ["say", "done"]\n[mcp_servers.fs]\ncommand = "npx"\n');
      const stubCa = join(dir, 'stub-ca.pem');
      writeFileSync(stubCa, stub.caPem);
      const dump = join(dir, 'seen.json');
      const env = { PATH: process.env.PATH ?? '', HOME: dir, CODEX_HOME: home, CODEX_MITM_CONFIG_DIR: join(dir, 'cfg'), FAKE_CODEX_DUMP_CONFIG: dump, WORK: dir };
      const args = ['capture', '--home', 'user', '--codex', join(FAKE, 'codex-0.169.0'), '--out', join(dir, 'out'), '--upstream', `*=127.0.0.1:${stub.port}`, '--upstream-ca', stubCa, '--', 'exec', 'hi'];
      const r = await cli(args, env);
      expect(r.stderr).toContain('note: codex runs with mcp_servers={}, notify=[]');
      const seen = JSON.parse(readFileSync(dump, 'utf8')) as { config: Record<string, unknown>; env: Record<string, string> };
      expect(seen.config).toMatchObject({ model: 'o3', notify: [], mcp_servers: {} });
      expect(seen.env.CODEX_HOME).toBe(home);
      expect(seen.env.CODEX_CA_CERTIFICATE).toBe(join(dir, 'cfg', 'ca', 'codex-mitm-ca.pem'));
      expect(seen.env.GIT_SSL_CAINFO).toBe(seen.env.CODEX_CA_CERTIFICATE);
      expect(readFileSync(join(home, 'config.toml'), 'utf8')).toContain('notify = ["say", "done"]');

      // approach a in the user's home: the planner's base URLs as -c overrides, nothing written
      const a = await cli(['capture', '--home', 'user', '--approach', 'a', ...args.slice(3)], env);
      expect(a.stderr).toMatch(/note: codex runs with mcp_servers=\{\}, notify=\[\], chatgpt_base_url="http:\/\/127\.0\.0\.1:\d+\/backend-api\/", openai_base_url="http:\/\/127\.0\.0\.1:\d+\/v1"/);
      const seenA = JSON.parse(readFileSync(dump, 'utf8')) as { config: Record<string, string>; env: Record<string, string> };
      expect(seenA.config.openai_base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(seenA.env.CODEX_CA_CERTIFICATE).toBeUndefined();
      expect(readFileSync(join(home, 'config.toml'), 'utf8')).not.toContain('openai_base_url');

      writeFileSync(join(home, 'config.toml'), '[model_providers.corp]\nbase_url = "https://x"\n[model_providers.corp.auth]\ncommand = "get-token"\n');
      const refused = await cli(args, env);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/config\.toml: `model_providers\.corp\.auth` runs a program .* use --home throwaway/);
      expect(readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.har'))).toHaveLength(2);
    } finally {
      await stub.stop();
    }
  });
});
