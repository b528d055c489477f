// Checks against real codex-rs checkouts when they are present on this machine (read-only, outside the repo).
// Expectations were taken by hand from the manifests (grep) and DESIGN.md.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryClosure, scanManifests, unifiedFeatures } from '../../src/scan/cargo/index.js';
import { lexToml } from '../../src/util/toml-spans.js';
import { discover } from '../../src/scan/discover.js';
import { realTree } from '../helpers/real-trees.js';

async function shippedRustls(root: string) {
  const s = await scanManifests(root, (await discover(root)).manifests);
  const cl = binaryClosure(s.crates);
  const hits = s.tlsFeatures.filter((t) => t.dependency === 'reqwest' && t.feature === 'rustls-tls' && !t.test && t.table !== 'workspace.dependencies');
  return { s, cl, hits };
}

// From CODEX_MITM_TREES (test/helpers/real-trees.ts); absent trees skip, saying so.
const FILE = 'test/scan-cargo/real-trees.test.ts';
const T098 = realTree('0.98.0', FILE) ?? '';
const T115 = realTree('0.115.0', FILE) ?? '';
const TMID = realTree('mid', FILE) ?? '';

/** The seed's four shipped manifests with reqwest `rustls-tls` (0.98 and 0.115). */
const SEED_FOUR = ['backend-client/Cargo.toml', 'otel/Cargo.toml', 'responses-api-proxy/Cargo.toml', 'rmcp-client/Cargo.toml'];

describe('real codex-rs trees', () => {
  it.skipIf(!T098)('0.98: rustls-tls in backend-client, otel, responses-api-proxy, rmcp-client, all reached by codex-cli', async () => {
    const { s, cl, hits } = await shippedRustls(T098);
    expect(s.warnings).toEqual([]);
    expect(s.workspaceVersion).toBe('0.98.0');
    expect(hits.map((t) => t.manifest).sort()).toEqual(SEED_FOUR);
    for (const t of hits) expect(cl.has(t.crate)).toBe(true);
    const u = unifiedFeatures(s.tlsFeatures, cl);
    expect(u.features).toContain('default-tls');
    expect(u.features).toContain('rustls-tls');
    for (const t of hits) {
      const text = readFileSync(path.join(T098, t.declared!.manifest), 'utf8');
      expect(text.slice(t.declared!.start, t.declared!.end)).toBe('"rustls-tls"');
    }
  });

  it.skipIf(!T115)('0.115: the same four shipped, app-server only in dev-dependencies', async () => {
    const { s, cl, hits } = await shippedRustls(T115);
    expect(s.workspaceVersion).toBe('0.115.0');
    expect(hits.map((t) => t.manifest).sort()).toEqual(SEED_FOUR);
    for (const t of hits) expect(cl.has(t.crate)).toBe(true);
    expect(s.tlsFeatures.filter((t) => t.feature === 'rustls-tls' && t.test).map((t) => t.manifest)).toEqual(['app-server/Cargo.toml']);
    expect(unifiedFeatures(s.tlsFeatures, cl).features).toContain('default-tls');
  });

  it.skipIf(!TMID)('mid-2026: exec-server and app-server-daemon join, rmcp-client moves to reqwest 0.13', async () => {
    const { s, cl, hits } = await shippedRustls(TMID);
    expect(s.workspaceVersion).toBe('0.0.0');
    expect(hits.map((t) => t.manifest).sort()).toEqual([
      'app-server-daemon/Cargo.toml',
      'backend-client/Cargo.toml',
      'exec-server/Cargo.toml',
      'otel/Cargo.toml',
      'responses-api-proxy/Cargo.toml',
    ]);
    for (const t of hits) expect(cl.has(t.crate)).toBe(true);
    expect(unifiedFeatures(s.tlsFeatures, cl).features).toContain('default-tls');
    const r13 = s.tlsFeatures.find((t) => t.manifest === 'rmcp-client/Cargo.toml' && t.dependency === 'reqwest');
    expect(r13).toMatchObject({ feature: 'rustls', roots: 'platform', version: '0.13' });
  });

  it.skipIf(!T098)('the span lexer agrees with smol-toml on every manifest of the real trees', async () => {
    const { parse } = await import('smol-toml');
    let strings = 0;
    for (const root of [T098, T115, TMID].filter(Boolean)) {
      for (const rel of [...(await discover(root)).manifests, 'Cargo.lock']) {
        const text = readFileSync(path.join(root, rel), 'utf8');
        const doc = parse(text);
        for (const s of lexToml(text).strings) {
          let cur: any = doc;
          for (const k of s.path) cur = cur?.[k];
          expect(cur).toBe(s.value);
          strings++;
        }
      }
    }
    expect(strings).toBeGreaterThan(1000);
  });
});
