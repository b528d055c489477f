// The channel model on the bundled fixture, through the real CLI. Expectations come from reading
// fixtures/codex-rs by hand (see the comments), not from the tool's output.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Channel, ScanResult } from '../../src/model.js';
import { FIXTURE, runCli } from '../helpers/run-cli.js';

function scanJson(path: string): ScanResult {
  const r = runCli(['scan', path, '--json', '--no-cache']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ScanResult;
}

describe('channels of fixtures/codex-rs (a 0.115-shaped tree)', () => {
  const result = scanJson(FIXTURE);
  const ch = (id: string): Channel => {
    const c = result.channels!.find((x) => x.id === id);
    if (!c) throw new Error(`no channel ${id}: ${result.channels!.map((x) => x.id).join(', ')}`);
    return c;
  };

  it('knows what the tree can do', () => {
    // Cargo.toml [workspace.package] version; config/src/config_toml.rs has openai_base_url;
    // core/src/model_provider_info.rs still reads OPENAI_BASE_URL; codex-client adds the CA.
    expect(result.capabilities).toMatchObject({
      version: '0.115.0',
      openaiBaseUrlKey: true,
      openaiBaseUrlEnv: true,
      customCaEnv: ['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE'],
      nativeTlsDefault: true,
    });
    expect(result.capabilities!.reqwestFeatures).toContain('default-tls');
  });

  it('the model API goes through the shared client: A by its overrides, CA by the custom CA', () => {
    const m = ch('model-api');
    expect(m.authMode).toBe('apikey');
    expect(m.hosts).toEqual(['api.openai.com']);
    expect(m.overrides.map((o) => `${o.kind}:${o.name}`)).toEqual(expect.arrayContaining(['env:OPENAI_BASE_URL', 'config:openai_base_url']));
    // config/src/config_toml.rs: `base_url` is a field of ModelProviderInfo (line 31), which
    // rules/rust.toml places under [model_providers.<id>]; openai_base_url is top level (ConfigToml)
    expect(m.overrides.find((o) => o.name === 'base_url')?.path).toBe('model_providers.<id>.base_url');
    expect(m.overrides.find((o) => o.name === 'openai_base_url')?.path).toBeUndefined();
    expect(result.configKeys.find((k) => k.struct === 'ConfigProfile')?.path).toBe('profiles.<name>.chatgpt_base_url');
    expect(m.coverage).toEqual({ a: 'yes', b: 'yes', ca: 'yes' });
    // core/src/default_client.rs: create_client builds at line 17, no_proxy only `if sandboxed`,
    // the CA is added by build_reqwest_client_with_custom_ca; line 25 is its Client::new() fallback.
    expect(m.clients.map((c) => `${c.file}:${c.line}`)).toContain('core/src/default_client.rs:17');
    expect(m.why.ca.join('\n')).toContain('CODEX_CA_CERTIFICATE / SSL_CERT_FILE');
    expect(m.why.ca.join('\n')).toContain('only under a condition');
    expect(ch('model-api-chatgpt').authMode).toBe('chatgpt');
  });

  it('the responses proxy moves only with its --upstream-url flag, which A cannot pass for the user', () => {
    // responses-api-proxy/src/lib.rs: `#[arg(long, default_value = "https://api.openai.com/v1/responses")]`
    // on line 14, above `pub upstream_url: String` on line 15
    const p = ch('responses-proxy');
    expect(p.overrides).toEqual([{ kind: 'flag', name: '--upstream-url', file: 'responses-api-proxy/src/lib.rs', line: 15 }]);
    expect(p.coverage.a).toBe('partial');
    expect(p.why.a[0]).toContain('start it with --upstream-url');
  });

  it('hard-coded hosts without an override cannot be moved by A', () => {
    for (const id of ['telemetry', 'update-check', 'announcement', 'oauth-login', 'feedback']) {
      expect(ch(id).coverage.a, id).toBe('no');
      expect(ch(id).overrides, id).toEqual([]);
    }
  });

  it('the announcement client calls no_proxy() unconditionally (tui/src/tooltips.rs:6): no forward proxy sees it', () => {
    const a = ch('announcement');
    expect(a.coverage.b).toBe('no');
    expect(a.coverage.ca).toBe('no');
    expect(a.why.b.join('\n')).toContain('tui/src/tooltips.rs:6 calls no_proxy()');
  });

  it('with two clients whose CA verdicts differ, each verdict names its client', () => {
    const r = ch('chatgpt-backend');
    expect(r.coverage.ca).toBe('partial');
    expect(r.why.ca).toContain(
      'backend-client/src/client.rs:14: native-tls: Linux yes (OpenSSL reads SSL_CERT_FILE); macOS and Windows no (Security.framework / SChannel use the OS store only)',
    );
    // a factory reaching two sites (the builder and its fallback) is named as the factory
    expect(r.why.ca).toContain('core/src/default_client.rs:14 (client factory create_client): the client adds the CA from CODEX_CA_CERTIFICATE / SSL_CERT_FILE (on every platform)');
    // per platform: Linux by both clients, macOS and Windows by the factory only
    expect(r.platforms).toEqual({ linux: 'yes', macos: 'partial', windows: 'partial' });
    // the same B verdict for both: said once, without a name
    expect(r.why.b[0]).toBe('native-tls trusts the OS store, where B installs the CA (the rebuild is not what makes it work)');
  });

  it('no override: approach A names the URLs (another channel on the same host may have one)', () => {
    expect(ch('plugins-sync').why.a).toEqual(['no env var, config key or flag overrides https://chatgpt.com/backend-api/plugins/export/curated']);
  });

  it('a channel whose endpoints lead to no client is unknown for B and CA, says so and points at verify', () => {
    const o = ch('oauth-login');
    expect(o.clients).toEqual([]);
    expect(o.trace).toBe('unknown');
    expect(o.coverage.b).toBe('unknown');
    expect(o.coverage.ca).toBe('unknown');
    expect(o.why.ca[0]).toContain('no client site or factory is linked to https://auth.openai.com');
    expect(o.why.ca[0]).toContain('codex-mitm verify');
    // no guessed TLS facts, and no CA env list to act on
    expect(o.caEnv).toBeUndefined();
  });

  it('the otel exporter builds its own native-tls client: CA works only where SSL_CERT_FILE does', () => {
    const t = ch('telemetry');
    expect(t.hosts).toEqual(['ab.chatgpt.com']);
    expect(t.clients.map((c) => `${c.file}:${c.line}`)).toEqual(['otel/src/exporter.rs:7']);
    expect(t.coverage.b).toBe('yes');
    expect(t.coverage.ca).toBe('partial');
  });

  it('the token refresh has an env override A does not set, and the custom CA', () => {
    const r = ch('token-refresh');
    expect(r.overrides.map((o) => o.name)).toEqual(['CODEX_REFRESH_TOKEN_URL_OVERRIDE']);
    expect(r.coverage.a).toBe('partial');
    expect(r.coverage.ca).toBe('yes');
  });

  it('recommends CA and names what it misses', () => {
    expect(result.recommendation!.approach).toBe('ca');
    expect(result.recommendation!.misses).toEqual(expect.arrayContaining(['announcement']));
    expect(result.recommendation!.misses).not.toContain('model-api');
  });
});

describe('the same tree without the custom-CA helper (a 0.98-shaped tree)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-nocas-'));
  cpSync(FIXTURE, join(dir, 'codex-rs'), { recursive: true });
  // Without codex-client's sources no client adds a CA from the environment.
  rmSync(join(dir, 'codex-rs', 'codex-client', 'src', 'custom_ca.rs'));
  const result = scanJson(join(dir, 'codex-rs'));

  it('has no custom CA env and recommends A, which misses telemetry, update check and feedback', () => {
    expect(result.capabilities!.customCaEnv).toEqual([]);
    expect(result.channels!.find((c) => c.id === 'model-api')!.coverage.ca).toBe('partial');
    expect(result.recommendation!.approach).toBe('a');
    expect(result.recommendation!.misses).toEqual(expect.arrayContaining(['telemetry', 'update-check', 'feedback']));
  });
});
