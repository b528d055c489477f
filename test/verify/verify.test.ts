// verify against the fake codex (fixtures/fake-codex): real listeners on 127.0.0.1, a real child
// process group, real TLS with the run's CA. Expectations follow what the fake does by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, VerifyOptions, VerifyReport } from '../../src/verify/index.js';
import { alive, portOpen } from '../helpers/process.js';
import { verifyRun } from '../helpers/verify-run.js';

const FAKE = resolve(__dirname, '../../fixtures/fake-codex');
const fake98 = join(FAKE, 'codex-0.98.0');
const fake169 = join(FAKE, 'codex-0.169.0');

let emptyHome: string;
beforeAll(() => {
  emptyHome = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-test-'));
});
afterAll(() => rmSync(emptyHome, { recursive: true, force: true }));

function run(codex: string, opts: Partial<VerifyOptions> & Pick<VerifyOptions, 'approach'>): Promise<VerifyReport> {
  return verifyRun(codex, emptyHome, opts);
}

const brief = (o: Observation): string => `${o.route} ${o.host} ${o.method} ${o.path}`.trim();

describe('verify with the fake codex 0.98.0', () => {
  it('approach a: model API requests arrive on the reverse listener, base URL via env', async () => {
    const r = await run(fake98, { approach: 'a' });
    expect(r.codex.version).toBe('0.98.0');
    expect(r.codex.exitCode).toBe(1);
    expect(r.settings.some((s) => s.startsWith('env OPENAI_BASE_URL=http://127.0.0.1:'))).toBe(true);
    expect(r.settings.some((s) => s.startsWith('config.toml: openai_base_url'))).toBe(false);
    expect(r.settings.some((s) => s.startsWith('config.toml: chatgpt_base_url = "http://127.0.0.1:'))).toBe(true);
    expect(r.observations.map(brief)).toEqual(['reverse api.openai.com POST /v1/responses']);
    expect(r.observations[0]).toMatchObject({ count: 2, listener: 'model-api', channel: 'model-api', predicted: null });
    expect(r.failures).toEqual([]);
  });

  it('approach b: no CA, so the proxy sees the model API refuse our certificate', async () => {
    const r = await run(fake98, { approach: 'b' });
    expect(r.observations.map(brief)).toEqual(['refused api.openai.com CONNECT']);
    expect(r.observations[0]!.error).toMatch(/closed|alert|certificate|reset/);
  });

  it('approach ca with SSL_CERT_FILE: TLS intercepted, requests recorded', async () => {
    const r = await run(fake98, { approach: 'ca', caEnv: 'SSL_CERT_FILE' });
    expect(r.settings).toContain('env SSL_CERT_FILE=<run CA>');
    expect(r.settings.some((s) => s.includes('CODEX_CA_CERTIFICATE'))).toBe(false);
    expect(r.observations.map(brief)).toEqual(['intercepted api.openai.com POST /v1/responses']);
  });

  it('approach ca with CODEX_CA_CERTIFICATE only: a 0.98 codex ignores it and refuses', async () => {
    const r = await run(fake98, { approach: 'ca', caEnv: 'CODEX_CA_CERTIFICATE' });
    expect(r.observations.map(brief)).toEqual(['refused api.openai.com CONNECT']);
  });

  it('ChatGPT sign-in: models are fetched too, on the model base URL (the chatgpt.com listener, as `patch --approach a` sets it)', async () => {
    const r = await run(fake98, { approach: 'a', auth: 'chatgpt' });
    expect(r.settings).toContain('auth.json: fake ChatGPT sign-in');
    const backend = r.listeners.reverse.find((l) => l.name === 'chatgpt')!;
    expect(r.settings).toContain(`env OPENAI_BASE_URL=http://127.0.0.1:${backend.port}/backend-api/codex`);
    expect(r.observations.map(brief).sort()).toEqual([
      'reverse chatgpt.com GET /backend-api/codex/models',
      'reverse chatgpt.com POST /backend-api/codex/responses',
    ]);
    expect(r.observations.every((o) => o.listener === 'chatgpt' && o.channel === 'model-api-chatgpt')).toBe(true);
  });
});

describe('verify with the fake codex 0.169.0', () => {
  it('approach a: base URL via the config key; start-up hosts still go to the proxy and are refused', async () => {
    const r = await run(fake169, { approach: 'a' });
    expect(r.codex.version).toBe('0.169.0');
    expect(r.settings.some((s) => s.startsWith('config.toml: openai_base_url = "http://127.0.0.1:'))).toBe(true);
    expect(r.settings.some((s) => s.startsWith('env OPENAI_BASE_URL'))).toBe(false);
    expect(r.observations.map(brief).sort()).toEqual([
      'refused api.github.com CONNECT',
      'refused chatgpt.com CONNECT',
      'reverse api.openai.com GET /v1/responses',
      'reverse api.openai.com POST /v1/responses',
    ]);
    const ws = r.observations.find((o) => o.method === 'GET' && o.route === 'reverse');
    expect(ws?.upgrade).toBe('websocket');
    const github = r.observations.find((o) => o.host === 'api.github.com');
    expect(github?.candidates).toContain('plugins');
  });

  it('approach ca with CODEX_CA_CERTIFICATE: model API and start-up hosts intercepted', async () => {
    const r = await run(fake169, { approach: 'ca', caEnv: 'CODEX_CA_CERTIFICATE' });
    expect(r.observations.map(brief).sort()).toEqual([
      'intercepted api.github.com GET /repos/openai/plugins',
      'intercepted api.openai.com GET /v1/responses',
      'intercepted api.openai.com POST /v1/responses',
      'intercepted chatgpt.com GET /backend-api/plugins/export/curated',
    ]);
    expect(r.observations.find((o) => o.host === 'chatgpt.com')?.channel).toBe('plugins-sync');
  });

  it('ChatGPT sign-in through the CA route: the model API is on chatgpt.com/backend-api/codex', async () => {
    const r = await run(fake169, { approach: 'ca', auth: 'chatgpt' });
    const paths = r.observations.filter((o) => o.host === 'chatgpt.com').map((o) => `${o.method} ${o.path}`);
    expect(paths.sort()).toEqual([
      'GET /backend-api/codex/models',
      'GET /backend-api/codex/responses',
      'GET /backend-api/plugins/export/curated',
      'POST /backend-api/codex/responses',
    ]);
    expect(r.observations.find((o) => o.path === '/backend-api/codex/models')?.channel).toBe('model-api-chatgpt');
  });
});

describe('verify leaves nothing behind', () => {
  it('after a normal run: listener ports are closed and the child is gone', async () => {
    const r = await run(fake98, { approach: 'a' });
    const ports = [...r.listeners.reverse.map((l) => l.port), r.listeners.proxy.port];
    expect(ports).toHaveLength(3);
    for (const port of ports) expect(await portOpen(port)).toBe(false);
    expect(r.codex.pid).toBeGreaterThan(0);
    expect(alive(r.codex.pid!)).toBe(false);
  });

  it('on timeout: codex that ignores SIGTERM and its grandchild are killed, ports closed', async () => {
    const r = await run(join(FAKE, 'codex-hang'), { approach: 'a', timeoutMs: 1500 });
    expect(r.codex.timedOut).toBe(true);
    const hang = r.observations.find((o) => o.path.startsWith('/v1/fake-hang/'));
    expect(hang?.route).toBe('reverse');
    const grandchild = Number(hang!.path.split('/').pop());
    expect(grandchild).toBeGreaterThan(0);
    expect(alive(r.codex.pid!)).toBe(false);
    expect(alive(grandchild)).toBe(false);
    for (const port of [...r.listeners.reverse.map((l) => l.port), r.listeners.proxy.port]) {
      expect(await portOpen(port)).toBe(false);
    }
  });

  it('a missing codex binary is bad input, and nothing is left listening', async () => {
    await expect(run(join(FAKE, 'no-such-codex'), { approach: 'a' })).rejects.toThrow(/not found or not executable/);
    await expect(run('codex-mitm-no-such-binary', { approach: 'a', env: { PATH: FAKE } })).rejects.toThrow(/not found on PATH/);
  });
});

describe('verify with a user codex home', () => {
  it('never hands the user config programs or credentials to codex', async () => {
    const user = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-user-'));
    try {
      writeFileSync(
        join(user, 'config.toml'),
        [
          'model = "gpt-5"',
          'chatgpt_base_url = "https://example.invalid/backend-api/"',
          'profile = "work"',
          'cli_auth_credentials_store = "keyring"',
          '[mcp_servers.docs]',
          'command = "npx"',
          '[profiles.work]',
          'chatgpt_base_url = "https://example.invalid/other/"',
          '',
        ].join('\n'),
      );
      writeFileSync(join(user, 'auth.json'), '{"OPENAI_API_KEY":"sk-REAL-SECRET"}');
      const r = await run(fake98, { approach: 'ca', codexHome: user, caEnv: 'SSL_CERT_FILE' });
      expect(r.notes).toContain(`config copied from ${join(user, 'config.toml')}`);
      expect(r.notes.some((n) => n.includes('mcp_servers'))).toBe(true);
      expect(r.notes.some((n) => n.includes('chatgpt_base_url'))).toBe(true);
      expect(JSON.stringify(r)).not.toContain('REAL-SECRET');
      // The copied chatgpt_base_url (top level and profile) was removed: nothing went to example.invalid.
      expect(r.observations.some((o) => o.host.includes('example.invalid'))).toBe(false);
      expect(r.observations.map(brief)).toEqual(['intercepted api.openai.com POST /v1/responses']);
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
  });

  it('a broken config.toml is bad input naming the file and line', async () => {
    const user = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-user-'));
    try {
      writeFileSync(join(user, 'config.toml'), 'model = "x"\nthis is = = not toml\n');
      await expect(run(fake98, { approach: 'a', codexHome: user })).rejects.toMatchObject({
        name: 'InputError',
        file: join(user, 'config.toml'),
        line: 2,
      });
    } finally {
      rmSync(user, { recursive: true, force: true });
    }
  });
});
