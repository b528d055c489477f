// Channel model, trust verdicts and recommendation over hand-built facts (no scanner involved).
import { describe, expect, it } from 'vitest';
import { analyse, classifyUrl } from '../../src/channels/index.js';
import type { ProductionFacts } from '../../src/channels/capabilities.js';
import type { ClientSite, CrateInfo, Endpoint, TlsFeature } from '../../src/model.js';

const crate = (name: string, dir: string, deps: string[] = [], devDeps: string[] = []): CrateInfo => ({
  name,
  manifest: `${dir}/Cargo.toml`,
  dir,
  bins: name === 'codex-cli' ? ['codex'] : [],
  deps: [
    ...deps.map((d) => ({ name: d, package: d, table: 'dependencies' as const, path: d.replace('codex-', '') })),
    ...devDeps.map((d) => ({ name: d, package: d, table: 'dev-dependencies' as const, path: d.replace('codex-', '') })),
  ],
});

const feature = (crateName: string, manifest: string, line: number, feat: string, roots: TlsFeature['roots'], extra: Partial<TlsFeature> = {}): TlsFeature => ({
  manifest,
  line,
  crate: crateName,
  test: false,
  dependency: 'reqwest',
  feature: feat,
  roots,
  table: 'dependencies',
  inherited: false,
  ...extra,
});

const client = (file: string, line: number, crateName: string, tls: Partial<ClientSite['tls']> = {}, extra: Partial<ClientSite> = {}): ClientSite => ({
  file,
  line,
  crate: crateName,
  test: false,
  constructor: 'reqwest::Client::builder',
  calls: [],
  tls: { useRustls: false, useNativeTls: false, rootsAdded: false, builtInRootsDisabled: false, acceptsInvalidCerts: false, preconfiguredTls: false, customCaEnv: [], ...tls },
  noProxy: false,
  proxy: false,
  ...extra,
});

const endpoint = (
  url: string,
  file: string,
  line: number,
  crateName: string,
  overrides: Endpoint['overrides'] = [],
  carriers?: Endpoint['carriers'],
): Endpoint => ({
  url,
  host: new URL(url).hostname,
  file,
  line,
  crate: crateName,
  test: false,
  overrides,
  ...(carriers ? { carriers } : {}),
});

// The scanner traces these endpoints to the clients that send them (Endpoint.carriers).
const SHARED = [{ file: 'core/src/default_client.rs', line: 195 }];
const OTEL = [{ file: 'otel/src/exporter.rs', line: 30 }];

/** A 0.98-shaped tree: default-tls unified in, no custom CA, OPENAI_BASE_URL env, chatgpt_base_url key. */
function facts098(): ProductionFacts {
  return {
    crates: [
      crate('codex-cli', 'cli', ['codex-core', 'codex-otel', 'codex-backend-client'], ['codex-app-server']),
      crate('codex-core', 'core'),
      crate('codex-otel', 'otel'),
      crate('codex-backend-client', 'backend-client'),
      crate('codex-app-server', 'app-server'),
    ],
    tlsFeatures: [
      feature('codex-core', 'core/Cargo.toml', 20, 'default-tls', 'native-tls', { implicit: true, inherited: true }),
      feature('codex-otel', 'otel/Cargo.toml', 53, 'rustls-tls', 'webpki'),
      feature('codex-backend-client', 'backend-client/Cargo.toml', 15, 'rustls-tls', 'webpki'),
      feature('codex-app-server', 'app-server/Cargo.toml', 40, 'rustls-tls', 'webpki', { table: 'dev-dependencies', test: true }),
    ],
    clients: [client('core/src/default_client.rs', 195, 'codex-core'), client('otel/src/exporter.rs', 30, 'codex-otel', {}, { constructor: 'reqwest::blocking::Client::builder' })],
    endpoints: [
      endpoint('https://api.openai.com/v1', 'core/src/model_provider_info.rs', 12, 'codex-core', [{ kind: 'env', name: 'OPENAI_BASE_URL', file: 'core/src/model_provider_info.rs', line: 14 }], SHARED),
      endpoint('https://chatgpt.com/backend-api/', 'core/src/config/mod.rs', 88, 'codex-core', [{ kind: 'config', name: 'chatgpt_base_url', file: 'core/src/config/mod.rs', line: 90 }], SHARED),
      endpoint('https://ab.chatgpt.com/otlp/v1/metrics', 'otel/src/config.rs', 6, 'codex-otel', [], OTEL),
      endpoint('https://o1.ingest.us.sentry.io/2', 'feedback/src/lib.rs', 26, 'codex-feedback'),
      endpoint('https://telemetry.example.net/collect', 'otel/src/new.rs', 3, 'codex-otel'),
    ],
    envVars: [{ name: 'OPENAI_BASE_URL', via: 'literal', file: 'core/src/model_provider_info.rs', line: 14, crate: 'codex-core', test: false }],
    configKeys: [{ key: 'chatgpt_base_url', struct: 'ConfigToml', file: 'core/src/config/mod.rs', line: 90, crate: 'codex-core', test: false }],
    factories: [],
    flags: [],
    workspaceVersion: '0.98.0',
  };
}

describe('classifyUrl', () => {
  it('names channels from rules/channels.toml, specific paths first', () => {
    expect(classifyUrl('https://api.openai.com/v1/responses')?.id).toBe('model-api');
    expect(classifyUrl('https://chatgpt.com/backend-api/codex/responses')?.id).toBe('model-api-chatgpt');
    expect(classifyUrl('https://chatgpt.com/backend-api/wham/usage')?.id).toBe('chatgpt-backend');
    expect(classifyUrl('https://auth.openai.com/oauth/token')?.id).toBe('token-refresh');
    expect(classifyUrl('https://auth.openai.com/oauth/authorize')?.id).toBe('oauth-login');
    expect(classifyUrl('https://ab.chatgpt.com/otlp/v1/metrics')?.id).toBe('telemetry');
    expect(classifyUrl('https://o33.ingest.us.sentry.io/api/1/envelope/')?.id).toBe('feedback');
    expect(classifyUrl('https://raw.githubusercontent.com/openai/codex/main/announcement_tip.toml')?.id).toBe('announcement');
    expect(classifyUrl('https://api.github.com/repos/openai/codex/releases/latest')?.id).toBe('update-check');
    // the updater downloads and runs it: a fetch, not one of the codex links on chatgpt.com
    expect(classifyUrl('https://chatgpt.com/codex/install.sh')?.id).toBe('installer');
    expect(classifyUrl('https://chatgpt.com/codex/tasks/task_1')?.id).toBe('links');
    expect(classifyUrl('https://unknown.invalid/x')).toBeUndefined();
  });
});

describe('analyse on a 0.98-shaped tree', () => {
  const r = analyse(facts098());
  const ch = (id: string) => r.channels.find((c) => c.id === id)!;

  it('derives capabilities from facts', () => {
    expect(r.capabilities.version).toBe('0.98.0');
    expect(r.capabilities.openaiBaseUrlEnv).toBe(true);
    expect(r.capabilities.openaiBaseUrlKey).toBe(false);
    expect(r.capabilities.nativeTlsDefault).toBe(true);
    expect(r.capabilities.customCaEnv).toEqual([]);
  });

  it('A captures the model API and the chatgpt_base_url family, not telemetry or feedback', () => {
    expect(ch('model-api').coverage.a).toBe('yes');
    expect(ch('chatgpt-backend').coverage.a).toBe('yes');
    expect(ch('telemetry').coverage.a).toBe('no');
    expect(ch('telemetry').overrides).toEqual([]);
    expect(ch('feedback').coverage.a).toBe('no');
  });

  it('native-tls clients: B yes, CA only where SSL_CERT_FILE works (partial); reasons cite the manifest', () => {
    expect(ch('model-api').coverage.b).toBe('yes');
    expect(ch('model-api').coverage.ca).toBe('partial');
    expect(ch('model-api').why.ca.join(' ')).toContain('SSL_CERT_FILE');
    expect(ch('model-api').why.b.join(' ')).toContain('core/Cargo.toml line 20');
    expect(ch('model-api').clients).toEqual([{ file: 'core/src/default_client.rs', line: 195, crate: 'codex-core' }]);
  });

  it('a registry transport (sentry) is said to be unverifiable, not guessed', () => {
    expect(ch('feedback').coverage.b).toBe('unknown');
    expect(ch('feedback').why.b.join(' ')).toContain('registry dependency');
  });

  it('hosts no rule knows stay visible as unclassified channels', () => {
    const u = r.channels.find((c) => c.unclassified)!;
    expect(u.id).toBe('host:telemetry.example.net');
    expect(u.hosts).toEqual(['telemetry.example.net']);
    expect(u.evidence).toEqual([{ file: 'otel/src/new.rs', line: 3 }]);
  });

  it('recommends A and lists what it misses', () => {
    expect(r.recommendation.approach).toBe('a');
    expect(r.recommendation.misses).toEqual(expect.arrayContaining(['telemetry', 'feedback']));
    expect(r.recommendation.misses).not.toContain('model-api');
  });
});

describe('analyse on a 0.115-shaped tree (custom CA in the shared client)', () => {
  const f = facts098();
  f.workspaceVersion = '0.0.0';
  f.clients[0] = client('core/src/default_client.rs', 195, 'codex-core', { rootsAdded: true, customCaEnv: ['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE'] });
  f.configKeys.push({ key: 'openai_base_url', struct: 'ConfigToml', file: 'config/src/config_toml.rs', line: 40, crate: 'codex-config', test: false });
  const r = analyse(f);
  const ch = (id: string) => r.channels.find((c) => c.id === id)!;

  it('knows the version is unknown (0.0.0) and which CA env vars the shared client reads', () => {
    expect(r.capabilities.version).toBeUndefined();
    expect(r.capabilities.customCaEnv).toEqual(['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']);
    expect(r.capabilities.openaiBaseUrlKey).toBe(true);
  });

  it('CA covers the shared client on every OS, the otel client only partly', () => {
    expect(ch('model-api').coverage.ca).toBe('yes');
    expect(ch('model-api').why.ca.join(' ')).toContain('CODEX_CA_CERTIFICATE');
    expect(ch('telemetry').coverage.ca).toBe('partial');
    expect(r.recommendation.approach).toBe('ca');
  });

  it('no_proxy() clients are not captured by forward-proxy approaches', () => {
    const g = facts098();
    g.clients[1] = client('otel/src/exporter.rs', 30, 'codex-otel', {}, { noProxy: true });
    const t = analyse(g).channels.find((c) => c.id === 'telemetry')!;
    expect(t.coverage.b).toBe('no');
    expect(t.coverage.ca).toBe('no');
    expect(t.why.b.join(' ')).toContain('otel/src/exporter.rs:30 calls no_proxy()');
  });
});
