// Regression tests: approach a with ChatGPT sign-in routes the model API like `patch --approach a`
// does; an explicit --codex-home that does not exist is bad input; channels codex never contacts
// (contacted = false) are never candidates for a bare refused CONNECT.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/model.js';
import { planApproachA } from '../../src/patch/codex-home/plan.js';
import { hostChannelsOf, observe } from '../../src/verify/observe.js';
import { verifyCommand } from '../../src/commands/verify.js';
import { channelOf } from '../helpers/channel.js';
import { verifyRun } from '../helpers/verify-run.js';

const FAKE = resolve(__dirname, '../../fixtures/fake-codex');

const ch = (id: string, hosts: string[], a: Channel['coverage']['a'], extra: Partial<Channel> = {}): Channel =>
  channelOf(id, { hosts, coverage: { a, b: 'no', ca: 'no' }, ...extra });

let dir: string;
let fake125: string;
let emptyHome: string;
let scanJson: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-fixes-'));
  emptyHome = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-fixes-home-'));
  // A current codex (0.125.0): reads `openai_base_url` from $CODEX_HOME/config.toml.
  fake125 = join(dir, 'codex-0.125.0');
  writeFileSync(fake125, `#!/bin/sh\nexec node "${join(FAKE, 'codex.mjs')}" --fake-version 0.125.0 "$@"\n`, { mode: 0o755 });
  scanJson = join(dir, 'scan.json');
  writeFileSync(
    scanJson,
    JSON.stringify({
      schemaVersion: 1,
      capabilities: { version: '0.125.0', openaiBaseUrlKey: true, openaiBaseUrlEnv: false, customCaEnv: ['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE'], reqwestFeatures: [], nativeTlsDefault: true },
      channels: [
        ch('model-api', ['api.openai.com'], 'yes', { authMode: 'apikey' }),
        ch('model-api-chatgpt', ['chatgpt.com'], 'yes', { authMode: 'chatgpt' }),
        ch('plugins', ['chatgpt.com', 'api.github.com'], 'yes'),
        ch('links', ['chatgpt.com', 'api.openai.com'], 'no', { contacted: false }),
      ],
    }),
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyHome, { recursive: true, force: true });
});

describe('verify --approach a --auth chatgpt (codex 0.125.0)', () => {
  it('patches the throwaway home like `patch --approach a`: the model API goes to the chatgpt.com listener', async () => {
    const r = await verifyRun(fake125, emptyHome, { approach: 'a', auth: 'chatgpt', root: scanJson });
    expect(r.codex.version).toBe('0.125.0');
    const model = r.listeners.reverse.find((l) => l.name === 'model-api')!;
    const backend = r.listeners.reverse.find((l) => l.name === 'chatgpt')!;
    // What the patch planner writes for the same auth mode, version and ports.
    const plan = planApproachA({
      home: emptyHome,
      configText: null,
      envText: null,
      auth: 'chatgpt',
      authSource: '--auth',
      target: { version: '0.125.0', source: 'flag' },
      host: '127.0.0.1',
      modelPort: model.port,
      backendPort: backend.port,
      proxyPort: r.listeners.proxy.port,
    });
    const planned = parse(plan.files.find((f) => f.display === 'config.toml')!.newText) as Record<string, string>;
    expect(planned.openai_base_url).toBe(`http://127.0.0.1:${backend.port}/backend-api/codex`);
    expect(r.settings).toContain(`config.toml: openai_base_url = "${planned.openai_base_url}"`);
    expect(r.settings).toContain(`config.toml: chatgpt_base_url = "${planned.chatgpt_base_url}"`);
    expect(r.settings.some((s) => s.startsWith('env OPENAI_BASE_URL'))).toBe(false);

    const post = r.observations.find((o) => o.method === 'POST');
    expect(post).toMatchObject({
      route: 'reverse',
      listener: 'chatgpt',
      host: 'chatgpt.com',
      path: '/backend-api/codex/responses',
      channel: 'model-api-chatgpt',
      predicted: 'yes',
    });
    expect(r.observations.some((o) => o.host === 'api.openai.com' && o.route !== 'not-seen')).toBe(false);
    expect(r.observations.find((o) => o.channel === 'model-api-chatgpt' && o.route === 'not-seen')).toBeUndefined();
    // The refused start-up CONNECT to chatgpt.com never names `links` (codex never fetches those).
    const refused = r.observations.find((o) => o.route === 'refused' && o.host === 'chatgpt.com')!;
    // (`links` would have made the verdict partial and hidden the failure.)
    expect(refused.candidates).toEqual(['model-api-chatgpt', 'plugins']);
    expect(refused.predicted).toBe('yes');
    expect(r.failures.map((o) => o.host).sort()).toEqual(['api.github.com', 'chatgpt.com']);
  });

  it('with an API key the model API stays on the api.openai.com listener at /v1', async () => {
    const r = await verifyRun(fake125, emptyHome, { approach: 'a', auth: 'apikey' });
    const model = r.listeners.reverse.find((l) => l.name === 'model-api')!;
    expect(r.settings).toContain(`config.toml: openai_base_url = "http://127.0.0.1:${model.port}/v1"`);
    expect(r.observations.find((o) => o.method === 'POST')).toMatchObject({ host: 'api.openai.com', path: '/v1/responses', listener: 'model-api' });
  });
});

describe('verify --codex-home that does not exist', () => {
  const io = (env: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    return { out, io: { env, cwd: process.cwd(), stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s) } as never };
  };

  it('is bad input (InputError), before codex is started', async () => {
    const missing = join(dir, 'no-such-home');
    const { io: i, out } = io({ PATH: process.env.PATH });
    await expect(verifyCommand(undefined, { codex: join(FAKE, 'codex-0.98.0'), approach: 'a', codexHome: missing }, i)).rejects.toMatchObject({
      name: 'InputError',
      file: missing,
      message: expect.stringMatching(/does not exist/),
    });
    expect(out).toEqual([]);
  });

  it('a file given as --codex-home is bad input too', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    await expect(verifyRun(join(FAKE, 'codex-0.98.0'), file, { approach: 'a' })).rejects.toMatchObject({ name: 'InputError', message: expect.stringMatching(/not a directory/) });
  });

  it('without --codex-home, a missing $CODEX_HOME still starts from an empty config', async () => {
    const r = await verifyRun(join(FAKE, 'codex-0.98.0'), undefined as never, {
      approach: 'a',
      codexHome: undefined,
      env: { PATH: process.env.PATH, CODEX_HOME: join(dir, 'no-such-default-home'), CODEX_MITM_CONFIG_DIR: process.env.CODEX_MITM_CONFIG_DIR },
    });
    expect(r.notes).toContain('no user config.toml: started from an empty one');
    expect(r.observations.length).toBeGreaterThan(0);
  });
});

describe('candidates of a bare refused CONNECT', () => {
  const refused = { kind: 'tunnel' as const, host: 'chatgpt.com', port: 443, tls: 'refused' as const, error: 'unknown ca', requests: [] };
  const base = { upstreamOf: {}, portOf: {}, approach: 'a' as const };

  it('never include channels codex does not contact', () => {
    const channels = [ch('plugins', ['chatgpt.com'], 'yes'), ch('links', ['chatgpt.com'], 'no', { contacted: false })];
    const obs = observe({ ...base, sightings: [refused], channels, hostChannels: hostChannelsOf(channels) });
    const o = obs.find((x) => x.route === 'refused')!;
    expect(o.candidates).toEqual(['plugins']);
    expect(o.channel).toBe('plugins');
    expect(o.predicted).toBe('yes');
  });

  it('an older scan without `contacted` counts the channel as contacted', () => {
    const { contacted: _c, ...old } = ch('plugins', ['chatgpt.com'], 'yes');
    void _c;
    const channels = [old as Channel, ch('cloud', ['chatgpt.com'], 'no')];
    const obs = observe({ ...base, sightings: [refused], channels, hostChannels: hostChannelsOf(channels) });
    const o = obs.find((x) => x.route === 'refused')!;
    expect(o.candidates).toEqual(['plugins', 'cloud']);
    expect(o.predicted).toBe('partial');
  });

  it('the same holds with the channel rules (no scan)', () => {
    const rules = [
      { id: 'plugins', name: 'Plugins', hosts: ['chatgpt.com'], contacted: true },
      { id: 'links', name: 'Links', hosts: ['chatgpt.com'], contacted: false },
    ];
    expect(hostChannelsOf(rules)('chatgpt.com').map((c) => c.id)).toEqual(['plugins']);
  });
});
