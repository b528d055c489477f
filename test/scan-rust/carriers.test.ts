// Conditional builder calls (ClientSite.conditionalCalls) and the clients that carry an endpoint
// (Endpoint.carriers), on small Rust snippets in a throwaway tree.
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

const crate = (name: string, dir: string, deps: string[] = []): CrateInfo => ({
  name,
  dir,
  manifest: `${dir}/Cargo.toml`,
  bins: [],
  deps: deps.map((d) => ({ name: d, package: d, table: 'dependencies' })),
});

async function scanTree(files: Record<string, string>, crates: CrateInfo[] = [crate('demo', 'demo')]): Promise<RustScanOutput> {
  const root = mkdtempSync(path.join(tmpdir(), 'scan-rust-carriers-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return scanRust({ root, files: Object.keys(files), crates, useCache: false });
}

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('conditional builder calls', () => {
  it('no_proxy only inside `if` is conditional; the chain before it is not', async () => {
    const out = await scanTree({
      'demo/src/lib.rs': lines(
        'pub fn build_client() -> reqwest::Client {',
        '    let mut builder = reqwest::Client::builder().user_agent("ua");',
        '    if is_sandboxed() {',
        '        builder = builder.no_proxy();',
        '    }',
        '    builder.build().unwrap()',
        '}',
      ),
    });
    expect(out.clients).toHaveLength(1);
    const c = out.clients[0]!;
    expect(c.calls).toEqual(['user_agent', 'no_proxy']);
    expect(c.noProxy).toBe(true);
    expect(c.conditionalCalls).toEqual(['no_proxy']);
  });

  it('no_proxy in the chain, or both conditionally and unconditionally, or in both if/else branches, is not conditional', async () => {
    const out = await scanTree({
      'demo/src/a.rs': 'fn a() { let _ = reqwest::blocking::Client::builder().no_proxy().build(); }\n',
      'demo/src/b.rs': lines(
        'fn b(flag: bool) {',
        '    let mut builder = reqwest::Client::builder();',
        '    builder = builder.no_proxy();',
        '    if flag { builder = builder.no_proxy(); }',
        '    let _ = builder.build();',
        '}',
      ),
      'demo/src/c.rs': lines(
        'fn c(flag: bool, t: std::time::Duration) {',
        '    let mut builder = reqwest::Client::builder();',
        '    if flag {',
        '        builder = builder.no_proxy();',
        '    } else {',
        '        builder = builder.no_proxy().timeout(t);',
        '    }',
        '    let _ = builder.build();',
        '}',
      ),
    });
    const byFile = Object.fromEntries(out.clients.map((c) => [c.file, c]));
    expect(byFile['demo/src/a.rs']!.calls).toEqual(['no_proxy']);
    expect(byFile['demo/src/a.rs']!.conditionalCalls).toBeUndefined();
    expect(byFile['demo/src/b.rs']!.conditionalCalls).toBeUndefined();
    expect(byFile['demo/src/c.rs']!.calls).toEqual(['no_proxy', 'timeout']);
    expect(byFile['demo/src/c.rs']!.conditionalCalls).toEqual(['timeout']);
  });

  it('a match arm, an `if let` and a closure make calls conditional', async () => {
    const out = await scanTree({
      'demo/src/lib.rs': lines(
        'fn m(p: Option<reqwest::Proxy>, c: Option<reqwest::Certificate>) {',
        '    let mut builder = reqwest::Client::builder();',
        '    builder = match p {',
        '        Some(p) => builder.proxy(p),',
        '        None => builder,',
        '    };',
        '    if let Some(cert) = c {',
        '        builder = builder.add_root_certificate(cert);',
        '    }',
        '    let _ = builder.build();',
        '}',
      ),
    });
    expect(out.clients[0]!.conditionalCalls).toEqual(['proxy', 'add_root_certificate']);
    expect(out.clients[0]!.tls.rootsAdded).toBe(true);
  });

  it('a helper that adds rustls and roots only under `if let` makes them conditional for the client', async () => {
    const out = await scanTree({
      'demo/src/custom_ca.rs': lines(
        'pub fn with_custom_ca(mut builder: reqwest::ClientBuilder) -> reqwest::Client {',
        '    if let Some(bundle) = configured_ca_bundle() {',
        '        builder = builder.use_rustls_tls();',
        '        for cert in bundle {',
        '            builder = builder.add_root_certificate(cert);',
        '        }',
        '    }',
        '    builder.build().unwrap()',
        '}',
        'pub fn always_rustls(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {',
        '    builder.use_rustls_tls()',
        '}',
      ),
      'demo/src/lib.rs': lines(
        'use crate::custom_ca::with_custom_ca;',
        'pub fn make(t: std::time::Duration) -> reqwest::Client {',
        '    with_custom_ca(reqwest::Client::builder().timeout(t))',
        '}',
        'pub fn make_pinned(flag: bool) -> reqwest::Client {',
        '    let mut b = reqwest::Client::builder();',
        '    if flag { b = always_rustls(b); }',
        '    b.build().unwrap()',
        '}',
      ),
    });
    const make = out.clients.find((c) => c.function === 'make')!;
    expect(make.calls).toEqual(['timeout', 'use_rustls_tls', 'add_root_certificate']);
    expect(make.via).toEqual(['with_custom_ca']);
    expect(make.tls.useRustls).toBe(true);
    expect(make.conditionalCalls).toEqual(['use_rustls_tls', 'add_root_certificate']);
    // the helper applies rustls always, but is itself called only under `if`
    const pinned = out.clients.find((c) => c.function === 'make_pinned')!;
    expect(pinned.calls).toEqual(['use_rustls_tls']);
    expect(pinned.conditionalCalls).toEqual(['use_rustls_tls']);
  });
});

describe('endpoint carriers', () => {
  it('a const used with a factory from another crate is carried by that factory’s client, not by another client of the same crate', async () => {
    const out = await scanTree(
      {
        'core/src/default_client.rs': lines(
          'pub struct CodexHttpClient(reqwest::Client);',
          'pub fn create_client() -> CodexHttpClient {',
          '    CodexHttpClient(build_reqwest_client())',
          '}',
          'pub fn build_reqwest_client() -> reqwest::Client {',
          '    reqwest::Client::builder().user_agent("codex").build().unwrap()',
          '}',
        ),
        'tui/src/updates.rs': lines(
          'use codex_core::default_client::create_client;',
          'const LATEST_RELEASE_URL: &str = "https://api.github.com/repos/openai/codex/releases/latest";',
          'async fn check_for_update() {',
          '    let _ = create_client().get(LATEST_RELEASE_URL).send().await;',
          '}',
        ),
        'tui/src/tooltips.rs': lines(
          'const TIP_URL: &str = "https://raw.githubusercontent.com/openai/codex/main/tip.toml";',
          'fn fetch_tip() {',
          '    let client = reqwest::blocking::Client::builder().no_proxy().build().unwrap();',
          '    let _ = client.get(TIP_URL).send();',
          '}',
        ),
      },
      [crate('codex-core', 'core'), crate('codex-tui', 'tui', ['codex-core'])],
    );
    const ep = (u: string) => out.endpoints.find((e) => e.url.includes(u))!;
    expect(ep('releases/latest').carriers).toEqual([{ file: 'core/src/default_client.rs', line: 6 }]);
    expect(ep('tip.toml').carriers).toEqual([{ file: 'tui/src/tooltips.rs', line: 3 }]);
  });

  it('resolves a factory name in the crate its path names, then the same file; skips generic names', async () => {
    const out = await scanTree(
      {
        'login/src/default_client.rs': 'pub fn build_reqwest_client() -> reqwest::Client { reqwest::Client::builder().build().unwrap() }\n',
        'api/src/files.rs': lines(
          'fn build_reqwest_client() -> reqwest::Client {',
          '    reqwest::Client::new()',
          '}',
          'pub fn upload() { let _ = build_reqwest_client().post("https://api.openai.com/v1/files"); }',
        ),
        'cli/src/doctor.rs': lines(
          'pub fn probe() {',
          '    let _ = codex_login::default_client::build_reqwest_client().get("https://chatgpt.com/backend-api/ping");',
          '}',
        ),
        'cli/src/other.rs': lines(
          'struct Api;',
          'impl Api { fn new() -> reqwest::Client { reqwest::Client::new() } }',
          'pub fn ping() { let _ = new().get("https://chatgpt.com/backend-api/other"); }',
        ),
      },
      [crate('codex-login', 'login'), crate('codex-api', 'api'), crate('codex-cli', 'cli', ['codex-login', 'codex-api'])],
    );
    const ep = (u: string) => out.endpoints.find((e) => e.url.includes(u))!;
    expect(ep('/v1/files').carriers).toEqual([{ file: 'api/src/files.rs', line: 2 }]);
    expect(ep('/ping').carriers).toEqual([{ file: 'login/src/default_client.rs', line: 1 }]);
    // `new` is too generic to resolve by name: only the same-file site carries it
    expect(ep('/other').carriers).toEqual([{ file: 'cli/src/other.rs', line: 2 }]);
  });

  it('an endpoint with no client or factory where it is used has no carriers', async () => {
    const out = await scanTree({
      'demo/src/config.rs': 'pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";\npub fn base() -> String { DEFAULT_BASE_URL.to_string() }\n',
    });
    expect(out.endpoints).toHaveLength(1);
    expect(out.endpoints[0]!.carriers).toBeUndefined();
  });
});
