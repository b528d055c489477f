// What verify reads from the proxy engine's traffic: one sighting per request, by route, and one
// per TLS handshake codex refused. Credentials in headers are never kept.
import type { Traffic } from '../proxy/traffic.js';

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
  /** Name of the reverse listener. */
  listener: string;
}

export interface TunnelSighting {
  kind: 'tunnel';
  host: string;
  port: number;
  /** accepted: a request came over our TLS; refused: the client hung up on our certificate. */
  tls: 'accepted' | 'refused';
  /** Why it was refused. */
  error?: string;
  requests: SeenRequest[];
}

export interface ProxyHttpSighting extends SeenRequest {
  kind: 'proxy-http';
  host: string;
  port: number;
}

export type Sighting = ReverseSighting | TunnelSighting | ProxyHttpSighting;

const SECRET = /authorization|cookie|api-key|token|secret|session/i;

export function redactHeaders(pairs: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const text = SECRET.test(key) ? '<redacted>' : value;
    out[key] = key in out ? `${out[key]}, ${text}` : text;
  }
  return out;
}

const TLS_CAUSE: Record<string, string> = {
  'cert-rejected': 'certificate rejected (unknown ca: the client does not trust the codex-mitm CA)',
  closed: 'closed during the TLS handshake (the client gave up on our certificate)',
  reset: 'reset during the TLS handshake',
  'no-shared-cipher': 'no shared cipher',
  'handshake-timeout': 'TLS handshake timed out',
};

export function sightingsOf(traffic: Traffic): Sighting[] {
  const out: Sighting[] = [];
  for (const e of traffic.exchanges) {
    const u = new URL(e.url);
    const seen: SeenRequest = { method: e.method, path: u.pathname + u.search, headers: redactHeaders(e.requestHeaders), ...(e.upgrade ? { upgrade: e.upgrade } : {}) };
    const port = Number(u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80));
    if (e.listener.kind === 'reverse') out.push({ kind: 'reverse', listener: e.listener.name, ...seen });
    else if (e.route === 'tunnel') out.push({ kind: 'tunnel', host: u.hostname, port, tls: 'accepted', requests: [seen] });
    else out.push({ kind: 'proxy-http', host: u.hostname, port, ...seen });
  }
  for (const f of traffic.tlsFailures) {
    out.push({ kind: 'tunnel', host: f.host, port: f.port ?? 443, tls: 'refused', error: TLS_CAUSE[f.cause] ?? f.cause, requests: [] });
  }
  return out;
}
