import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryClosure, scanManifests, unifiedFeatures, type ManifestScan } from '../../src/scan/cargo/index.js';

const ROOT = fileURLToPath(new URL('../../fixtures/codex-rs/', import.meta.url));
const MEMBERS = ['app-server', 'backend-client', 'cli', 'cloud-tasks', 'codex-client', 'config', 'core', 'feedback', 'login', 'ollama', 'otel', 'responses-api-proxy', 'rmcp-client', 'state', 'tui'];
const MANIFESTS = ['Cargo.toml', ...MEMBERS.map((m) => `${m}/Cargo.toml`)];

let scan: ManifestScan;
beforeAll(async () => {
  scan = await scanManifests(ROOT, MANIFESTS);
});

const text = (rel: string) => readFileSync(`${ROOT}${rel}`, 'utf8');
const find = (manifest: string, dependency: string, feature: string) =>
  scan.tlsFeatures.filter((t) => t.manifest === manifest && t.dependency === dependency && t.feature === feature);

describe('scanManifests on fixtures/codex-rs', () => {
  it('reads the workspace version and every crate, without warnings', () => {
    expect(scan.warnings).toEqual([]);
    expect(scan.workspaceVersion).toBe('0.115.0');
    expect(scan.crates.map((c) => c.name).sort()).toEqual(MEMBERS.map((m) => (m === 'codex-client' ? 'codex-client' : `codex-${m}`)).sort());
  });

  it('resolves codex-cli: bin, workspace path deps, a direct path dep, a renamed target dep, dev-deps', () => {
    const cli = scan.crates.find((c) => c.name === 'codex-cli')!;
    expect(cli.manifest).toBe('cli/Cargo.toml');
    expect(cli.dir).toBe('cli');
    expect(cli.bins).toEqual(['codex']);
    const dep = (n: string) => cli.deps.find((d) => d.name === n);
    expect(dep('codex-core')).toEqual({ name: 'codex-core', package: 'codex-core', table: 'dependencies', path: 'core' });
    expect(dep('codex-cloud-tasks')).toEqual({ name: 'codex-cloud-tasks', package: 'codex-cloud-tasks', table: 'dependencies', path: 'cloud-tasks' });
    expect(dep('codex_ollama')).toEqual({
      name: 'codex_ollama',
      package: 'codex-ollama',
      table: 'target.cfg(not(target_os = "windows")).dependencies',
      path: 'ollama',
    });
    expect(dep('pretty_assertions')).toEqual({ name: 'pretty_assertions', package: 'pretty_assertions', table: 'dev-dependencies' });
    expect(dep('anyhow')!.path).toBeUndefined();
  });

  it('puts every member in the codex-cli closure (ollama only through the target-specific dep)', () => {
    const cl = binaryClosure(scan.crates);
    expect([...cl].sort()).toEqual(scan.crates.map((c) => c.name).sort());
    expect([...binaryClosure(scan.crates, 'codex-app-server')].sort()).toEqual([
      'codex-app-server',
      'codex-backend-client',
      'codex-client',
      'codex-config',
      'codex-core',
      'codex-login',
      'codex-otel',
      'codex-rmcp-client',
    ]);
    expect(binaryClosure(scan.crates, 'no-such-crate').size).toBe(0);
  });

  it('finds rustls-tls in shipped tables of exactly backend-client, otel, responses-api-proxy, rmcp-client', () => {
    const shipped = scan.tlsFeatures.filter((t) => t.dependency === 'reqwest' && t.feature === 'rustls-tls' && !t.test);
    expect(shipped.map((t) => `${t.manifest}:${t.line}`).sort()).toEqual([
      'backend-client/Cargo.toml:9',
      'otel/Cargo.toml:25',
      'responses-api-proxy/Cargo.toml:13',
      'rmcp-client/Cargo.toml:10',
    ]);
    for (const t of shipped) {
      expect(t.roots).toBe('webpki');
      expect(t.table).toBe('dependencies');
      expect(t.inherited).toBe(false);
      expect(t.declared!.manifest).toBe(t.manifest);
      expect(text(t.declared!.manifest).slice(t.declared!.start, t.declared!.end)).toBe('"rustls-tls"');
    }
    expect(shipped.find((t) => t.manifest === 'responses-api-proxy/Cargo.toml')!.declared!.line).toBe(16);
    expect(shipped.find((t) => t.manifest === 'rmcp-client/Cargo.toml')!.declared!.line).toBe(13);
    expect(shipped.find((t) => t.manifest === 'backend-client/Cargo.toml')!.version).toBe('0.12');
  });

  it('marks app-server rustls-tls as test-only (dev-dependencies)', () => {
    const [t] = find('app-server/Cargo.toml', 'reqwest', 'rustls-tls');
    expect(t).toMatchObject({ table: 'dev-dependencies', test: true, line: 16, crate: 'codex-app-server' });
  });

  it('adds reqwest default-tls where default features stay on, never where they are off', () => {
    const implicit = scan.tlsFeatures.filter((t) => t.dependency === 'reqwest' && t.implicit);
    expect(implicit.map((t) => t.manifest).sort()).toEqual([
      'Cargo.toml',
      'app-server/Cargo.toml',
      'cloud-tasks/Cargo.toml',
      'codex-client/Cargo.toml',
      'core/Cargo.toml',
      'login/Cargo.toml',
      'ollama/Cargo.toml',
      'otel/Cargo.toml',
      'responses-api-proxy/Cargo.toml',
      'tui/Cargo.toml',
    ]);
    for (const t of implicit) {
      expect(t.feature).toBe('default-tls');
      expect(t.roots).toBe('native-tls');
      expect(t.declared).toBeUndefined();
    }
    expect(find('core/Cargo.toml', 'reqwest', 'default-tls')[0]).toMatchObject({ line: 18, inherited: true, version: '0.12' });
    // the [dependencies.reqwest] sub-table: line of its header
    expect(find('ollama/Cargo.toml', 'reqwest', 'default-tls')[0]!.line).toBe(11);
    expect(find('Cargo.toml', 'reqwest', 'default-tls')[0]).toMatchObject({ table: 'workspace.dependencies', crate: '', line: 48 });
  });

  it('inherits workspace features with declared spans in the root manifest', () => {
    const [t] = find('core/Cargo.toml', 'tokio-tungstenite', 'rustls-tls-native-roots');
    expect(t).toMatchObject({ line: 23, crate: 'codex-core', roots: 'native', inherited: true, version: '0.28.0', table: 'dependencies' });
    expect(t!.declared).toMatchObject({ manifest: 'Cargo.toml', line: 60 });
    expect(text('Cargo.toml').slice(t!.declared!.start, t!.declared!.end)).toBe('"rustls-tls-native-roots"');
    const [sqlx] = find('state/Cargo.toml', 'sqlx', 'runtime-tokio-rustls');
    expect(sqlx).toMatchObject({ roots: 'webpki', inherited: true, line: 9, declared: { manifest: 'Cargo.toml', line: 56 } });
  });

  it('classifies opentelemetry-otlp, rmcp and sentry features from rules/tls.toml', () => {
    const otel = scan.tlsFeatures.filter((t) => t.manifest === 'otel/Cargo.toml' && t.dependency === 'opentelemetry-otlp');
    expect(otel.map((t) => [t.feature, t.roots, t.declared!.line])).toEqual([
      ['reqwest-blocking-client', 'none', 20],
      ['reqwest-rustls', 'native', 21],
      ['tls', 'none', 22],
      ['tls-roots', 'native', 23],
    ]);
    const rmcp = scan.tlsFeatures.filter((t) => t.manifest === 'rmcp-client/Cargo.toml' && t.dependency === 'rmcp');
    expect(rmcp.map((t) => [t.feature, t.roots, t.inherited])).toEqual([
      ['auth', 'none', false],
      ['transport-streamable-http-client-reqwest', 'none', false],
    ]);
    expect(find('feedback/Cargo.toml', 'sentry', 'native-tls')[0]).toMatchObject({ implicit: true, roots: 'native-tls', line: 9 });
    // core's rmcp has no TLS-relevant feature
    expect(scan.tlsFeatures.some((t) => t.manifest === 'core/Cargo.toml' && t.dependency === 'rmcp')).toBe(false);
  });

  it('unifies reqwest features of codex-cli: default-tls, rustls-tls, and rustls-tls-native-roots via opentelemetry-otlp', () => {
    const u = unifiedFeatures(scan.tlsFeatures, binaryClosure(scan.crates));
    expect(u.features).toEqual(['default-tls', 'rustls-tls', 'rustls-tls-native-roots']);
    expect(u.evidence.some((t) => t.dependency === 'opentelemetry-otlp' && t.feature === 'reqwest-rustls')).toBe(true);
    expect(u.evidence.some((t) => t.dependency === 'sentry' && t.feature === 'native-tls')).toBe(true);
    expect(u.evidence.some((t) => t.test)).toBe(false);
    // backend-client alone: rustls-tls only, no default-tls
    expect(unifiedFeatures(scan.tlsFeatures, binaryClosure(scan.crates, 'codex-backend-client')).features).toEqual(['rustls-tls']);
    expect(unifiedFeatures(scan.tlsFeatures, binaryClosure(scan.crates), 'tokio-tungstenite').features).toEqual(['rustls-tls-native-roots']);
  });

  it('lists the locked packages that depend on webpki-roots', () => {
    expect(scan.lockedWebpki!.map((l) => `${l.package} ${l.version}`).sort()).toEqual(['hyper-rustls 0.27.7', 'reqwest 0.12.28', 'sqlx-core 0.8.6']);
    const sqlx = scan.lockedWebpki!.find((l) => l.package === 'sqlx-core')!;
    expect(sqlx.reason).toBe('codex-state -> sqlx 0.8.6 -> sqlx-core 0.8.6 -> webpki-roots');
  });
});
