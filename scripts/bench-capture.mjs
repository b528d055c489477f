#!/usr/bin/env node
// npm run bench:capture [-- --requests N]
//
// Capture overhead (issue 13): N sequential HTTPS GETs (keep-alive off, as codex's short calls
// are) to a loopback upstream with its own CA, first direct, then through the capture engine
// (CONNECT, TLS terminated with the user CA, forwarded with --upstream *=127.0.0.1:PORT, recorded),
// in turns; prints median and p95 latency per request, the overhead, and the engine process's
// peak RSS (this process: engine + client). Loopback only. Not a test. Needs dist/ (npm run build).
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { startEngine, startOnLoopback } = await import(join(PKG, 'dist/proxy/engine.js'));
const { loadUserCa } = await import(join(PKG, 'dist/proxy/user-ca.js'));
const mockttp = await import('mockttp');

const n = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 300;
const body = JSON.stringify({ object: 'list', data: Array.from({ length: 40 }, (_, i) => ({ id: `model-${i}` })) });

const upCa = await mockttp.generateCACertificate();
const up = mockttp.getLocal({ https: upCa });
await up.forAnyRequest().always().thenReply(200, body, { 'content-type': 'application/json' });
await startOnLoopback(up);
const ca = await loadUserCa({ CODEX_MITM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'codex-mitm-bench-')) });
const engine = await startEngine({ ca, answer: { kind: 'forward', upstreams: { '*': `127.0.0.1:${up.port}` }, trustedCAs: [upCa.cert] } });

function direct() {
  return new Promise((res, rej) => {
    const req = https.request({ host: '127.0.0.1', port: up.port, path: '/v1/models', servername: 'api.openai.com', headers: { host: 'api.openai.com' }, ca: upCa.cert, agent: false }, (r) => {
      r.resume();
      r.on('end', res);
    });
    req.on('error', rej);
    req.end();
  });
}

function proxied() {
  return new Promise((res, rej) => {
    const c = http.request({ host: '127.0.0.1', port: engine.proxy.port, method: 'CONNECT', path: 'api.openai.com:443' });
    c.on('connect', (_r, socket) => {
      const req = https.request({ host: 'api.openai.com', path: '/v1/models', socket, ca: ca.cert, servername: 'api.openai.com', createConnection: () => socket, agent: false }, (r) => {
        r.resume();
        r.on('end', () => {
          socket.destroy();
          res();
        });
      });
      req.on('error', rej);
      req.end();
    });
    c.on('error', rej);
    c.end();
  });
}

let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const times = { direct: [], proxied: [] };
for (let i = 0; i < 20; i++) {
  await direct();
  await proxied();
}
for (let i = 0; i < n; i++) {
  for (const [name, fn] of [['direct', direct], ['proxied', proxied]]) {
    const t = process.hrtime.bigint();
    await fn();
    times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}
clearInterval(sample);
await engine.close();
await up.stop();
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const row = (name) => `${name.padEnd(8)} median ${q(times[name], 0.5).toFixed(2)} ms  p95 ${q(times[name], 0.95).toFixed(2)} ms`;
console.log(`${n} requests each, sequential, new TLS connection per request, ${body.length} B body`);
console.log(row('direct'));
console.log(row('proxied'));
console.log(`overhead median ${(q(times.proxied, 0.5) - q(times.direct, 0.5)).toFixed(2)} ms per request`);
console.log(`recorded ${engine.traffic.exchanges.length} exchanges; peak RSS ${(peak / 1024 / 1024).toFixed(0)} MiB`);
