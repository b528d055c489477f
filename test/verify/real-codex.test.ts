// Integration: the real @openai/codex from npm, installed once per version into
// ~/.cache/codex-mitm/codex-<version> (or $XDG_CACHE_HOME/codex-mitm), run by verify against
// loopback listeners. Skipped, with the reason printed, only when a version is not cached and the
// npm registry cannot be reached. Nothing here talks to anything but 127.0.0.1 and the registry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, VerifyOptions, VerifyReport } from '../../src/verify/index.js';
import { codexBin, isolationMissing, prepareCodex } from '../helpers/codex-bin.js';
import { alive, portOpen } from '../helpers/process.js';
import { verifyRun } from '../helpers/verify-run.js';

const VERSIONS = ['0.98.0', '0.169.0'] as const;
const bin = codexBin;

// A real codex runs only inside a private network namespace whose only way out is the proxy.
const skipReason = isolationMissing() ?? prepareCodex(VERSIONS);
if (skipReason) console.warn(`skipping real codex verify tests: ${skipReason}`);

// An empty user codex home (one given explicitly must exist).
let emptyHome: string;
beforeAll(() => {
  emptyHome = mkdtempSync(join(tmpdir(), 'codex-mitm-real-codex-home-'));
});
afterAll(() => rmSync(emptyHome, { recursive: true, force: true }));

function verify(version: string, opts: Partial<VerifyOptions> & Pick<VerifyOptions, 'approach'>): Promise<VerifyReport> {
  return verifyRun(bin(version), emptyHome, opts);
}

const find = (r: VerifyReport, route: string, host: string, path: string, method?: string): Observation | undefined =>
  r.observations.find((o) => o.route === route && o.host === host && o.path === path && (!method || o.method === method));

describe.skipIf(Boolean(skipReason))('verify against the real codex', { timeout: 120_000 }, () => {
  it.concurrent('0.98.0, approach a (ChatGPT sign-in): /backend-api/codex/models and /responses on the chatgpt.com listener', async () => {
    const r = await verify('0.98.0', { approach: 'a', auth: 'chatgpt' });
    expect(r.codex.version).toBe('0.98.0');
    const backend = r.listeners.reverse.find((l) => l.name === 'chatgpt')!;
    expect(r.settings).toContain(`env OPENAI_BASE_URL=http://127.0.0.1:${backend.port}/backend-api/codex`);
    expect(find(r, 'reverse', 'chatgpt.com', '/backend-api/codex/models', 'GET')).toMatchObject({ channel: 'model-api-chatgpt', listener: 'chatgpt' });
    expect(find(r, 'reverse', 'chatgpt.com', '/backend-api/codex/responses', 'POST')).toMatchObject({ channel: 'model-api-chatgpt', listener: 'chatgpt' });
    for (const port of [...r.listeners.reverse.map((l) => l.port), r.listeners.proxy.port]) expect(await portOpen(port)).toBe(false);
    expect(alive(r.codex.pid!)).toBe(false);
  });

  it.concurrent('0.98.0, no CA (approach b): the model API refuses our certificate', async () => {
    const r = await verify('0.98.0', { approach: 'b' });
    const refused = find(r, 'refused', 'api.openai.com', '');
    expect(refused?.error).toMatch(/unknown ca|certificate rejected/);
    expect(r.isolated).toBe(true);
    expect(r.observations.some((o) => o.route === 'intercepted')).toBe(false);
  });

  it.concurrent('0.98.0, approach ca with SSL_CERT_FILE: the model API is intercepted', async () => {
    const r = await verify('0.98.0', { approach: 'ca', caEnv: 'SSL_CERT_FILE' });
    expect(find(r, 'intercepted', 'api.openai.com', '/v1/responses', 'POST')).toMatchObject({ channel: 'model-api' });
    expect(r.observations.some((o) => o.route === 'refused' && o.host === 'api.openai.com')).toBe(false);
  });

  it.concurrent('0.169.0, approach ca with CODEX_CA_CERTIFICATE: model API and start-up hosts intercepted', async () => {
    const r = await verify('0.169.0', { approach: 'ca', caEnv: 'CODEX_CA_CERTIFICATE' });
    expect(r.codex.version).toBe('0.169.0');
    expect(find(r, 'intercepted', 'api.openai.com', '/v1/responses', 'POST')).toMatchObject({ channel: 'model-api' });
    expect(find(r, 'intercepted', 'api.github.com', '/repos/openai/plugins', 'GET')).toMatchObject({ channel: 'plugins-sync' });
    expect(r.observations.some((o) => o.route === 'intercepted' && o.host === 'chatgpt.com' && o.path.includes('/plugins/'))).toBe(true);
  });

  it.concurrent('0.169.0, approach a: the config key moves the model API; OPENAI_BASE_URL is not used', async () => {
    const r = await verify('0.169.0', { approach: 'a' });
    expect(r.settings.some((s) => s.startsWith('config.toml: openai_base_url = "http://127.0.0.1:'))).toBe(true);
    expect(r.settings.some((s) => s.startsWith('env OPENAI_BASE_URL'))).toBe(false);
    expect(find(r, 'reverse', 'api.openai.com', '/v1/responses', 'POST')).toBeDefined();
    expect(r.observations.some((o) => o.route !== 'reverse' && o.host === 'api.openai.com')).toBe(false);
    // Start-up channels approach A cannot move still go to the proxy, where our CA is refused.
    expect(find(r, 'refused', 'api.github.com', '')).toBeDefined();
    expect(find(r, 'refused', 'chatgpt.com', '')).toBeDefined();
  });
});
