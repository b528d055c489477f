// The proxy engine on real sockets (loopback only): stub answers and what verify reads from them,
// forwarding with --upstream (host name kept for TLS), reverse listeners, websockets, OpenSSL
// clients that refuse or accept the CA, and listeners bound to 127.0.0.1 only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mockttp from 'mockttp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEngine, type Engine } from '../../src/proxy/engine.js';
import { sightingsOf } from '../../src/verify/sightings.js';
import { startStubUpstream, STUB_TEXT, type StubUpstream } from '../helpers/stub-upstream.js';

let ca: { key: string; cert: string };
beforeAll(async () => {
  ca = await mockttp.generateCACertificate({ subject: { commonName: 'codex-mitm engine test CA' } });
});

function get(url: string, opts: http.RequestOptions & { ca?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, opts, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

/** An HTTPS request through the proxy with CONNECT, TLS checked against `caPem` for `host`. */
function viaProxy(proxyPort: number, host: string, path: string, caPem: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const connect = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `${host}:443` });
    connect.on('connect', (_r, socket) => {
      const req = https.request({ host, path, socket, ca: caPem, servername: host, headers, agent: false, createConnection: () => socket } as https.RequestOptions, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', rej);
      req.end();
    });
    connect.on('error', rej);
    connect.end();
  });
}

describe('stub answers (verify)', () => {
  it('records requests with credentials redacted and answers 503 without forwarding', async () => {
    const e = await startEngine({ ca, answer: { kind: 'stub', status: 503, body: 'no\n' }, reverse: [{ name: 'model-api', upstream: 'https://api.openai.com' }] });
    try {
      const r = await get(`${e.reverse[0]!.origin}/v1/models?x=1`, { headers: { authorization: 'Bearer sk-secret', 'x-custom': 'kept', cookie: 'c=1' } });
      expect(r.status).toBe(503);
      await e.close();
      const s = sightingsOf(e.traffic);
      expect(s).toEqual([expect.objectContaining({ kind: 'reverse', listener: 'model-api', method: 'GET', path: '/v1/models?x=1' })]);
      const first = s[0]!;
      if (first.kind !== 'reverse') throw new Error('unexpected');
      expect(first.headers.authorization).toBe('<redacted>');
      expect(first.headers.cookie).toBe('<redacted>');
      expect(first.headers['x-custom']).toBe('kept');
      expect(JSON.stringify(s)).not.toContain('sk-secret');
    } finally {
      await e.close();
    }
  });

  it('listens on 127.0.0.1 only', async () => {
    const e = await startEngine({ ca, answer: { kind: 'stub', status: 503, body: '' }, reverse: [{ name: 'x', upstream: 'https://example.invalid' }] });
    try {
      for (const port of e.ports) {
        const v6 = await get(`http://[::1]:${port}/`).then(
          () => 'answered',
          (err: NodeJS.ErrnoException) => err.code,
        );
        expect(v6, `port ${port} on ::1`).not.toBe('answered');
      }
    } finally {
      await e.close();
    }
  });
});

describe('forwarding (capture)', () => {
  let stub: StubUpstream;
  let e: Engine;
  beforeAll(async () => {
    stub = await startStubUpstream();
    e = await startEngine({
      ca,
      answer: { kind: 'forward', upstreams: { '*': `127.0.0.1:${stub.port}` }, trustedCAs: [stub.caPem] },
      reverse: [{ name: 'model-api', upstream: 'https://api.openai.com' }],
    });
  });
  afterAll(async () => {
    await e?.close();
    await stub?.stop();
  });

  it('forwards through CONNECT to the mapped address, keeping the host name for TLS', async () => {
    const r = await viaProxy(e.proxy.port, 'api.openai.com', '/v1/models', ca.cert);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ object: 'list' });
  });

  it('a reverse listener forwards plain HTTP to its upstream over TLS', async () => {
    const r = await get(`${e.reverse[0]!.origin}/v1/models`);
    expect(r.status).toBe(200);
  });

  it('records websocket messages in order, both ways', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${e.reverse[0]!.port}/v1/responses`);
    const got: string[] = [];
    await new Promise<void>((res, rej) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'response.create' })));
      ws.on('message', (m) => {
        got.push(String(m));
        if (String(m).includes('response.completed')) ws.close();
      });
      ws.on('close', () => res());
      ws.on('error', rej);
    });
    expect(got.at(-1)).toContain('response.completed');
    await new Promise((r) => setTimeout(r, 200));
    const x = e.traffic.exchanges.find((x) => x.upgrade === 'websocket')!;
    expect(x.url).toBe('https://api.openai.com/v1/responses');
    expect(x.websocket!.messages[0]).toMatchObject({ type: 'send', opcode: 1, data: '{"type":"response.create"}' });
    expect(x.websocket!.messages.slice(1).map((m) => m.type).every((t) => t === 'receive')).toBe(true);
    expect(x.websocket!.messages.map((m) => m.data).join('')).toContain(`${STUB_TEXT} (websocket)`);
  });
});

describe('--upstream-proxy', () => {
  it('chains to another proxy (a corporate gateway that intercepts with its own CA)', async () => {
    const stub = await startStubUpstream();
    const gatewayCa = await mockttp.generateCACertificate({ subject: { commonName: 'corporate gateway CA' } });
    const gateway = await startEngine({ ca: gatewayCa, answer: { kind: 'forward', upstreams: { '*': `127.0.0.1:${stub.port}` }, trustedCAs: [stub.caPem] } });
    const e = await startEngine({ ca, answer: { kind: 'forward', upstreamProxy: gateway.proxy.url, trustedCAs: [gatewayCa.cert] } });
    try {
      const r = await viaProxy(e.proxy.port, 'chatgpt.com', '/backend-api/wham/tasks', ca.cert);
      expect(r.status).toBe(200);
      await e.close();
      await gateway.close();
      expect(e.traffic.exchanges.map((x) => x.url)).toEqual(['https://chatgpt.com/backend-api/wham/tasks']);
      expect(gateway.traffic.exchanges.map((x) => x.url)).toEqual(['https://chatgpt.com/backend-api/wham/tasks']);
    } finally {
      await e.close();
      await gateway.close();
      await stub.stop();
    }
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('skipping the openssl s_client engine test: no openssl on PATH');

/** openssl s_client through the proxy (as codex's native-tls = OpenSSL would connect); sends one GET. */
function sClient(proxyPort: number, caFile: string): Promise<number | null> {
  return new Promise((res) => {
    const p = spawn(
      'openssl',
      ['s_client', '-quiet', '-proxy', `127.0.0.1:${proxyPort}`, '-connect', 'api.openai.com:443', '-servername', 'api.openai.com', '-verify_return_error', '-CAfile', caFile],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    p.stdin.end('GET /v1/models HTTP/1.1\r\nHost: api.openai.com\r\nConnection: close\r\n\r\n');
    p.on('close', (code) => res(code));
  });
}

describe.skipIf(!hasOpenssl)('an OpenSSL client through the stub proxy', () => {
  it('records the refusal when the client does not trust the CA, and the request when it does', async () => {
    const e = await startEngine({ ca, answer: { kind: 'stub', status: 503, body: '' } });
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-engine-ossl-'));
    try {
      const ours = join(dir, 'ca.pem');
      const other = join(dir, 'other.pem');
      writeFileSync(ours, ca.cert);
      writeFileSync(other, (await mockttp.generateCACertificate({ subject: { commonName: 'some other CA' } })).cert);
      await sClient(e.proxy.port, other);
      await sClient(e.proxy.port, ours);
      await e.close();
      expect(sightingsOf(e.traffic)).toEqual([
        expect.objectContaining({ kind: 'tunnel', host: 'api.openai.com', tls: 'accepted', requests: [expect.objectContaining({ method: 'GET', path: '/v1/models' })] }),
        expect.objectContaining({ kind: 'tunnel', host: 'api.openai.com', port: 443, tls: 'refused', error: expect.stringMatching(/certificate rejected|unknown ca/), requests: [] }),
      ]);
    } finally {
      await e.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
