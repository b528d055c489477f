import { describe, expect, it } from 'vitest';
import { renderVersionsTable } from '../../src/report/versions.js';
import { sample } from './sample.js';

describe('renderVersionsTable', () => {
  it('one row per version, sorted by version, facts from capabilities, manifests and channels', () => {
    const newer = sample();
    newer.capabilities = { ...newer.capabilities!, version: '0.122.0', openaiBaseUrlEnv: false };
    newer.tlsFeatures = newer.tlsFeatures.filter((t) => t.roots !== 'webpki' || t.test);
    newer.recommendation = { approach: 'a', reason: 'x', misses: [] };
    const older = sample();
    older.capabilities = { ...older.capabilities!, version: '0.98.0', openaiBaseUrlKey: false, customCaEnv: [] };
    const mid = sample();
    mid.tracing = {
      endpoints: { total: 5, traced: 4, file: 1, untraced: 0 },
      clientSites: { total: 2, resolved: 2 },
      factories: 3,
      channels: { total: 2, traced: 2, file: 0, assumed: 0, unknown: 0 },
      level: 'good',
    };
    const lines = renderVersionsTable([
      { result: newer },
      { label: 'mid-2026', result: mid },
      { result: older },
    ]).trimEnd().split('\n');
    expect(lines[0]).toBe(
      '| codex | .rs files | `OPENAI_BASE_URL` env | `openai_base_url` key | custom CA env | CLI TLS | reqwest webpki roots (shipped) | channels captured A · B · CA | endpoints traced | recommended |',
    );
    expect(lines.slice(2)).toEqual([
      '| 0.98.0 | 12 | yes | no | none | native-tls | 1: `backend-client` | 1/2 · 0/2 · 0/2 (+1 partial) | ? | CA |',
      '| 0.122.0 | 12 | no | yes | `CODEX_CA_CERTIFICATE`, `SSL_CERT_FILE` | native-tls | 0 | 1/2 · 0/2 · 0/2 (+1 partial) | ? | A |',
      '| mid-2026 | 12 | yes | yes | `CODEX_CA_CERTIFICATE`, `SSL_CERT_FILE` | native-tls | 1: `backend-client` | 1/2 · 0/2 · 0/2 (+1 partial) | 4/5 (good) | CA |',
    ]);
  });
});
