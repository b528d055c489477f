// The one proxy engine of capture and verify, on mockttp (HTTP Toolkit's interception engine):
// a forward proxy that terminates TLS with the user's CA (per-host leaf by SNI), plus plain-HTTP
// reverse listeners standing in for upstream base URLs (approach A). It either forwards every
// request to its real upstream (capture) or answers each with a stub (verify), and records all of
// it as Traffic. Every listener binds 127.0.0.1 only.
import net from 'node:net';
import * as mockttp from 'mockttp';
import { mappedLookup, type LookupMap } from './lookup.js';
import type { Exchange, Listener, TlsFailure, Traffic, WsMessage } from './traffic.js';

export const LOOPBACK = '127.0.0.1';

export interface ReverseSpec {
  name: string;
  /** Upstream origin it stands for, e.g. https://api.openai.com */
  upstream: string;
}

export type Answer =
  | {
      kind: 'forward';
      /** host → host:port to send it to instead (`*` for every host not listed). */
      upstreams?: Record<string, string>;
      /** Chain to this proxy (http://host:port). */
      upstreamProxy?: string;
      /** Extra CAs trusted for upstream TLS (PEM). */
      trustedCAs?: string[];
    }
  | { kind: 'stub'; status: number; body: string };

export interface EngineOptions {
  ca: { key: string; cert: string };
  answer: Answer;
  reverse?: ReverseSpec[];
  /** Called as each exchange completes (live side file). */
  onExchange?: (e: Exchange) => void;
  /** Where mockttp's own console messages go while the engine runs (upstream errors with stack
   *  traces); dropped when absent, so they never land in codex's terminal. */
  log?: (line: string) => void;
}

const CONSOLE = ['log', 'info', 'warn', 'error', 'debug'] as const;

/** Routes console output to `log` until the returned restore is called. */
function captureConsole(log: ((line: string) => void) | undefined): () => void {
  const saved = CONSOLE.map((k) => console[k]);
  for (const k of CONSOLE) {
    console[k] = (...args: unknown[]) => log?.(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  }
  return () => CONSOLE.forEach((k, i) => (console[k] = saved[i]!));
}

export interface RunningReverse {
  name: string;
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
}

export interface Engine {
  proxy: { port: number; url: string };
  reverse: RunningReverse[];
  traffic: Traffic;
  ports: number[];
  close(): Promise<void>;
}

type Pairs = [string, string][];

function pairs(raw: [string, string][] | undefined): Pairs {
  return (raw ?? []).map(([n, v]) => [n, v]);
}

async function decoded(body: mockttp.CompletedBody): Promise<Buffer> {
  try {
    const out = await body.getDecodedBuffer();
    if (out) return Buffer.from(out);
  } catch {
    // unknown content-encoding: keep the bytes as sent
  }
  return Buffer.from(body.buffer);
}

/** Starts one at a time: the listen() pin below is process-wide while a start is under way. */
let starting: Promise<unknown> = Promise.resolve();

/** mockttp listens on every interface; this starts it with a bare-port listen() pinned to
 *  127.0.0.1, then checks where it really listens. */
export function startOnLoopback(server: mockttp.Mockttp): Promise<void> {
  const run = starting.then(() => pinnedStart(server));
  starting = run.catch(() => undefined);
  return run;
}

async function pinnedStart(server: mockttp.Mockttp): Promise<void> {
  const listen = net.Server.prototype.listen;
  const pinned = function (this: net.Server, ...args: unknown[]): net.Server {
    if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
      return (listen as (...a: unknown[]) => net.Server).call(this, args[0], LOOPBACK, ...args.slice(1));
    }
    return listen.apply(this, args as never) as net.Server;
  };
  net.Server.prototype.listen = pinned as typeof listen;
  try {
    await server.start();
  } finally {
    net.Server.prototype.listen = listen;
  }
  const inner = (server as unknown as { server?: net.Server }).server;
  const address = inner?.address();
  if (!address || typeof address === 'string' || address.address !== LOOPBACK) {
    await server.stop();
    throw new Error(`proxy engine: listener not on ${LOOPBACK} (${JSON.stringify(address)})`);
  }
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** How requests reach their upstream: for `--upstream HOST=IP:PORT` the host name is kept (SNI,
 *  certificate check, Host header) and resolved to IP by a private resolver; HOST=NAME:PORT sends
 *  it to that name instead. */
interface Routing {
  answer: Extract<Answer, { kind: 'forward' }>;
  lookup?: LookupMap;
}

function parseAddr(addr: string): { host: string; port?: string } {
  const m = /^(.*?)(?::(\d+))?$/.exec(addr)!;
  return { host: m[1]!, ...(m[2] ? { port: m[2] } : {}) };
}

function passThroughOptions(routing: Routing, host: string | '*', hostHeader?: string) {
  const { answer } = routing;
  const addr = answer.upstreams?.[host] ?? answer.upstreams?.['*'];
  let transformRequest: Record<string, unknown> | undefined;
  if (addr) {
    const to = parseAddr(addr);
    if (IPV4.test(to.host)) {
      // keep the name, change only the port; the private resolver answers the IP
      if (to.port) transformRequest = { matchReplaceHost: { replacements: [[/^([^:]+)(:\d+)?$/, `$1:${to.port}`]], updateHostHeader: hostHeader ?? false } };
    } else {
      transformRequest = { replaceHost: { targetHost: addr, updateHostHeader: hostHeader ?? false } };
    }
  }
  return {
    ...(answer.trustedCAs?.length ? { additionalTrustedCAs: answer.trustedCAs.map((cert) => ({ cert })) } : {}),
    ...(answer.upstreamProxy ? { proxyConfig: { proxyUrl: answer.upstreamProxy } } : {}),
    ...(routing.lookup ? { lookupOptions: routing.lookup.options } : {}),
    ...(transformRequest ? { transformRequest } : {}),
  };
}

function startRouting(answer: Answer): Routing | undefined {
  if (answer.kind !== 'forward') return undefined;
  const map: Record<string, string> = {};
  for (const [host, addr] of Object.entries(answer.upstreams ?? {})) {
    const to = parseAddr(addr);
    if (IPV4.test(to.host)) map[host.toLowerCase()] = to.host;
  }
  return { answer, ...(Object.keys(map).length ? { lookup: mappedLookup(map) } : {}) };
}

async function proxyRules(server: mockttp.Mockttp, answer: Answer, routing: Routing | undefined): Promise<void> {
  if (answer.kind === 'stub' || !routing) {
    const stub = answer as Extract<Answer, { kind: 'stub' }>;
    await server.forAnyWebSocket().thenRejectConnection(stub.status, 'Service Unavailable', { 'content-type': 'text/plain' }, stub.body);
    await server.forAnyRequest().thenReply(stub.status, stub.body, { 'content-type': 'text/plain' });
    return;
  }
  for (const host of Object.keys(answer.upstreams ?? {})) {
    if (host === '*') continue;
    await server.forAnyWebSocket().forHostname(host).thenPassThrough(passThroughOptions(routing, host));
    await server.forAnyRequest().forHostname(host).thenPassThrough(passThroughOptions(routing, host));
  }
  await server.forAnyWebSocket().thenPassThrough(passThroughOptions(routing, '*'));
  await server.forAnyRequest().thenPassThrough(passThroughOptions(routing, '*'));
}

async function reverseRules(server: mockttp.Mockttp, answer: Answer, routing: Routing | undefined, spec: ReverseSpec): Promise<void> {
  if (answer.kind === 'stub' || !routing) return proxyRules(server, answer, routing);
  const up = new URL(spec.upstream);
  const secure = up.protocol === 'https:';
  const base = passThroughOptions(routing, up.hostname, up.host);
  // The request arrives for 127.0.0.1:PORT: it goes to the upstream host (or where --upstream sends it).
  const addr = routing.answer.upstreams?.[up.hostname] ?? routing.answer.upstreams?.['*'];
  const to = addr ? parseAddr(addr) : undefined;
  const targetHost = !to ? up.host : IPV4.test(to.host) ? `${up.hostname}:${to.port ?? (up.port || (secure ? '443' : '80'))}` : addr!;
  const transform = { replaceHost: { targetHost, updateHostHeader: up.host } };
  await server.forAnyWebSocket().thenPassThrough({ ...base, transformRequest: { ...transform, setProtocol: secure ? 'wss' : 'ws' } });
  await server.forAnyRequest().thenPassThrough({ ...base, transformRequest: { ...transform, setProtocol: secure ? 'https' : 'http' } });
}

/** Records one mockttp server's events into the shared traffic; resolves, once subscribed, to the
 *  drain to await before reading it (pending body decodes; exchanges still open are closed). */
async function record(
  server: mockttp.Mockttp,
  listener: Listener,
  upstream: string | undefined,
  traffic: Traffic,
  onExchange?: (e: Exchange) => void,
): Promise<() => Promise<void>> {
  const open = new Map<string, Exchange>();
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): void => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const urlOf = (req: mockttp.CompletedRequest): string => (upstream ? new URL(req.path, upstream).toString() : req.url);
  const start = (req: mockttp.CompletedRequest, upgrade?: string): Promise<Exchange> =>
    decoded(req.body).then((body) => {
      const e: Exchange = {
        id: req.id,
        listener,
        route: listener.kind === 'reverse' ? 'reverse' : req.protocol === 'https' || req.protocol === 'wss' ? 'tunnel' : 'proxy-http',
        startedAt: req.timingEvents.startTime,
        method: req.method,
        url: urlOf(req),
        httpVersion: `HTTP/${req.httpVersion}`,
        requestHeaders: pairs(req.rawHeaders),
        requestBody: body,
        ...(upgrade ? { upgrade } : {}),
      };
      open.set(req.id, e);
      traffic.exchanges.push(e);
      return e;
    });
  const starting = new Map<string, Promise<Exchange>>();
  const done = (e: Exchange): void => {
    open.delete(e.id);
    onExchange?.(e);
  };
  const ends = [
    server.on('request', (req) => {
      const p = start(req);
      starting.set(req.id, p);
      track(p);
    }),
    server.on('websocket-request', (req) => {
      const p = start(req, 'websocket');
      starting.set(req.id, p);
      track(p);
    }),
    server.on('response', (res) => {
      const p = (starting.get(res.id) ?? Promise.resolve(undefined)).then(async (e) => {
        if (!e) return;
        e.response = {
          status: res.statusCode,
          statusText: res.statusMessage,
          httpVersion: e.httpVersion,
          headers: pairs(res.rawHeaders),
          body: await decoded(res.body),
          endedAt: res.timingEvents.startTime + ((res.timingEvents.responseSentTimestamp ?? res.timingEvents.startTimestamp) - res.timingEvents.startTimestamp),
        };
        const failed = res.tags.find((t) => t.startsWith('passthrough-error:'));
        if (failed) e.error = `upstream: ${failed.slice('passthrough-error:'.length)}`;
        if (!e.websocket) done(e);
      });
      track(p);
    }),
    server.on('websocket-accepted', (res) => {
      const p = (starting.get(res.id) ?? Promise.resolve(undefined)).then((e) => {
        if (!e) return;
        e.response = { status: res.statusCode, statusText: res.statusMessage, httpVersion: e.httpVersion, headers: pairs(res.rawHeaders), body: Buffer.alloc(0), endedAt: Date.now() };
        e.websocket ??= { messages: [] };
      });
      track(p);
    }),
    ...[
      (cb: (m: mockttp.WebSocketMessage) => void) => server.on('websocket-message-received', cb),
      (cb: (m: mockttp.WebSocketMessage) => void) => server.on('websocket-message-sent', cb),
    ].map((subscribe) =>
      subscribe((msg) => {
        const p = (starting.get(msg.streamId) ?? Promise.resolve(undefined)).then((e) => {
          if (!e) return;
          const ws = (e.websocket ??= { messages: [] });
          const content = Buffer.from(msg.content);
          const m: WsMessage = {
            type: msg.direction === 'received' ? 'send' : 'receive',
            time: (msg.timingEvents.startTime + (msg.eventTimestamp - msg.timingEvents.startTimestamp)) / 1000,
            opcode: msg.isBinary ? 2 : 1,
            data: msg.isBinary ? content.toString('base64') : content.toString('utf8'),
          };
          ws.messages.push(m);
        });
        track(p);
      }),
    ),
    server.on('websocket-close', (c) => {
      const p = (starting.get(c.streamId) ?? Promise.resolve(undefined)).then((e) => {
        if (!e) return;
        const ws = (e.websocket ??= { messages: [] });
        ws.closeCode = c.closeCode;
        ws.closedAt = Date.now();
        done(e);
      });
      track(p);
    }),
    server.on('abort', (req) => {
      const p = (starting.get(req.id) ?? Promise.resolve(undefined)).then((e) => {
        if (!e) return;
        // a websocket that was up and then dropped (codex exiting) ended, it did not fail
        if (e.websocket && e.response) e.websocket.closedAt ??= Date.now();
        else e.error ??= req.error?.message ?? req.error?.code ?? 'aborted';
        done(e);
      });
      track(p);
    }),
    server.on('tls-client-error', (f) => {
      const host = f.tlsMetadata.sniHostname ?? f.destination?.hostname ?? '?';
      const failure: TlsFailure = { host, ...(f.destination?.port ? { port: f.destination.port } : {}), cause: f.failureCause, at: Date.now() };
      traffic.tlsFailures.push(failure);
    }),
  ];
  await Promise.all(ends);
  return async () => {
    while (pending.size) await Promise.allSettled([...pending]);
    for (const e of [...open.values()]) done(e);
  };
}

export async function startEngine(opts: EngineOptions): Promise<Engine> {
  const traffic: Traffic = { exchanges: [], tlsFailures: [], escapes: [] };
  const servers: mockttp.Mockttp[] = [];
  const drains: (() => Promise<void>)[] = [];
  let routing: Routing | undefined;
  const restoreConsole = captureConsole(opts.log);
  try {
    routing = startRouting(opts.answer);
    const proxy = mockttp.getLocal({ https: { key: opts.ca.key, cert: opts.ca.cert }, recordTraffic: false });
    await proxyRules(proxy, opts.answer, routing);
    drains.push(await record(proxy, { kind: 'proxy' }, undefined, traffic, opts.onExchange));
    await startOnLoopback(proxy);
    servers.push(proxy);
    const reverse: RunningReverse[] = [];
    for (const spec of opts.reverse ?? []) {
      const server = mockttp.getLocal({ recordTraffic: false });
      await reverseRules(server, opts.answer, routing, spec);
      drains.push(await record(server, { kind: 'reverse', name: spec.name }, spec.upstream, traffic, opts.onExchange));
      await startOnLoopback(server);
      servers.push(server);
      reverse.push({ name: spec.name, port: server.port, origin: `http://${LOOPBACK}:${server.port}` });
    }
    let closed = false;
    return {
      proxy: { port: proxy.port, url: `http://${LOOPBACK}:${proxy.port}` },
      reverse,
      traffic,
      ports: servers.map((s) => s.port),
      async close() {
        if (closed) return;
        closed = true;
        await Promise.all(servers.map((s) => s.stop()));
        for (const d of drains) await d();
        routing?.lookup?.release();
        restoreConsole();
        traffic.exchanges.sort((a, b) => a.startedAt - b.startedAt);
      },
    };
  } catch (err) {
    await Promise.allSettled(servers.map((s) => s.stop()));
    routing?.lookup?.release();
    restoreConsole();
    throw err;
  }
}
