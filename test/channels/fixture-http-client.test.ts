// The analyzer on fixtures/codex-rs-http, a hand-written tree of the 0.143+ shape (every HTTP client
// built by an `http-client` crate, websockets dialed by `websocket-client`). Expectations come from
// reading that tree by hand (its README's "Expected analysis"), not from the tool's output. Then the
// same tree with its helpers renamed and the crate moved: the verdicts must not change.
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Channel, ScanResult } from '../../src/model.js';
import { REPO, runCli } from '../helpers/run-cli.js';

const TREE = join(REPO, 'fixtures', 'codex-rs-http');

function scanJson(path: string): ScanResult {
  const r = runCli(['scan', path, '--json', '--no-cache']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ScanResult;
}

const finder = (r: ScanResult) => (id: string): Channel => {
  const c = r.channels!.find((x) => x.id === id);
  if (!c) throw new Error(`no channel ${id}: ${r.channels!.map((x) => x.id).join(', ')}`);
  return c;
};

const EVERY = { linux: 'yes', macos: 'yes', windows: 'yes' };

describe('fixtures/codex-rs-http (0.143+ shape)', () => {
  const r = scanJson(TREE);
  const ch = finder(r);

  it('finds the custom CA of the shared builder, and no CA from a probe binary or a debug build', () => {
    // http-client/src/custom_ca.rs reads both through consts and an EnvSource trait; the probe in
    // src/bin/ is not part of codex, CODEX_DEBUG_FAKE_UPDATE sits under #[cfg(debug_assertions)]
    expect(r.capabilities!.customCaEnv).toEqual(['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']);
    expect(r.capabilities!.proxyEnv).toEqual(expect.arrayContaining(['HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY']));
    expect(r.capabilities!.systemProxy?.key).toBe('features.respect_system_proxy');
    const debug = r.envVars.filter((e) => e.name === 'CODEX_DEBUG_FAKE_UPDATE');
    expect(debug.length).toBeGreaterThan(0);
    for (const e of debug) expect(e.debugOnly).toBe(true);
  });

  it('traces the builder through the factory, the builder helpers and the custom-CA helper', () => {
    const f = r.factories!.find((x) => x.name === 'HttpClientFactory::build_client');
    expect(f, JSON.stringify(r.factories!.map((x) => x.name))).toBeDefined();
    expect(f!.tls.rootsAdded).toBe(true);
    expect(f!.tls.customCaEnv).toEqual(['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']);
    // use_rustls_tls only when TlsBackend::Rustls / a CA is set; no_proxy only on the Direct route
    expect(f!.conditionalCalls).toEqual(expect.arrayContaining(['use_rustls_tls', 'no_proxy']));
    expect(f!.sites).toEqual([{ file: 'http-client/src/client_builder.rs', line: 67 }]);
  });

  it('CA captures the model API, ChatGPT backend, analytics and token refresh on every platform', () => {
    for (const id of ['model-api', 'chatgpt-backend', 'analytics', 'token-refresh']) {
      const c = ch(id);
      expect(c.coverage.ca, `${id}: ${c.why.ca.join(' | ')}`).toBe('yes');
      expect(c.platforms, id).toEqual(EVERY);
    }
    expect(r.recommendation!.approach).toBe('ca');
  });

  it('the legacy client that builds reqwest itself is Linux-only under CA, said per platform', () => {
    // chatgpt/src/lib.rs legacy_client(): no custom CA, native-tls; its connectors path is MCP apps
    const m = ch('mcp-apps');
    expect(m.platforms).toEqual({ linux: 'yes', macos: 'no', windows: 'no' });
    expect(m.clients.map((c) => c.file)).toContain('chatgpt/src/lib.rs');
    // ... and it does not leak into the ChatGPT backend, whose paths go through the factory
    expect(ch('chatgpt-backend').clients.map((c) => c.file)).not.toContain('chatgpt/src/lib.rs');
  });

  it('websockets are channels of their own: realtime dials tokio-tungstenite directly', () => {
    const rt = ch('realtime');
    expect(rt.factories?.map((x) => x.name)).toEqual(['RealtimeWebsocketClient::start_session']);
    // tungstenite's rustls with native roots: SSL_CERT_FILE via rustls-native-certs, no CODEX_CA_CERTIFICATE
    expect(rt.caEnv).toEqual([['SSL_CERT_FILE']]);
    expect(rt.overrides.map((o) => o.name)).toContain('experimental_realtime_ws_base_url');
  });

  it('the hidden --experimental_issuer flag is the OAuth login override; telemetry has [otel] keys', () => {
    const o = ch('oauth-login');
    expect(o.overrides).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'flag', name: '--experimental_issuer' })]));
    expect(r.flags?.find((f) => f.name === '--experimental_issuer')?.hidden).toBe(true);
    const t = ch('telemetry');
    expect(t.overrides.map((x) => x.path ?? x.name)).toEqual(expect.arrayContaining(['otel.metrics_exporter']));
  });

  it('an upload to a URL the server hands out is its own channel on (server-provided)', () => {
    const s = ch('server-provided');
    expect(s.hosts).toEqual(['(server-provided)']);
    expect(s.coverage.a).toBe('no');
    expect(s.coverage.ca).toBe('yes');
  });

  it('strings that are never fetched are not endpoints', () => {
    const urls = r.endpoints.map((e) => e.url);
    for (const never of ['cdnjs.cloudflare.com', 'cdn.jsdelivr.net', 'esm.sh', 'unpkg.com', 'fonts.googleapis.com', 'schemas/codex/config.schema.json', 'auth.example-staging.com', 'codex-client-metadata.json', 'chatgpt.com/codex/settings']) {
      expect(urls.filter((u) => u.includes(never)), never).toEqual([]);
    }
  });

  it('OPENAI_BASE_URL read for a sandboxed child is not an override of the model API', () => {
    expect(ch('model-api').overrides.filter((o) => o.name === 'OPENAI_BASE_URL')).toEqual([]);
  });

  it('says how much it traced, and that it is enough here', () => {
    expect(r.tracing!.level).not.toBe('poor');
    expect(r.tracing!.clientSites.resolved).toBe(r.tracing!.clientSites.total);
    expect(r.tracing!.factories).toBeGreaterThan(5);
  });
});

/** Every `from` in every file (and path) of `dir`, replaced by `to`. */
function renameAll(dir: string, pairs: [RegExp, string][]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      renameAll(p, pairs);
      continue;
    }
    let text = readFileSync(p, 'utf8');
    for (const [from, to] of pairs) text = text.replace(from, to);
    writeFileSync(p, text);
  }
}

describe('a refactor of the same shape changes no verdict', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cm-refactor-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const copy = join(tmp, 'codex-rs');
  cpSync(TREE, copy, { recursive: true });
  // the transport crate moves and is renamed; every helper and type gets another name
  renameSync(join(copy, 'http-client'), join(copy, 'net-core'));
  renameAll(copy, [
    [/"http-client"/g, '"net-core"'],
    [/path = "http-client"/g, 'path = "net-core"'],
    [/codex-http-client/g, 'codex-net-core'],
    [/codex_http_client/g, 'codex_net_core'],
    [/build_reqwest_client_with_custom_ca/g, 'finish_with_trust'],
    [/build_reqwest_client_with_env/g, 'finish_from_source'],
    [/maybe_build_rustls_client_config_with_custom_ca/g, 'maybe_tls_config'],
    [/custom_ca/g, 'trust_bundle'],
    [/HttpClientFactory/g, 'NetFactory'],
    [/HttpClientBuilder/g, 'NetBuilder'],
    [/HttpClient\b/g, 'NetClient'],
    [/RouteAwareClientPool/g, 'NetPool'],
    [/base_reqwest_builder/g, 'raw_builder'],
    [/build_respecting_outbound_proxy_policy/g, 'finish'],
    [/\bbuild_client\b/g, 'client_for'],
    [/WebSocketConnector/g, 'SocketDialer'],
  ]);
  const before = scanJson(TREE);
  const after = scanJson(copy);
  const verdicts = (r: ScanResult) =>
    Object.fromEntries(r.channels!.map((c) => [c.id, { ...c.coverage, platforms: c.platforms, trace: c.trace }]));

  it('every channel keeps its A / B / CA verdicts, per platform, and the recommendation', () => {
    expect(verdicts(after)).toEqual(verdicts(before));
    expect(after.recommendation!.approach).toBe(before.recommendation!.approach);
    expect(after.capabilities!.customCaEnv).toEqual(before.capabilities!.customCaEnv);
  });
});
