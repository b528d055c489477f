// verify's table fits the terminal it is shown in; TLS errors go below it, one line each.
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/verify/index.js';
import { renderTable } from '../../src/verify/render.js';

const observation = (host: string, method: string, path: string, route: 'reverse' | 'intercepted' | 'refused' | 'not-seen', extra: Record<string, unknown> = {}) => ({
  host, method, path, route, scheme: 'https', channel: null, predicted: 'no', count: 1, ...extra,
});

function report(): VerifyReport {
  return {
    codex: { version: '0.171.0', versionText: 'codex-cli 0.171.0', exitCode: null, signal: 'SIGTERM', timedOut: true, stderrTail: '' },
    approach: 'a',
    auth: 'apikey',
    caEnv: 'both',
    root: '/tmp/tree',
    date: '2026-12-02T00:00:00Z',
    settings: ['env HTTPS_PROXY/HTTP_PROXY/https_proxy/http_proxy/ALL_PROXY/all_proxy=http://127.0.0.1:43847'],
    notes: ['the scanned tree is version 0.148.0 but the codex binary is 0.171.0: predictions may not apply'],
    observations: [
      observation('api.openai.com', 'GET', '/v1/responses', 'reverse', { upgrade: 'websocket', count: 7, channel: 'responses-websocket', predicted: 'yes' }),
      observation('chatgpt.com', 'CONNECT', '', 'refused', { candidates: ['analytics', 'model-api-chatgpt', 'plugins-sync', 'plugins', 'chatgpt-backend'], predicted: 'partial', error: 'tlsv1 alert unknown ca' }),
      observation('github.com', 'CONNECT', '', 'refused', { channel: 'plugins-git', error: 'client closed the connection after the handshake without a request' }),
    ],
    failures: [],
  } as unknown as VerifyReport;
}

describe('verify table', () => {
  it('fits 80 and 100 columns, and lists TLS errors below the rows', () => {
    for (const w of [80, 100]) {
      const out = renderTable(report(), w);
      for (const l of out.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(w);
      expect(out).toContain('  ! chatgpt.com CONNECT: tlsv1 alert unknown ca');
      expect(out).toMatch(w >= 100 ? /^chatgpt\.com\s+CONNECT\s+forward proxy, TLS refused/m : /^chatgpt\.com\s+CONNECT\s+forward proxy/m);
    }
  });

  it('is not cut in a pipe (no width)', () => {
    const out = renderTable(report());
    expect(out).toContain('one of analytics, model-api-chatgpt, plugins-sync, plugins, chatgpt-backend');
  });
});
