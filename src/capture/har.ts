// Traffic → HAR 1.2, one entry per exchange, tagged with its channel (`_channel`), websocket
// messages in order (`_webSocketMessages`, as browsers write them) and SSE events in order
// (`_sseEvents`); secrets redacted unless asked not to. Also the JSON lines form.
import type { Exchange } from '../proxy/traffic.js';
import { headerValue } from '../proxy/traffic.js';
import type { Redactor } from './redact.js';
import { parseSse, type SseEvent } from './sse.js';

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: [];
    headers: HarHeader[];
    queryString: HarHeader[];
    postData?: { mimeType: string; text: string; encoding?: 'base64' };
    headersSize: -1;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: [];
    headers: HarHeader[];
    content: { size: number; mimeType: string; text?: string; encoding?: 'base64' };
    redirectURL: '';
    headersSize: -1;
    bodySize: number;
    _error?: string;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  _channel: string | null;
  _channelName?: string;
  /** tunnel / proxy-http / reverse:<listener>. */
  _route: string;
  _webSocketMessages?: { type: 'send' | 'receive'; time: number; opcode: number; data: string }[];
  _sseEvents?: SseEvent[];
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: 'codex-mitm'; version: string };
    pages: [];
    entries: HarEntry[];
    _codexMitm: Record<string, unknown>;
  };
}

export type Classify = (url: string, websocket?: boolean) => { id: string; name: string } | undefined;

/** UTF-8 text without NULs, else undefined (kept as base64). */
function asText(buf: Buffer): string | undefined {
  if (buf.length === 0) return '';
  const text = buf.toString('utf8');
  if (text.includes('\u0000') || text.includes('\ufffd')) return undefined;
  return text;
}

function headers(pairs: [string, string][], r: Redactor): HarHeader[] {
  return pairs.map(([name, value]) => ({ name, value: r.header(name, value) }));
}

function query(url: string): HarHeader[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

export function harEntry(e: Exchange, classify: Classify | undefined, r: Redactor): HarEntry {
  const url = r.url(e.url);
  const reqMime = headerValue(e.requestHeaders, 'content-type') ?? '';
  const resMime = (e.response && headerValue(e.response.headers, 'content-type')) ?? '';
  const reqText = asText(e.requestBody);
  const resBody = e.response?.body ?? Buffer.alloc(0);
  const resText = asText(resBody);
  const hit = classify?.(e.url, e.upgrade?.toLowerCase() === 'websocket');
  const end = e.websocket?.closedAt ?? e.response?.endedAt ?? e.startedAt;
  const entry: HarEntry = {
    startedDateTime: new Date(e.startedAt).toISOString(),
    time: Math.max(0, end - e.startedAt),
    request: {
      method: e.method,
      url,
      httpVersion: e.httpVersion,
      cookies: [],
      headers: headers(e.requestHeaders, r),
      queryString: query(url),
      ...(e.requestBody.length
        ? { postData: reqText !== undefined ? { mimeType: reqMime, text: r.text(reqText, reqMime) } : { mimeType: reqMime, text: e.requestBody.toString('base64'), encoding: 'base64' as const } }
        : {}),
      headersSize: -1,
      bodySize: e.requestBody.length,
    },
    response: {
      status: e.response?.status ?? 0,
      statusText: e.response?.statusText ?? '',
      httpVersion: e.response?.httpVersion ?? e.httpVersion,
      cookies: [],
      headers: headers(e.response?.headers ?? [], r),
      content: {
        size: resBody.length,
        mimeType: resMime,
        ...(resBody.length ? (resText !== undefined ? { text: r.text(resText, resMime) } : { text: resBody.toString('base64'), encoding: 'base64' as const }) : {}),
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: resBody.length,
      ...(e.error ? { _error: e.error } : {}),
    },
    cache: {},
    timings: { send: 0, wait: Math.max(0, end - e.startedAt), receive: 0 },
    _channel: hit?.id ?? null,
    ...(hit ? { _channelName: hit.name } : {}),
    _route: e.listener.kind === 'reverse' ? `reverse:${e.listener.name}` : e.route,
  };
  if (e.websocket) entry._webSocketMessages = e.websocket.messages.map((m) => ({ ...m, data: m.opcode === 1 ? r.text(m.data) : m.data }));
  if (resMime.includes('text/event-stream') && resText !== undefined) entry._sseEvents = parseSse(entry.response.content.text ?? '');
  return entry;
}

export function toHar(exchanges: Exchange[], classify: Classify | undefined, r: Redactor, meta: Record<string, unknown>, version: string): Har {
  return {
    log: {
      version: '1.2',
      creator: { name: 'codex-mitm', version },
      pages: [],
      entries: exchanges.map((e) => harEntry(e, classify, r)),
      _codexMitm: meta,
    },
  };
}
