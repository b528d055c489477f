// One small Rust snippet per shape the scanner must read, in a throwaway tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CrateInfo } from '../../src/model.js';
import type { RustScanOutput } from '../../src/scan/rust/index.js';
import { scanRust } from '../../src/scan/rust/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes `files` (path → text) under a temp root with one crate `demo` at `demo/`, scans it. */
async function scanTree(files: Record<string, string>, crates: CrateInfo[] = [{ name: 'demo', dir: 'demo', manifest: 'demo/Cargo.toml', bins: [], deps: [] }]): Promise<RustScanOutput> {
  const root = mkdtempSync(path.join(tmpdir(), 'scan-rust-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return scanRust({ root, files: Object.keys(files).filter((f) => f.endsWith('.rs')), crates, useCache: false });
}

describe('client construction', () => {
  it('resolves aliases and grouped use trees, and ignores a Client that is not reqwest', async () => {
    const out = await scanTree({
      'demo/src/a.rs': 'use reqwest::Client as HttpClient;\nfn a() { let _ = HttpClient::builder().no_proxy().use_rustls_tls().build(); }\n',
      'demo/src/b.rs': 'use reqwest::{blocking::Client, ClientBuilder};\nfn b() { let _ = Client::new(); let _ = ClientBuilder::new().use_native_tls(); }\n',
      'demo/src/c.rs': 'mod mcp { pub struct Client; impl Client { pub fn new() -> Self { Client } } }\nuse mcp::Client;\nfn c() { let _ = Client::new(); }\n',
    });
    const got = out.clients.map((c) => `${c.file}:${c.line} ${c.constructor} ${c.calls.join(',')}`).sort();
    expect(got).toEqual([
      'demo/src/a.rs:2 reqwest::Client::builder no_proxy,use_rustls_tls',
      'demo/src/b.rs:2 reqwest::ClientBuilder::new use_native_tls',
      'demo/src/b.rs:2 reqwest::blocking::Client::new ',
    ]);
    expect(out.clients.find((c) => c.file === 'demo/src/b.rs' && c.calls.length)!.tls.useNativeTls).toBe(true);
    expect(out.clients.find((c) => c.file === 'demo/src/a.rs')!.tls).toMatchObject({ useRustls: true, useNativeTls: false });
  });

  it('follows the builder binding through reassignment and rebinding, stops at build()', async () => {
    const out = await scanTree({
      'demo/src/lib.rs': [
        'fn make(certs: Vec<reqwest::Certificate>, insecure: bool) -> reqwest::Client {',
        '    let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(1));',
        '    for c in certs {',
        '        builder = builder.add_root_certificate(c);',
        '    }',
        '    let builder = builder.tls_built_in_root_certs(false);',
        '    let other = builder.danger_accept_invalid_certs(insecure);',
        '    let client = other.build().unwrap();',
        '    client',
        '}',
        '',
      ].join('\n'),
    });
    expect(out.clients).toHaveLength(1);
    const c = out.clients[0]!;
    expect(c.calls).toEqual(['timeout', 'add_root_certificate', 'tls_built_in_root_certs', 'danger_accept_invalid_certs']);
    expect(c.tls).toMatchObject({ rootsAdded: true, builtInRootsDisabled: true, acceptsInvalidCerts: true, customCaEnv: [] });
    expect(c.function).toBe('make');
  });

  it('merges helper functions the builder passes through, in the chain or from a binding', async () => {
    const out = await scanTree({
      'demo/src/ca.rs': [
        'use reqwest::ClientBuilder;',
        'const CA_ENV: &str = "DEMO_CA_BUNDLE";',
        'fn read_env(name: &str) -> Option<String> { std::env::var(name).ok() }',
        'pub fn with_ca(b: ClientBuilder) -> ClientBuilder {',
        '    match read_env(CA_ENV) {',
        '        Some(p) => b.add_root_certificate(load(&p)),',
        '        None => b,',
        '    }',
        '}',
        'fn load(_p: &str) -> reqwest::Certificate { todo!() }',
        '',
      ].join('\n'),
      'demo/src/use_it.rs': [
        'use crate::ca::with_ca;',
        'fn one() { let _ = with_ca(reqwest::Client::builder()).no_proxy().build(); }',
        'fn two() { let b = reqwest::Client::builder().user_agent("x"); let b = with_ca(b); let _ = b.build(); }',
        '',
      ].join('\n'),
    });
    const one = out.clients.find((c) => c.function === 'one')!;
    expect(one.via).toEqual(['with_ca']);
    expect(one.calls).toEqual(['no_proxy', 'add_root_certificate']);
    expect(one.tls.customCaEnv).toEqual(['DEMO_CA_BUNDLE']);
    const two = out.clients.find((c) => c.function === 'two')!;
    expect(two.via).toEqual(['with_ca']);
    expect(two.calls).toEqual(['user_agent', 'add_root_certificate']);
    expect(out.envVars.map((v) => `${v.name} ${v.via}`)).toEqual(['DEMO_CA_BUNDLE CA_ENV']);
  });
});

describe('a TLS config built with the custom CA, handed to the builder', () => {
  it('lists the CA env vars the building crate reads (its library, not its binaries)', async () => {
    const crates = [
      { name: 'demo', dir: 'demo', manifest: 'demo/Cargo.toml', bins: [], deps: [] },
      { name: 'ca-kit', dir: 'ca-kit', manifest: 'ca-kit/Cargo.toml', bins: [], deps: [] },
    ];
    const out = await scanTree(
      {
        'ca-kit/src/lib.rs': [
          'pub fn maybe_build_config_with_custom_ca() -> Option<rustls::ClientConfig> {',
          '    let path = std::env::var("CODEX_CA_CERTIFICATE").or_else(|_| std::env::var("SSL_CERT_FILE")).ok()?;',
          '    load(&path)',
          '}',
          '',
        ].join('\n'),
        'ca-kit/src/bin/probe.rs': 'fn main() { let _ = std::env::var("CA_KIT_PROBE_CERT"); }\n',
        'demo/src/lib.rs': [
          'pub fn client() -> reqwest::Client {',
          '    let mut b = reqwest::Client::builder();',
          '    if let Some(cfg) = ca_kit::maybe_build_config_with_custom_ca() {',
          '        b = b.tls_backend_preconfigured(cfg);',
          '    }',
          '    b.build().unwrap()',
          '}',
          '',
        ].join('\n'),
      },
      crates,
    );
    const c = out.clients.find((x) => x.file === 'demo/src/lib.rs');
    expect(c?.tls).toMatchObject({ preconfiguredTls: true, customCaEnv: ['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE'] });
  });
});

describe('one-shot requests', () => {
  it('reqwest::get(url) and reqwest::blocking::get(url) are clients (a default client reqwest builds), carrying their URL', async () => {
    const out = await scanTree({
      'demo/src/update.rs': [
        'pub async fn fetch() -> reqwest::Result<bytes::Bytes> {',
        '    reqwest::get("https://dl.demo-host.dev/install.sh").await?.bytes().await',
        '}',
        'pub fn fetch_blocking() -> reqwest::Result<String> { reqwest::blocking::get("https://dl.demo-host.dev/v").and_then(|r| r.text()) }',
        'pub fn not_reqwest(m: &std::collections::HashMap<u8, u8>) -> Option<&u8> { m.get(&1) }',
        '',
      ].join('\n'),
    });
    expect(out.clients.map((c) => `${c.line} ${c.constructor} ${c.function}`)).toEqual(['2 reqwest::get fetch', '4 reqwest::blocking::get fetch_blocking']);
    const ep = out.endpoints.find((e) => e.url === 'https://dl.demo-host.dev/install.sh');
    expect(ep?.carriers).toEqual([{ file: 'demo/src/update.rs', line: 2 }]);
  });
});

describe('test tooling built through a helper that exists for tests', () => {
  it('marks the client test: true, and leaves clients built through other helpers alone', async () => {
    const out = await scanTree({
      'demo/src/lib.rs': [
        'pub fn build_client_for_subprocess_tests(b: reqwest::ClientBuilder) -> reqwest::Client { b.no_proxy().build().unwrap() }',
        'pub fn build_client(b: reqwest::ClientBuilder) -> reqwest::Client { b.build().unwrap() }',
        '',
      ].join('\n'),
      'demo/src/bin/ca_probe.rs': 'fn main() { let _ = demo::build_client_for_subprocess_tests(reqwest::Client::builder()); }\n',
      'demo/src/main.rs': 'fn main() { let _ = demo::build_client(reqwest::Client::builder()); }\n',
    });
    const test = Object.fromEntries(out.clients.map((c) => [c.file, c.test]));
    expect(test).toEqual({ 'demo/src/bin/ca_probe.rs': true, 'demo/src/main.rs': false });
  });
});

describe('look-alikes that are not what they seem', () => {
  it('a map lookup of an env var name, a field assigned a URL, a JWT issuer: none is a read, an override or an endpoint', async () => {
    const out = await scanTree({
      'demo/src/lib.rs': [
        'const SOCKET_ENV_VAR: &str = "DEMO_SOCKET";',
        'const DEMO_JWT_ISSUER: &str = "https://issuer.demo-host.dev/agent";',
        '#[derive(serde::Deserialize)]',
        'pub struct ConfigToml { pub proxy_url: Option<String> }',
        'pub fn child(env: &std::collections::HashMap<String, String>) -> Option<&String> { env.get(SOCKET_ENV_VAR) }',
        'pub fn net(cfg: &mut ConfigToml, port: u16) { cfg.proxy_url = Some(format!("http://127.0.0.1:{port}")); }',
        'pub fn claims() -> &\'static str { DEMO_JWT_ISSUER }',
        '',
      ].join('\n'),
    });
    expect(out.envVars.map((e) => e.name)).not.toContain('DEMO_SOCKET');
    expect(out.endpoints.map((e) => e.url)).not.toContain('https://issuer.demo-host.dev/agent');
    expect(out.configKeys.map((k) => k.key)).toContain('proxy_url');
    const local = out.endpoints.find((e) => e.url === 'http://127.0.0.1:{port}');
    expect(local).toBeDefined();
    expect(local!.overrides).toEqual([]);
  });
});

describe('env vars', () => {
  it('reads literal names, consts (also from another file of the crate), wrapper calls; skips writes and env!()', async () => {
    const out = await scanTree({
      'demo/src/names.rs': 'pub const TOKEN_ENV_VAR: &str = "DEMO_TOKEN";\npub const PLAIN: &str = "DEMO_PLAIN";\n',
      'demo/src/lib.rs': [
        'use std::env;',
        'use crate::names::{PLAIN, TOKEN_ENV_VAR};',
        'fn get(name: &str) -> Option<String> { env::var(name).ok() }',
        'fn main() {',
        '    let _a = env::var("DEMO_LITERAL");',
        '    let _b = std::env::var_os(PLAIN);',
        '    let _c = get(TOKEN_ENV_VAR);',
        '    let _d = env!("CARGO_PKG_NAME");',
        '    let _e = option_env!("DEMO_BUILD_TIME");',
        '    std::process::Command::new("x").env(TOKEN_ENV_VAR, "1");',
        '    unsafe { std::env::set_var("DEMO_WRITTEN", "1") };',
        '    println!("{}", std::env::var("DEMO_IN_MACRO").unwrap_or_default());',
        '}',
        '',
      ].join('\n'),
    });
    expect(out.envVars.map((v) => `${v.line} ${v.name} ${v.via}`)).toEqual([
      '5 DEMO_LITERAL literal',
      '6 DEMO_PLAIN PLAIN',
      '7 DEMO_TOKEN TOKEN_ENV_VAR',
      '12 DEMO_IN_MACRO literal',
    ]);
  });
});

describe('endpoints', () => {
  it('resolves statics and consts, with env and config overrides; match arms; a const used from another file', async () => {
    const out = await scanTree({
      'demo/src/urls.rs': 'pub static DEMO_API: &str = "https://api.demo-host.dev/v2";\npub(crate) const AUTH_BASE: &str = "https://auth.demo-host.dev";\n',
      'demo/src/lib.rs': [
        'mod urls;',
        'use crate::urls::DEMO_API;',
        '#[derive(serde::Deserialize)]',
        'pub struct ConfigToml { demo_base_url: Option<String> }',
        'fn api(cfg: &ConfigToml) -> String { cfg.demo_base_url.clone().unwrap_or_else(|| DEMO_API.to_string()) }',
        'fn auth() -> String {',
        '    match std::env::var("DEMO_AUTH_URL") {',
        '        Ok(v) => v,',
        '        Err(_) => super::urls::AUTH_BASE.to_string(),',
        '    }',
        '}',
        'fn plain() -> &\'static str { "https://plain.demo-host.dev/x?y=1" }',
        '// a parameter named like a config key is not one a user can set',
        'fn probe(provider_base_url: Option<&str>) -> &str { provider_base_url.unwrap_or("https://probe.demo-host.dev") }',
        '',
      ].join('\n'),
    });
    const by = Object.fromEntries(out.endpoints.map((e) => [e.url, e]));
    expect(by['https://api.demo-host.dev/v2']).toMatchObject({ file: 'demo/src/urls.rs', line: 1, symbol: 'DEMO_API', host: 'api.demo-host.dev' });
    expect(by['https://api.demo-host.dev/v2']!.overrides).toEqual([{ kind: 'config', name: 'demo_base_url', file: 'demo/src/lib.rs', line: 5 }]);
    expect(by['https://auth.demo-host.dev']!.overrides).toEqual([{ kind: 'env', name: 'DEMO_AUTH_URL', file: 'demo/src/lib.rs', line: 7 }]);
    expect(by['https://plain.demo-host.dev/x?y=1']).toMatchObject({ line: 12, function: 'plain', overrides: [] });
    expect(by['https://probe.demo-host.dev']).toMatchObject({ line: 14, function: 'probe', overrides: [] });
  });

  it('finds bare known hosts and format! URLs, drops docs links, prose and placeholders', async () => {
    const out = await scanTree({
      'demo/src/lib.rs': [
        'const HOST: &str = "chatgpt.com";',
        'fn a(port: u16) -> String { format!("http://localhost:{port}/v1") }',
        'fn b() -> &\'static str { "https://docs.rs/reqwest" }',
        'fn c() -> &\'static str { "Read more at https://status.demo-host.dev about outages." }',
        'fn d(h: &str) -> String { format!("https://{h}/x") }',
        'const LINK_ERROR: &str = "https://help.demo-host.dev/connect";',
        '// https://in-a-comment.demo-host.dev is not code',
        'fn e() -> &\'static str { "https://api.openai.com/auth" }',
        '',
      ].join('\n'),
    });
    expect(out.endpoints.map((e) => `${e.line} ${e.url} ${e.host}`)).toEqual(['1 chatgpt.com chatgpt.com', '2 http://localhost:{port}/v1 localhost']);
  });
});

describe('endpoints read again and again inside one statement', () => {
  it('cite the read next to each default, not the first read of the statement', async () => {
    // a UI loop in a macro: every arm reads the env var again, with the same literal default
    const arm = (n: number): string =>
      `        Some(Ev::K${n}) => {\n            let base = std::env::var("DEMO_BASE_URL").unwrap_or_else(|_| "https://api.demo-host.dev/x".to_string());\n            go(base);\n        }\n`;
    const text = `fn run() {\n    loop {\n        tokio::select! {\n            ev = next() => match ev {\n${arm(1)}${arm(2)}${arm(3)}            _ => {}\n        }\n        }\n    }\n}\n`;
    const out = await scanTree({ 'demo/src/ui.rs': text });
    const lines = text.split('\n');
    const reads = lines.flatMap((l, i) => (l.includes('env::var') ? [i + 1] : []));
    expect(reads).toHaveLength(3);
    const got = out.endpoints.map((e) => [e.line, e.overrides.map((o) => o.line)]);
    expect(got).toEqual(reads.map((l) => [l, [l]]));
  });
});

describe('test code', () => {
  it('marks cfg(test) items, #[test] fns, cfg(test) file modules (x.rs, x/mod.rs, #[path]) and their children', async () => {
    const u = (name: string) => `const U: &str = "https://${name}.demo-host.dev";\n`;
    const out = await scanTree({
      'demo/src/lib.rs': [
        'mod prod;',
        '#[cfg(test)]',
        'mod unit;',
        '#[cfg(test)]',
        'mod dir_mod;',
        '#[cfg(test)]',
        '#[path = "elsewhere_checks.rs"]',
        'mod checks;',
        '#[cfg(test)]',
        'fn helper() -> &\'static str { "https://cfg-fn.demo-host.dev" }',
        '#[tokio::test]',
        'async fn t() { let _ = "https://tokio-test.demo-host.dev"; }',
        'fn live() -> &\'static str { "https://live.demo-host.dev" }',
        '#[cfg(test)]',
        'mod inline {',
        '    const X: &str = "https://inline.demo-host.dev";',
        '}',
        'fn after() -> &\'static str { "https://after.demo-host.dev" }',
        '',
      ].join('\n'),
      'demo/src/prod.rs': u('prod'),
      'demo/src/unit.rs': `mod deeper;\n${u('unit')}`,
      'demo/src/unit/deeper.rs': u('deeper'),
      'demo/src/dir_mod/mod.rs': u('dirmod'),
      'demo/src/elsewhere_checks.rs': u('pathattr'),
      'demo/src/lib_tests.rs': u('suffix'),
      'demo/src/tests.rs': u('testsrs'),
      'demo/tests/it.rs': u('testsdir'),
      'demo/benches/b.rs': u('benches'),
      'demo/src/whole.rs': `#![cfg(test)]\n${u('whole')}`,
    });
    const test = out.endpoints.filter((e) => e.test).map((e) => e.host.split('.')[0]).sort();
    const prod = out.endpoints.filter((e) => !e.test).map((e) => e.host.split('.')[0]).sort();
    expect(prod).toEqual(['after', 'live', 'prod']);
    expect(test).toEqual(['benches', 'cfg-fn', 'deeper', 'dirmod', 'inline', 'pathattr', 'suffix', 'testsdir', 'testsrs', 'tokio-test', 'unit', 'whole']);
  });
});

describe('config keys', () => {
  it('reads URL/TLS fields of Deserialize structs by name or config path, with rename and rename_all', async () => {
    const out = await scanTree({
      'demo/src/anywhere.rs': [
        '#[derive(serde::Deserialize)]',
        'pub struct ModelProviderInfo {',
        '    pub name: String,',
        '    #[serde(rename = "url")]',
        '    pub base_url: Option<String>,',
        '}',
        '#[derive(Debug)]',
        'pub struct ConfigToml { pub chatgpt_base_url: Option<String> }',
        '',
      ].join('\n'),
      'demo/src/config/types.rs': [
        'use serde::Deserialize;',
        '#[derive(Deserialize, Clone)]',
        '#[serde(rename_all = "camelCase")]',
        'pub struct NetworkSettings {',
        '    pub proxy_url: Option<String>,',
        '    pub ca_bundle_path: Option<std::path::PathBuf>,',
        '    pub retries: u32,',
        '}',
        '',
      ].join('\n'),
      'demo/src/other.rs': '#[derive(serde::Deserialize)]\npub struct Unrelated { pub endpoint_url: String }\n',
    });
    expect(out.configKeys.map((k) => `${k.file}:${k.line} ${k.struct}.${k.key}`)).toEqual([
      'demo/src/anywhere.rs:5 ModelProviderInfo.url',
      'demo/src/config/types.rs:5 NetworkSettings.proxyUrl',
      'demo/src/config/types.rs:6 NetworkSettings.caBundlePath',
    ]);
  });
});

describe('URLs that are compared with or stripped off, not fetched', () => {
  it('leaves out == / match / strip_prefix / starts_with operands and keeps fetched URLs', async () => {
    const out = await scanTree({
      'demo/src/cmp.rs': [
        'fn is_copilot(url: &str) -> bool { url == "https://copilot.compare-only.dev/mcp/" }',
        'fn kind(url: &str) -> u8 { match url { "https://matched.compare-only.dev" => 1, _ => 0 } }',
        'fn repo(url: &str) -> Option<&str> { url.strip_prefix("https://stripped.compare-only.dev/") }',
        'fn base(url: &str) -> bool { url.starts_with("https://base.fetched.dev") }',
        'async fn get(c: &reqwest::Client) { let _ = c.get("https://fetched.fetched.dev/v1").send().await; }',
        '',
      ].join('\n'),
    });
    expect(out.endpoints.map((e) => e.host).sort()).toEqual(['fetched.fetched.dev']);
  });
});

describe('command-line flags whose default is a URL', () => {
  it('makes --<long> the override: field name or long = "…", other attributes in between; not short-only or positional', async () => {
    const out = await scanTree({
      'demo/src/cli.rs': [
        'use clap::Parser;',
        '#[derive(Parser)]',
        'pub struct Args {',
        '    /// Upstream.',
        '    #[arg(long, default_value = "https://api.flags-demo.dev/v1/responses")]',
        '    pub upstream_url: String,',
        '    #[clap(long = "issuer", default_value = "https://auth.flags-demo.dev")]',
        '    #[arg(env = "IGNORED_HERE")]',
        '    pub auth_base: String,',
        '    #[arg(short, default_value = "https://short.flags-demo.dev")]',
        '    pub s: String,',
        '    #[arg(default_value = "https://positional.flags-demo.dev")]',
        '    pub p: String,',
        '}',
        '',
      ].join('\n'),
    });
    const flags = (host: string) => out.endpoints.find((e) => e.host === host)?.overrides.map((o) => `${o.kind} ${o.name} ${o.line}`);
    expect(flags('api.flags-demo.dev')).toEqual(['flag --upstream-url 6']);
    expect(flags('auth.flags-demo.dev')).toEqual(['flag --issuer 9']);
    expect(flags('short.flags-demo.dev')).toEqual([]);
    expect(flags('positional.flags-demo.dev')).toEqual([]);
  });
});

describe('paths appended to a base URL handed over by a call', () => {
  const config = [
    'pub struct ConfigToml { pub chatgpt_base_url: Option<String> }',
    'pub const DEFAULT: &str = "https://backend.handed-demo.dev/api/";',
    'pub fn base(c: ConfigToml) -> String { c.chatgpt_base_url.unwrap_or_else(|| DEFAULT.to_string()) }',
    '',
  ].join('\n');
  const pathsOf = (out: RustScanOutput) => out.endpoints.find((e) => e.host === 'backend.handed-demo.dev')?.paths ?? [];

  it('joins the paths of the function the config value is passed to, and of the type whose constructor gets it', async () => {
    const out = await scanTree({
      'demo/src/config.rs': config,
      'demo/src/apps.rs': [
        'fn apps_url(base_url: &str) -> String {',
        '    let (base_url, path) = if base_url.contains("/api") { (base_url.to_string(), "wham/apps") } else { (base_url.to_string(), "x") };',
        '    format!("{base_url}/{path}")',
        '}',
        'pub fn server(cfg: &Cfg) -> String { apps_url(&cfg.chatgpt_base_url) }',
        '',
      ].join('\n'),
      'demo/src/events.rs': [
        'pub struct Events { base_url: String }',
        'impl Events { pub fn url(&self) -> String { let base_url = &self.base_url; format!("{base_url}/analytics/events") } }',
        '',
      ].join('\n'),
      'demo/src/main.rs': 'fn main() { let e = events::Events::new(\n    cfg.chatgpt_base_url.clone(),\n); }\n',
    });
    expect(pathsOf(out).sort()).toEqual(['/analytics/events', '/wham/apps']);
  });

  it('not when nothing hands the function a config value, or only a generic base_url, or a macro formats it', async () => {
    const out = await scanTree({
      'demo/src/config.rs': config,
      'demo/src/apps.rs': [
        'fn apps_url(base_url: &str) -> String { format!("{base_url}/wham/apps") }',
        'pub fn server(base_url: &str) -> String { apps_url(base_url) }',
        'pub fn log(chatgpt_base_url: &str) { println!("{}", chatgpt_base_url); }',
        '',
      ].join('\n'),
      'demo/src/extra.rs': 'fn other() { let u = format!("{base_url}/never/joined", base_url = x); }\n',
    });
    // two files with their own fragments and no endpoint: none joins the config default
    expect(pathsOf(out)).toEqual([]);
  });
});
