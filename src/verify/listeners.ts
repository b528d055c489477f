// Loopback listeners for one verify run. Nothing is ever forwarded upstream: every request gets a
// short 503 and is recorded.
//  - reverse listeners: plain HTTP, standing in for an upstream base URL (approach A);
//  - forward proxy: HTTP CONNECT, terminating TLS with the run's CA (per-host leaf via SNI), or
//    recording that the client refused our certificate; absolute-form plain HTTP requests too.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { RunCa } from './ca.js';

export interface SeenRequest {
  method: string;
  /** Path and query as sent (origin form). */
  path: string;
  headers: Record<string, string>;
  /** An HTTP Upgrade (e.g. websocket) was asked for. */
  upgrade?: string;
}

export interface ReverseSighting extends SeenRequest {
  kind: 'reverse';
  /** Name of the reverse listener (see StandIn.name). */
  listener: string;
}

export interface TunnelSighting {
  kind: 'tunnel';
  host: string;
  port: number;
  /** SNI the client sent, when TLS was tried. */
  sni?: string;
  /** accepted: a request came over our TLS; refused: handshake failed or the client hung up
   *  without a request; plain: the tunnel carried no TLS; none: nothing arrived. */
  tls: 'accepted' | 'refused' | 'plain' | 'none';
  /** Why it was refused (TLS alert text or socket error). */
  error?: string;
  requests: SeenRequest[];
}

export interface ProxyHttpSighting extends SeenRequest {
  kind: 'proxy-http';
  host: string;
  port: number;
}

export type Sighting = ReverseSighting | TunnelSighting | ProxyHttpSighting;

export interface StandIn {
  /** Listener name, e.g. `model`, `backend`. */
  name: string;
  /** Path prefix of the base URL codex is given, e.g. `/v1`. */
  basePath: string;
}

export interface RunningListener {
  name: string;
  port: number;
  /** e.g. http://127.0.0.1:PORT/v1 */
  baseUrl: string;
}

export interface Listeners {
  reverse: RunningListener[];
  proxy: { port: number; url: string };
  sightings: Sighting[];
  /** Ports of every listener (for checks that they are closed). */
  ports: number[];
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const REDACT = /authorization|cookie|api-key|token|secret|session/i;
const BODY = 'codex-mitm verify: nothing is forwarded\n';

export function redactHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = REDACT.test(name) ? '<redacted>' : text;
  }
  return out;
}

function requestOf(req: http.IncomingMessage): SeenRequest {
  const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: redactHeaders(req.headers) };
  const upgrade = req.headers.upgrade;
  if (upgrade) seen.upgrade = upgrade;
  return seen;
}

function answer503(res: http.ServerResponse): void {
  res.writeHead(503, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(BODY), connection: 'close' });
  res.end(BODY);
}

function refuseUpgrade(socket: Duplex): void {
  socket.end(`HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`);
}

/** Split a CONNECT target `host:port` / `[v6]:port`. */
export function splitAuthority(authority: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority) ?? /^([^:]+)(?::(\d+))?$/.exec(authority);
  if (!m) return { host: authority, port: 443 };
  return { host: m[1]!.toLowerCase(), port: m[2] ? Number(m[2]) : 443 };
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string; reason?: string };
  const text = e.reason ?? e.message ?? String(err);
  return text.replace(/^.*?:(error:)?[0-9A-F]+:SSL routines:[^:]*:/, '').trim();
}

/** Start the reverse listeners for `standIns` and the forward proxy. Always call close(). */
export async function startListeners(ca: RunCa, standIns: StandIn[]): Promise<Listeners> {
  const sightings: Sighting[] = [];
  const sockets = new Set<Duplex>();
  const servers: http.Server[] = [];
  let closing = false;
  const track = (s: Duplex): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  const closeAll = async (): Promise<void> => {
    closing = true;
    for (const s of sockets) s.destroy();
    await Promise.all(
      servers.map(
        (srv) =>
          new Promise<void>((resolve) => {
            if (!srv.listening) return resolve();
            srv.close(() => resolve());
            srv.closeAllConnections();
          }),
      ),
    );
    for (const s of sockets) s.destroy();
  };

  try {
    const reverse: RunningListener[] = [];
    for (const standIn of standIns) {
      const server = http.createServer((req, res) => {
        sightings.push({ kind: 'reverse', listener: standIn.name, ...requestOf(req) });
        req.resume();
        answer503(res);
      });
      server.on('connection', track);
      server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
        sightings.push({ kind: 'reverse', listener: standIn.name, ...requestOf(req) });
        refuseUpgrade(socket);
      });
      servers.push(server);
      const port = await listen(server);
      reverse.push({ name: standIn.name, port, baseUrl: `http://${LOOPBACK}:${port}${standIn.basePath}` });
    }

    // Requests that arrive inside CONNECT tunnels (after our TLS, or in clear) land here.
    const tunnelOf = new WeakMap<object, TunnelSighting>();
    const inner = http.createServer((req, res) => {
      const tunnel = tunnelOf.get(req.socket);
      if (tunnel) {
        tunnel.requests.push(requestOf(req));
        if (tunnel.tls === 'refused' || tunnel.tls === 'none') tunnel.tls = 'accepted';
      }
      req.resume();
      answer503(res);
    });
    // Errors on sockets handed to `inner` land here, TLS handshake failures included.
    const handshook = new WeakSet<object>();
    inner.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const tunnel = tunnelOf.get(socket);
      if (tunnel && tunnel.requests.length === 0) {
        if (tunnel.tls === 'plain' || handshook.has(socket)) {
          // TLS went through (or the tunnel was plain) but what came next was not HTTP/1.1.
          if (tunnel.tls !== 'plain') tunnel.tls = 'accepted';
          if (err.code !== 'ECONNRESET') tunnel.error = `no HTTP/1.1 request (${err.code ?? err.message})`;
        } else {
          tunnel.tls = 'refused';
          tunnel.error ??= errorText(err);
        }
      }
      socket.destroy();
    });
    inner.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
      const tunnel = tunnelOf.get(socket);
      if (tunnel) {
        tunnel.requests.push(requestOf(req));
        if (tunnel.tls === 'refused' || tunnel.tls === 'none') tunnel.tls = 'accepted';
      }
      refuseUpgrade(socket);
    });

    const proxy = http.createServer((req, res) => {
      // Absolute-form request through the proxy: plain HTTP.
      let host = '';
      let port = 80;
      let path = req.url ?? '';
      try {
        const url = new URL(req.url ?? '');
        host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
        port = url.port ? Number(url.port) : 80;
        path = `${url.pathname}${url.search}`;
      } catch {
        host = String(req.headers.host ?? '');
      }
      sightings.push({ kind: 'proxy-http', host, port, ...requestOf(req), path });
      req.resume();
      answer503(res);
    });
    proxy.on('connection', track);
    proxy.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
      const { host, port } = splitAuthority(req.url ?? '');
      const tunnel: TunnelSighting = { kind: 'tunnel', host, port, tls: 'none', requests: [] };
      sightings.push(tunnel);
      track(socket);
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) socket.unshift(head);
      socket.once('data', (chunk: Buffer) => {
        socket.pause();
        socket.unshift(chunk);
        if (chunk[0] !== 0x16) {
          tunnel.tls = 'plain';
          tunnelOf.set(socket, tunnel);
          inner.emit('connection', socket);
          socket.resume();
          return;
        }
        let handshakeDone = false;
        const secure = new tls.TLSSocket(socket, {
          isServer: true,
          secureContext: ca.contextFor(host),
          ALPNProtocols: ['http/1.1'],
          SNICallback: (servername, cb) => {
            tunnel.sni = servername;
            cb(null, ca.contextFor(servername || host));
          },
        });
        track(secure);
        tunnelOf.set(secure, tunnel);
        secure.on('secure', () => {
          handshakeDone = true;
          handshook.add(secure);
        });
        secure.on('error', (err) => {
          if (tunnel.requests.length === 0) {
            tunnel.tls = 'refused';
            tunnel.error ??= errorText(err);
          }
        });
        secure.on('close', () => {
          if (tunnel.requests.length === 0 && tunnel.tls === 'none') {
            // Our own teardown: a finished handshake still means the client took our certificate.
            if (closing) {
              if (handshakeDone) tunnel.tls = 'accepted';
              return;
            }
            tunnel.tls = 'refused';
            tunnel.error ??= handshakeDone
              ? 'client closed the connection after the handshake without a request'
              : 'client closed the connection during the handshake';
          }
        });
        inner.emit('connection', secure);
      });
    });
    servers.push(proxy);
    const proxyPort = await listen(proxy);

    const ports = [...reverse.map((r) => r.port), proxyPort];
    return {
      reverse,
      proxy: { port: proxyPort, url: `http://${LOOPBACK}:${proxyPort}` },
      sightings,
      ports,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
