// Warm scans reuse the manifest scan only while no Cargo.toml changed.
import { cpSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model.js';
import { FIXTURE, runCli } from '../helpers/run-cli.js';

describe('manifest cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-mcache-'));
  const tree = join(dir, 'codex-rs');
  cpSync(FIXTURE, tree, { recursive: true });
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  const scanJson = (...extra: string[]): ScanResult => {
    const r = runCli(['scan', tree, '--json', ...extra], { env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ScanResult;
  };
  const webpki = (r: ScanResult) =>
    r.tlsFeatures.filter((f) => f.roots === 'webpki' && f.dependency === 'reqwest').map((f) => `${f.manifest}:${f.line}`).sort();

  it('gives the same facts warm as cold, and sees an edited manifest', () => {
    const cold = scanJson('--no-cache');
    scanJson(); // fills the cache
    const warm = scanJson();
    expect(warm.tlsFeatures).toEqual(cold.tlsFeatures);
    expect(warm.crates).toEqual(cold.crates);
    // backend-client declares reqwest with rustls-tls (fixtures/codex-rs/backend-client/Cargo.toml)
    expect(webpki(warm)).toContain('backend-client/Cargo.toml:9');

    const manifest = join(tree, 'backend-client', 'Cargo.toml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"rustls-tls"', '"rustls-tls-native-roots"'));
    utimesSync(manifest, new Date(), new Date(Date.now() + 5_000));
    const edited = scanJson();
    expect(webpki(edited)).not.toContain('backend-client/Cargo.toml:9');
    expect(edited.tlsFeatures.some((f) => f.manifest === 'backend-client/Cargo.toml' && f.feature === 'rustls-tls-native-roots')).toBe(true);
  });
});
