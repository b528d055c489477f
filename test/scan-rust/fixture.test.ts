// The Rust scan over fixtures/codex-rs: expectations written by hand from the fixture files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { globby } from 'globby';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrateInfo } from '../../src/model.js';
import type { RustScanOutput } from '../../src/scan/rust/index.js';
import { scanRust } from '../../src/scan/rust/index.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/codex-rs', import.meta.url));

// Crate folders and package names as fixtures/README.md lays them out.
const CRATES: CrateInfo[] = [
  ['app-server', 'codex-app-server'],
  ['backend-client', 'codex-backend-client'],
  ['cli', 'codex-cli'],
  ['cloud-tasks', 'codex-cloud-tasks'],
  ['codex-client', 'codex-client'],
  ['config', 'codex-config'],
  ['core', 'codex-core'],
  ['feedback', 'codex-feedback'],
  ['login', 'codex-login'],
  ['ollama', 'codex-ollama'],
  ['otel', 'codex-otel'],
  ['responses-api-proxy', 'codex-responses-api-proxy'],
  ['rmcp-client', 'codex-rmcp-client'],
  ['state', 'codex-state'],
  ['tui', 'codex-tui'],
].map(([dir, name]) => ({ name: name!, dir: dir!, manifest: `${dir}/Cargo.toml`, bins: [], deps: [] }));

let out: RustScanOutput;
let cacheHome: string;
const prevCache = process.env.XDG_CACHE_HOME;

beforeAll(async () => {
  cacheHome = mkdtempSync(path.join(tmpdir(), 'codex-mitm-cache-'));
  process.env.XDG_CACHE_HOME = cacheHome;
  const files = await globby('**/*.rs', { cwd: FIXTURE, ignore: ['**/target/**'] });
  out = await scanRust({ root: FIXTURE, files, crates: CRATES, useCache: false });
});
afterAll(() => {
  if (prevCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = prevCache;
  rmSync(cacheHome, { recursive: true, force: true });
});

const prod = <T extends { test: boolean }>(xs: T[]): T[] => xs.filter((x) => !x.test);

describe('clients', () => {
  it('finds the shared builder chain with its proxy branch and the custom-CA helper it goes through', () => {
    const c = out.clients.find((x) => x.file === 'core/src/default_client.rs' && x.line === 17);
    expect(c).toBeDefined();
    expect(c!.constructor).toBe('reqwest::Client::builder');
    expect(c!.crate).toBe('codex-core');
    expect(c!.function).toBe('create_client');
    expect(c!.calls).toEqual(['user_agent', 'default_headers', 'no_proxy', 'proxy', 'add_root_certificate']);
    expect(c!.tls.useRustls).toBe(false);
    expect(c!.noProxy).toBe(true);
    expect(c!.proxy).toBe(true);
    expect(c!.via).toEqual(['build_reqwest_client_with_custom_ca', 'with_custom_ca']);
    expect(c!.tls.rootsAdded).toBe(true);
    expect(c!.tls.customCaEnv).toEqual(['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']);
    expect(c!.test).toBe(false);
  });

  it('follows a builder handed straight to a helper in another crate', () => {
    const c = out.clients.find((x) => x.file === 'login/src/auth.rs');
    expect(c).toMatchObject({ line: 13, constructor: 'reqwest::Client::builder', crate: 'codex-login', via: ['build_reqwest_client_with_custom_ca', 'with_custom_ca'] });
    expect(c!.tls.customCaEnv).toEqual(['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']);
  });

  it('resolves an aliased import (use reqwest::Client as HttpClient)', () => {
    const c = out.clients.find((x) => x.file === 'core/src/client.rs');
    expect(c).toMatchObject({ line: 6, constructor: 'reqwest::Client::builder', calls: ['connect_timeout', 'gzip'] });
  });

  it('resolves a grouped use tree (use reqwest::{Client, header::HeaderMap})', () => {
    const c = out.clients.find((x) => x.file === 'backend-client/src/client.rs');
    expect(c).toMatchObject({ line: 14, constructor: 'reqwest::Client::builder', calls: ['default_headers', 'timeout'] });
  });

  it('follows methods called later on the same binding (let builder = builder.no_proxy())', () => {
    const c = out.clients.find((x) => x.file === 'tui/src/tooltips.rs');
    expect(c).toMatchObject({ line: 6, constructor: 'reqwest::blocking::Client::builder', calls: ['no_proxy'], noProxy: true });
  });

  it('merges a local helper taking the builder (ClientBuilder::new + apply_default_headers)', () => {
    const c = out.clients.find((x) => x.file === 'rmcp-client/src/lib.rs');
    expect(c).toMatchObject({ line: 12, constructor: 'reqwest::ClientBuilder::new', calls: ['default_headers'], via: ['apply_default_headers'] });
  });

  it('records blocking clients and Client::new, and nothing for a Client that is not reqwest', () => {
    expect(out.clients.find((x) => x.file === 'otel/src/exporter.rs')).toMatchObject({ line: 7, constructor: 'reqwest::blocking::Client::builder', calls: ['timeout', 'https_only'] });
    expect(out.clients.find((x) => x.file === 'tui/src/updates.rs')).toMatchObject({ line: 8, constructor: 'reqwest::Client::new', calls: [] });
    expect(out.clients.filter((x) => x.file === 'core/src/unrelated.rs')).toEqual([]);
  });

  it('sees no production client switch to rustls (like real trees up to 0.125)', () => {
    expect(prod(out.clients).filter((c) => c.tls.useRustls || c.tls.preconfiguredTls)).toEqual([]);
  });

  it('lists exactly the production clients of the fixture', () => {
    expect(prod(out.clients).map((c) => `${c.file}:${c.line}`).sort()).toEqual([
      'backend-client/src/client.rs:14',
      'core/src/client.rs:6',
      'core/src/default_client.rs:17',
      'core/src/default_client.rs:25',
      'login/src/auth.rs:13',
      'otel/src/exporter.rs:7',
      'responses-api-proxy/src/lib.rs:19',
      'rmcp-client/src/lib.rs:12',
      'tui/src/tooltips.rs:6',
      'tui/src/updates.rs:8',
    ]);
  });

  it('marks clients in test code as test', () => {
    const t = out.clients.filter((c) => c.test).map((c) => c.file).sort();
    expect(t).toEqual(['core/src/test_support.rs', 'core/tests/suite/mod.rs']);
  });
});

describe('endpoints', () => {
  const ep = (url: string) => prod(out.endpoints).filter((e) => e.url === url);

  it('resolves the token refresh URL const and its env override through a const', () => {
    const [e] = ep('https://auth.openai.com/oauth/token');
    expect(e).toMatchObject({ file: 'login/src/auth.rs', line: 4, crate: 'codex-login', host: 'auth.openai.com', symbol: 'REFRESH_TOKEN_URL' });
    expect(e!.overrides).toEqual([{ kind: 'env', name: 'CODEX_REFRESH_TOKEN_URL_OVERRIDE', file: 'login/src/auth.rs', line: 8 }]);
  });

  it('links a const defined in one file to the config override in the same expression', () => {
    const [e] = ep('https://chatgpt.com/backend-api/');
    expect(e).toMatchObject({ file: 'core/src/config/mod.rs', line: 5, symbol: 'DEFAULT_CHATGPT_BASE_URL' });
    // two reads of the key in the statement (profile, then config.toml): the one nearest the default is cited
    expect(e!.overrides).toEqual([{ kind: 'config', name: 'chatgpt_base_url', file: 'core/src/config/mod.rs', line: 17 }]);
  });

  it('finds env overrides of literal defaults (unwrap_or_else, match on env::var)', () => {
    const [cloud] = ep('https://chatgpt.com/backend-api').filter((e) => e.file === 'cloud-tasks/src/lib.rs');
    expect(cloud!.overrides).toEqual([{ kind: 'env', name: 'CODEX_CLOUD_TASKS_BASE_URL', file: 'cloud-tasks/src/lib.rs', line: 3 }]);
    const [oss] = ep('http://localhost:11434/v1');
    expect(oss).toMatchObject({ file: 'ollama/src/url.rs', line: 2, host: 'localhost', symbol: 'DEFAULT_OSS_BASE_URL' });
    expect(oss!.overrides.map((o) => o.name)).toEqual(['CODEX_OSS_BASE_URL', 'CODEX_OSS_PORT']);
  });

  it('finds config overrides through a local default (let default = ..; base_url.unwrap_or_else)', () => {
    const [api] = ep('https://api.openai.com/v1');
    expect(api).toMatchObject({ file: 'core/src/model_provider_info.rs', line: 26, function: 'base_url_for' });
    // base_url is a ModelProviderInfo field (config/src/config_toml.rs:31): [model_providers.<id>]
    expect(api!.overrides).toEqual([
      { kind: 'config', name: 'base_url', path: 'model_providers.<id>.base_url', file: 'core/src/model_provider_info.rs', line: 28 },
    ]);
    expect(ep('https://chatgpt.com/backend-api/codex')[0]).toMatchObject({ line: 25 });
  });

  it('records paths appended to a base held in config or a field (format!("{base}/..."))', () => {
    // backend-client's own paths, then those of functions and types handed chatgpt_base_url:
    // core/src/mcp.rs (its path a literal of the function: `(base_url, "wham/apps")`), the
    // AnalyticsClient of core/src/analytics.rs (`AnalyticsClient::new(config.chatgpt_base_url…)`),
    // and remote_skills.rs, which reads config.chatgpt_base_url itself
    const sites = (url: string, file: string) =>
      ep(url).find((e) => e.file === file)!.pathSites!.map((s) => `${s.path} ${s.file}:${s.line}`).sort();
    // joined by a config key, a fragment takes the defaults of its own crate (core's, not backend-client's)
    expect(sites('https://chatgpt.com/backend-api', 'backend-client/src/client.rs')).toEqual([
      '/wham/tasks backend-client/src/client.rs:22',
      '/wham/usage backend-client/src/client.rs:26',
    ]);
    expect(sites('https://chatgpt.com/backend-api/', 'core/src/config/mod.rs')).toEqual([
      '/api/codex core/src/mcp.rs:20',
      '/codex/analytics-events/events core/src/analytics.rs:13',
      '/public-api/hazelnuts/ core/src/remote_skills.rs:6',
      '/wham/apps core/src/mcp.rs:18',
    ]);
    // compared with starts_with only: never an endpoint
    expect(ep('https://chat.openai.com')).toEqual([]);
    expect(ep('https://auth.openai.com/oauth/token')[0]!.paths).toBeUndefined();
  });

  it('finds the hosts of every channel in the fixture, with their symbols', () => {
    const hosts = new Set(prod(out.endpoints).map((e) => e.host));
    for (const h of ['api.openai.com', 'chatgpt.com', 'auth.openai.com', 'ab.chatgpt.com', 'api.github.com', 'raw.githubusercontent.com', 'o0000.ingest.us.sentry.io', 'localhost']) {
      expect(hosts, h).toContain(h);
    }
    expect(ep('https://ab.chatgpt.com/otlp/v1/metrics')[0]).toMatchObject({ symbol: 'STATSIG_OTLP_HTTP_ENDPOINT', crate: 'codex-otel' });
    expect(ep('https://5f3c0ffee1d2e3f4a5b6c7d8e9f00112@o0000.ingest.us.sentry.io/0000')[0]).toMatchObject({ symbol: 'SENTRY_DSN', host: 'o0000.ingest.us.sentry.io' });
    expect(ep('https://raw.githubusercontent.com/openai/codex/main/announcement_tip.toml')[0]).toMatchObject({ file: 'tui/src/tooltips.rs', line: 3 });
  });

  it('skips links for people, placeholders and URLs only test code uses', () => {
    const urls = prod(out.endpoints).map((e) => e.url);
    expect(urls.some((u) => u.includes('github.com/openai/codex/releases'))).toBe(false); // prose hint
    expect(urls.some((u) => u.includes('proxy.internal.invalid'))).toBe(false);
    expect(urls.some((u) => u.includes('example.com') || u.includes('unused.local'))).toBe(false);
    expect(prod(out.endpoints).filter((e) => e.host.endsWith('fixture-only.dev'))).toEqual([]);
  });

  it('keeps test-only endpoints, marked test, for every kind of test code', () => {
    const t = out.endpoints.filter((e) => e.host.endsWith('fixture-only.dev'));
    expect(t.every((e) => e.test)).toBe(true);
    expect(t.map((e) => e.file).sort()).toEqual([
      'app-server/src/lib.rs', // #[test] fn
      'core/benches/startup.rs', // benches/
      'core/src/client_tests.rs', // #[cfg(test)] #[path = "client_tests.rs"] mod tests;
      'core/src/fake_responses.rs', // #[cfg(test)] mod fake_responses;
      'core/src/fake_responses/sse.rs', // child of a test module
      'core/src/lib.rs', // inline #[cfg(test)] mod tests { }
      'core/src/test_support.rs', // #[cfg(test)] mod test_support;
      'core/tests/common/lib.rs', // test support crate under tests/
      'core/tests/suite/mod.rs', // tests/
    ]);
  });

  it('never scans target/', () => {
    expect(out.endpoints.some((e) => e.url.includes('generated.invalid'))).toBe(false);
  });
});

describe('env vars', () => {
  it('reads literals, consts and const names handed to wrapper functions; not env!()', () => {
    const got = prod(out.envVars).map((v) => `${v.file}:${v.line} ${v.name} ${v.via}`).sort();
    expect(got).toEqual([
      'cli/src/lib.rs:9 CODEX_HOME literal',
      'cloud-tasks/src/lib.rs:3 CODEX_CLOUD_TASKS_BASE_URL literal',
      'codex-client/src/custom_ca.rs:18 CODEX_CA_CERTIFICATE CODEX_CA_CERTIFICATE_ENV',
      'codex-client/src/custom_ca.rs:18 SSL_CERT_FILE SSL_CERT_FILE_ENV',
      'core/src/default_client.rs:10 CODEX_INTERNAL_ORIGINATOR_OVERRIDE CODEX_INTERNAL_ORIGINATOR_OVERRIDE_ENV_VAR',
      'core/src/model_provider_info.rs:15 OPENAI_BASE_URL OPENAI_BASE_URL_ENV_VAR',
      'login/src/auth.rs:8 CODEX_REFRESH_TOKEN_URL_OVERRIDE REFRESH_TOKEN_URL_OVERRIDE_ENV_VAR',
      'ollama/src/url.rs:5 CODEX_OSS_BASE_URL literal',
      'ollama/src/url.rs:7 CODEX_OSS_PORT literal',
    ]);
    expect(out.envVars.some((v) => v.name === 'CARGO_PKG_VERSION')).toBe(false);
  });

  it('keeps env reads of test code as test', () => {
    const t = out.envVars.filter((v) => v.test).map((v) => `${v.file} ${v.name}`).sort();
    expect(t).toEqual([
      'core/src/fake_responses/sse.rs CODEX_FAKE_SSE_BASE',
      'core/src/test_support.rs CODEX_TEST_MOCK_URL',
      'core/tests/suite/mod.rs OPENAI_BASE_URL',
    ]);
  });
});

describe('config keys', () => {
  it('lists URL/TLS fields of the serde config structs, with serde renames', () => {
    const got = out.configKeys.map((k) => `${k.struct}.${k.key} ${k.file}:${k.line}`);
    expect(got).toEqual([
      'ConfigToml.chatgpt_base_url config/src/config_toml.rs:12',
      'ConfigToml.openai_base_url config/src/config_toml.rs:14',
      'ConfigProfile.chatgpt_base_url config/src/config_toml.rs:25',
      'ModelProviderInfo.base_url config/src/config_toml.rs:31',
      'ModelProviderInfo.http_proxy config/src/config_toml.rs:34',
      'OtelTlsConfig.ca-certificate config/src/config_toml.rs:40',
    ]);
    expect(out.configKeys[0]).toMatchObject({ crate: 'codex-config', type: 'Option<String>', test: false });
  });
});

describe('summary', () => {
  it('counts files and reports no parse errors for the clean fixture', () => {
    expect(out.rustFiles).toBe(44); // core/src/analytics.rs and core/src/mcp.rs joined the 42
    expect(out.parseErrors).toBe(0);
    expect(out.warnings).toEqual([]);
    expect(out.cached).toBe(0);
  });
});
