import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { binaryClosure, scanManifests, unifiedFeatures } from '../../src/scan/cargo/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Write a tree of files into a fresh temp folder; returns its path. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'scan-cargo-'));
  dirs.push(root);
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), body);
  }
  return root;
}

const WS = (deps: string) => `[workspace]\nmembers = ["a", "b", "c"]\n\n[workspace.package]\nversion = "0.0.0"\n\n[workspace.dependencies]\n${deps}\n`;

describe('scanManifests edge cases', () => {
  it('turns a manifest that does not parse into a warning with its line and scans the rest', async () => {
    const root = tree({
      'Cargo.toml': WS('reqwest = "0.12"'),
      'a/Cargo.toml': '[package]\nname = "a"\n\n[dependencies]\nreqwest = { workspace = true, features = ["rustls-tls" }\n',
      'b/Cargo.toml': '[package]\nname = "b"\n\n[dependencies]\nreqwest = { workspace = true }\n',
    });
    const s = await scanManifests(root, ['Cargo.toml', 'a/Cargo.toml', 'b/Cargo.toml', 'c/Cargo.toml']);
    expect(s.workspaceVersion).toBe('0.0.0');
    const manifestWarnings = s.warnings.filter((w) => w.kind === 'manifest');
    expect(manifestWarnings).toHaveLength(1);
    expect(manifestWarnings[0]).toMatchObject({ file: 'a/Cargo.toml', line: 5 });
    expect(s.warnings.find((w) => w.kind === 'unreadable')).toMatchObject({ file: 'c/Cargo.toml' });
    expect(s.crates.map((c) => c.name)).toEqual(['b']);
    expect(s.tlsFeatures.filter((t) => t.crate === 'b').map((t) => t.feature)).toEqual(['default-tls']);
  });

  it('follows Cargo default-features inheritance rules', async () => {
    const root = tree({
      'Cargo.toml': WS('reqwest = { version = "0.12", default-features = false }\ntokio-tungstenite = "0.28"\nhyper-rustls = "0.27"'),
      // workspace off + member on -> on
      'a/Cargo.toml': '[package]\nname = "a"\n[dependencies]\nreqwest = { workspace = true, default-features = true, features = ["json"] }\n',
      // workspace off, member silent -> off
      'b/Cargo.toml': '[package]\nname = "b"\n[dependencies]\nreqwest = { workspace = true, features = ["rustls-tls-native-roots"] }\n',
      // workspace on, member off -> still on (Cargo ignores it); implicit default of hyper-rustls
      'c/Cargo.toml': '[package]\nname = "c"\n[dependencies]\nhyper-rustls = { workspace = true, default-features = false }\n',
    });
    const s = await scanManifests(root, ['Cargo.toml', 'a/Cargo.toml', 'b/Cargo.toml', 'c/Cargo.toml']);
    const of = (crate: string) => s.tlsFeatures.filter((t) => t.crate === crate).map((t) => `${t.dependency}/${t.feature}${t.implicit ? '*' : ''}`);
    expect(of('a')).toEqual(['reqwest/default-tls*']);
    expect(of('b')).toEqual(['reqwest/rustls-tls-native-roots']);
    expect(of('c')).toEqual(['hyper-rustls/native-tokio*']);
    expect(of('')).toEqual(['hyper-rustls/native-tokio*']);
  });

  it('resolves `package = "reqwest"` renames and locates the feature under the manifest key', async () => {
    const root = tree({
      'Cargo.toml': '[package]\nname = "solo"\nversion = "0.1.0"\n\n[dependencies]\nhttp = { package = "reqwest", version = "0.12", default-features = false, features = ["rustls-tls"] }\n',
    });
    const s = await scanManifests(root, ['Cargo.toml']);
    expect(s.workspaceVersion).toBeUndefined();
    expect(s.crates).toEqual([
      { name: 'solo', manifest: 'Cargo.toml', dir: '', bins: [], deps: [{ name: 'http', package: 'reqwest', table: 'dependencies' }] },
    ]);
    const [t] = s.tlsFeatures;
    expect(t).toMatchObject({ dependency: 'reqwest', feature: 'rustls-tls', crate: 'solo', line: 6 });
    const text = readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
    expect(text.slice(t!.declared!.start, t!.declared!.end)).toBe('"rustls-tls"');
  });

  it('classifies reqwest 0.13 features by their own rules', async () => {
    const root = tree({
      'Cargo.toml': '[package]\nname = "n"\n[dependencies]\nreqwest = { version = "0.13", default-features = false, features = ["json", "rustls"] }\n[dev-dependencies]\nreqwest = "0.13.1"\n',
    });
    const s = await scanManifests(root, ['Cargo.toml']);
    expect(s.tlsFeatures.map((t) => [t.feature, t.roots, t.table, !!t.implicit])).toEqual([
      ['rustls', 'platform', 'dependencies', false],
      ['default-tls', 'platform', 'dev-dependencies', true],
    ]);
    expect(unifiedFeatures(s.tlsFeatures, new Set(['n'])).features).toEqual(['rustls']);
  });

  it('warns about TLS-looking features the rules do not know, and reqwest versions without rules', async () => {
    const root = tree({
      'Cargo.toml': '[package]\nname = "w"\n[dependencies]\nreqwest = { version = "0.12", default-features = false, features = ["rustls-tls-fancy-roots"] }\n[build-dependencies]\nreqwest = { version = "0.9", features = ["rustls-tls"] }\n',
    });
    const s = await scanManifests(root, ['Cargo.toml']);
    expect(s.tlsFeatures).toEqual([]);
    expect(s.warnings.map((w) => [w.kind, w.line, /rustls-tls-fancy-roots|no rule/.test(w.message)])).toEqual([
      ['other', 4, true],
      ['other', 6, true],
    ]);
  });

  it('keeps dev- and build-dependencies out of the closure, follows target-specific ones', async () => {
    const pkg = (n: string, body: string) => `[package]\nname = "${n}"\n${body}`;
    const root = tree({
      'Cargo.toml': '[workspace]\nmembers = ["bin", "lib", "dev", "build", "win"]\n',
      'bin/Cargo.toml': pkg('bin', '[dependencies]\nlib = { path = "../lib" }\n[dev-dependencies]\ndev = { path = "../dev" }\n[build-dependencies]\nbuild = { path = "../build" }\n[target.\'cfg(windows)\'.dependencies]\nwin = { path = "../win/" }\n'),
      'bin/src/main.rs': 'fn main() {}\n',
      'lib/Cargo.toml': pkg('lib', '[dependencies]\nreqwest = { version = "0.12", default-features = false, features = ["rustls-tls-native-roots"] }\n'),
      'dev/Cargo.toml': pkg('dev', '[dependencies]\nreqwest = { version = "0.12", default-features = false, features = ["rustls-tls"] }\n'),
      'build/Cargo.toml': pkg('build', '[dependencies]\nreqwest = { version = "0.12" }\n'),
      'win/Cargo.toml': pkg('win', '[dependencies]\nreqwest = { version = "0.12", default-features = false, features = ["native-tls"] }\n'),
    });
    const s = await scanManifests(root, ['Cargo.toml', ...['bin', 'lib', 'dev', 'build', 'win'].map((d) => `${d}/Cargo.toml`)]);
    expect(s.crates.find((c) => c.name === 'bin')!.bins).toEqual(['bin']);
    const cl = binaryClosure(s.crates, 'bin');
    expect([...cl].sort()).toEqual(['bin', 'lib', 'win']);
    expect(unifiedFeatures(s.tlsFeatures, cl).features).toEqual(['native-tls', 'rustls-tls-native-roots']);
  });

  it('gives exact spans in a CRLF copy of the fixture', async () => {
    const src = fileURLToPath(new URL('../../fixtures/codex-rs/', import.meta.url));
    const root = mkdtempSync(path.join(tmpdir(), 'scan-cargo-crlf-'));
    dirs.push(root);
    for (const rel of ['Cargo.toml', 'responses-api-proxy/Cargo.toml', 'core/Cargo.toml']) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), readFileSync(path.join(src, rel), 'utf8').replace(/\n/g, '\r\n'));
    }
    cpSync(path.join(src, 'Cargo.lock'), path.join(root, 'Cargo.lock'));
    const s = await scanManifests(root, ['Cargo.toml', 'responses-api-proxy/Cargo.toml', 'core/Cargo.toml']);
    const spans = s.tlsFeatures.filter((t) => t.declared);
    expect(spans.length).toBeGreaterThanOrEqual(4);
    for (const t of spans) {
      const text = readFileSync(path.join(root, t.declared!.manifest), 'utf8');
      expect(text.slice(t.declared!.start, t.declared!.end)).toBe(`"${t.feature}"`);
      expect(text.slice(0, t.declared!.start).split('\r\n').length).toBe(t.declared!.line);
    }
    const proxy = s.tlsFeatures.find((t) => t.manifest === 'responses-api-proxy/Cargo.toml' && t.feature === 'rustls-tls')!;
    expect(proxy.declared!.line).toBe(16);
  });
});
