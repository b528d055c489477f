// What a capture saw, per channel: requests, bytes, statuses; the channels predicted but not seen;
// requests in no known channel; TLS refusals (a client that does not trust the CA); escapes.
// Built from HAR entries, so `show` gives the same summary for a saved file.
import type { Escape, TlsFailure } from '../proxy/traffic.js';
import { hostOf } from '../util/urls.js';
import type { HarEntry } from './har.js';

export interface ChannelCount {
  id: string | null;
  name: string;
  requests: number;
  /** Request + response body bytes (websocket message bytes included). */
  bytes: number;
  /** Status → count (`ws` for websocket sessions, `error` where no response came). */
  statuses: Record<string, number>;
  hosts: string[];
}

export interface CaptureSummary {
  channels: ChannelCount[];
  predictedNotSeen: { id: string; name: string }[];
  unknown: { method: string; url: string; status: number }[];
  tlsRefused: TlsFailure[];
  escaped: Escape[];
}

export function summarise(
  entries: HarEntry[],
  extra: { tlsFailures: TlsFailure[]; escapes: Escape[]; predicted?: { id: string; name: string }[] },
): CaptureSummary {
  const byId = new Map<string, ChannelCount>();
  const unknown: CaptureSummary['unknown'] = [];
  for (const e of entries) {
    const key = e._channel ?? '';
    let c = byId.get(key);
    if (!c) {
      c = { id: e._channel, name: e._channelName ?? (e._channel ? e._channel : 'no known channel'), requests: 0, bytes: 0, statuses: {}, hosts: [] };
      byId.set(key, c);
    }
    c.requests++;
    const ws = e._webSocketMessages;
    c.bytes += e.request.bodySize + e.response.bodySize + (ws ? ws.reduce((n, m) => n + Buffer.byteLength(m.data), 0) : 0);
    const status = e.response._error && !e.response.status ? 'error' : ws ? 'ws' : String(e.response.status);
    c.statuses[status] = (c.statuses[status] ?? 0) + 1;
    const host = hostOf(e.request.url);
    if (!c.hosts.includes(host)) c.hosts.push(host);
    if (!e._channel) unknown.push({ method: e.request.method, url: e.request.url, status: e.response.status });
  }
  const seen = new Set(entries.map((e) => e._channel).filter(Boolean));
  const channels = [...byId.values()].sort((a, b) => (a.id === null ? 1 : b.id === null ? -1 : b.requests - a.requests || a.name.localeCompare(b.name)));
  return {
    channels,
    predictedNotSeen: (extra.predicted ?? []).filter((p) => !seen.has(p.id)),
    unknown,
    tlsRefused: extra.tlsFailures,
    escaped: extra.escapes,
  };
}

function statuses(s: Record<string, number>): string {
  return Object.entries(s)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => (n > 1 ? `${k}×${n}` : k))
    .join(' ');
}

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Plain text, for the terminal after codex exits (and for `show`). */
export function renderSummary(s: CaptureSummary, width = 100): string {
  const rows = s.channels.map((c) => [c.name, String(c.requests), bytes(c.bytes), statuses(c.statuses), c.hosts.join(', ')]);
  const head = ['channel', 'requests', 'bytes', 'statuses', 'hosts'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const cut = (text: string): string => {
    const max = Math.max(40, width);
    return text.length <= max ? text : `${text.slice(0, max - 1).replace(/[,\s]+$/, '')}…`;
  };
  const line = (r: string[]): string => cut(r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  '));
  const out: string[] = [];
  if (rows.length === 0) out.push('nothing was captured');
  else out.push(line(head), ...rows.map(line));
  if (s.predictedNotSeen.length) out.push('', `predicted but not seen: ${s.predictedNotSeen.map((p) => p.name).join(', ')}`);
  if (s.unknown.length) {
    out.push('', `in no known channel (${s.unknown.length}):`);
    for (const u of s.unknown.slice(0, 20)) out.push(`  ${u.method} ${u.url} ${u.status || ''}`.trimEnd());
    if (s.unknown.length > 20) out.push(`  … ${s.unknown.length - 20} more`);
  }
  if (s.tlsRefused.length) {
    out.push('', 'TLS refused (the client does not trust the codex-mitm CA):');
    for (const t of s.tlsRefused) out.push(`  ${t.host}${t.port && t.port !== 443 ? `:${t.port}` : ''} (${t.cause})`);
  }
  if (s.escaped.length) {
    out.push('', 'tried to go around the proxy (blocked by the sandbox, not captured):');
    for (const e of s.escaped) out.push(`  ${e.target} (${e.how === 'dns' ? 'DNS lookup' : 'connect'})`);
  }
  return out.map((l) => cut(l)).join('\n');
}
