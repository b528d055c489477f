// Regression checks of the whole analysis on real codex-rs trees (CODEX_MITM_TREES, see
// test/helpers/real-trees.ts). The expectations were read off the trees by hand and checked against
// the real binaries where docs/verify.md says so: up to 0.114 the model API moves with
// OPENAI_BASE_URL and native-tls makes the CA route Linux-only; from 0.115 codex's shared client adds
// CODEX_CA_CERTIFICATE / SSL_CERT_FILE; from 0.143 every client comes from the http-client crate.
import { describe, expect, it } from 'vitest';
import type { Channel, ScanResult } from '../../src/model.js';
import { realTree } from '../helpers/real-trees.js';
import { runCli } from '../helpers/run-cli.js';

const FILE = 'test/channels/real-trees.test.ts';
const EVERY = { linux: 'yes', macos: 'yes', windows: 'yes' };

function scan(root: string): ScanResult & { ch(id: string): Channel } {
  const r = runCli(['scan', root, '--json', '--no-cache']);
  expect(r.code, r.stderr).toBe(0);
  const res = JSON.parse(r.stdout) as ScanResult;
  return Object.assign(res, {
    ch(id: string): Channel {
      const c = res.channels!.find((x) => x.id === id);
      if (!c) throw new Error(`no channel ${id}: ${res.channels!.map((x) => x.id).join(', ')}`);
      return c;
    },
  });
}

const CSP_HOSTS = ['cdnjs.cloudflare.com', 'cdn.jsdelivr.net', 'esm.sh', 'unpkg.com', 'fonts.googleapis.com', 'fonts.gstatic.com', 'fonts.bunny.net'];

describe('real trees', () => {
  const t98 = realTree('0.98.0', FILE);
  it.skipIf(!t98)('0.98: A is recommended; the CA route is Linux-only (native-tls, no custom CA)', () => {
    const r = scan(t98!);
    expect(r.recommendation!.approach).toBe('a');
    expect(r.capabilities!.customCaEnv).toEqual([]);
    expect(r.capabilities!.openaiBaseUrlEnv).toBe(true);
    const m = r.ch('model-api');
    expect(m.coverage.a).toBe('yes');
    expect(m.platforms).toEqual({ linux: 'yes', macos: 'no', windows: 'no' });
    expect(r.tracing!.level).toBe('good');
  });

  for (const [label, v] of [['0.115', '0.115.0'], ['0.125', '0.125.0'], ['mid-2026', 'mid']] as const) {
    const t = realTree(v, FILE);
    it.skipIf(!t)(`${label}: CA is recommended; the shared client adds the custom CA on every platform`, () => {
      const r = scan(t!);
      expect(r.recommendation!.approach).toBe('ca');
      expect(r.capabilities!.customCaEnv).toEqual(['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']);
      for (const id of ['model-api', 'chatgpt-backend', 'analytics']) expect(r.ch(id).platforms, id).toEqual(EVERY);
      expect(r.tracing!.level).not.toBe('poor');
    });
  }

  for (const v of ['0.147.1', '0.148.0']) {
    const t = realTree(v, FILE);
    it.skipIf(!t)(`${v} (http-client crate): CA captures model API, backend, analytics and token refresh everywhere`, () => {
      const r = scan(t!);
      expect(r.recommendation!.approach).toBe('ca');
      expect(r.capabilities!.customCaEnv).toEqual(['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']);
      // from 0.122 OPENAI_BASE_URL is not read; the network proxy's credential broker looks it up
      // in a sandboxed child's environment, which is no override of codex's own traffic
      expect(r.capabilities!.openaiBaseUrlEnv).toBe(false);
      for (const id of ['model-api', 'chatgpt-backend', 'analytics', 'token-refresh']) {
        const c = r.ch(id);
        expect(c.coverage.ca, `${id}: ${c.why.ca.slice(0, 3).join(' | ')}`).toBe('yes');
        expect(c.platforms, id).toEqual(EVERY);
        expect(c.trace, id).not.toBe('unknown');
      }
      // the factories of the http-client crate carry them, not responses-api-proxy's own client
      expect(r.ch('model-api').clients.map((c) => c.crate)).not.toContain('codex-responses-api-proxy');
      expect(r.factories!.some((f) => f.crate === 'codex-http-client' && f.tls.customCaEnv.includes('CODEX_CA_CERTIFICATE'))).toBe(true);
      // git's TLS is its own: never captured by the CA route
      expect(r.ch('plugins-git').coverage.ca).toBe('no');
      // websockets are channels of their own
      expect(r.channels!.map((c) => c.id)).toEqual(expect.arrayContaining(['realtime', 'responses-websocket']));
      // no CSP / schema / allowlist strings among the endpoints
      for (const h of CSP_HOSTS) expect(r.endpoints.filter((e) => e.host === h), h).toEqual([]);
      expect(r.endpoints.filter((e) => e.host === 'agent-plugins.org')).toEqual([]);
      expect(r.tracing!.level).not.toBe('poor');
      expect(r.tracing!.clientSites.resolved).toBe(r.tracing!.clientSites.total);
    });
  }
});
