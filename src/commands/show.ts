// `codex-mitm show FILE.har [--channel ID] [--json]`: what a capture recorded, per channel and per
// request, with each model API turn put back together (final text, token usage).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Io } from '../io.js';
import { parseJsonText } from '../json-error.js';
import { InputError } from '../model.js';
import type { Har, HarEntry } from '../capture/har.js';
import { reassemble, type Turn } from '../capture/sse.js';
import { renderSummary, summarise } from '../capture/summary.js';
import type { Escape, TlsFailure } from '../proxy/traffic.js';

export interface ShowOptions {
  channel?: string;
  json?: boolean;
}

export function readHar(file: string): Har {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  const data = parseJsonText(text, file, 'HAR file') as Partial<Har>;
  if (!data.log || !Array.isArray(data.log.entries)) throw new InputError('not a HAR file (log.entries missing)', file);
  for (const [i, e] of data.log.entries.entries()) {
    if (!e || typeof e !== 'object' || !e.request || typeof e.request.url !== 'string' || !e.response) throw new InputError(`log.entries[${i}] needs request.url and response`, file);
  }
  return data as Har;
}

/** The Responses API turns an entry carries, over SSE or websocket messages. */
export function turnsOf(e: HarEntry): Turn[] {
  if (e._sseEvents?.length) return reassemble(e._sseEvents.map((ev) => ev.data));
  if (e._webSocketMessages?.length) return reassemble(e._webSocketMessages.filter((m) => m.type === 'receive' && m.opcode === 1).map((m) => m.data));
  return [];
}

function usageText(t: Turn): string {
  const u = t.usage;
  if (!u) return 'no usage reported';
  return `tokens: ${u.input_tokens ?? '?'} in, ${u.output_tokens ?? '?'} out${u.total_tokens !== undefined ? `, ${u.total_tokens} total` : ''}`;
}

export function showCommand(file: string, opts: ShowOptions, io: Io): number {
  const path = resolve(io.cwd, file);
  const har = readHar(path);
  const meta = (har.log._codexMitm ?? {}) as { tlsFailures?: TlsFailure[]; escapes?: Escape[]; predicted?: { id: string; name: string }[] };
  const all = har.log.entries;
  if (opts.channel && !all.some((e) => e._channel === opts.channel)) {
    const ids = [...new Set(all.map((e) => e._channel).filter(Boolean))].join(', ');
    throw new InputError(`--channel: no request of channel "${opts.channel}" in this file (it has: ${ids || 'none'})`, path);
  }
  const entries = opts.channel ? all.filter((e) => e._channel === opts.channel) : all;
  const summary = summarise(entries, opts.channel ? { tlsFailures: [], escapes: [] } : { tlsFailures: meta.tlsFailures ?? [], escapes: meta.escapes ?? [], predicted: meta.predicted ?? [] });
  const turns = entries.flatMap((e) => turnsOf(e).map((t) => ({ entry: all.indexOf(e), url: e.request.url, channel: e._channel, ...t })));
  if (opts.json) {
    const requests = entries.map((e) => ({ started: e.startedDateTime, method: e.request.method, url: e.request.url, status: e.response.status, channel: e._channel, route: e._route, bytes: e.request.bodySize + e.response.bodySize, ...(e.response._error ? { error: e.response._error } : {}) }));
    io.stdout(JSON.stringify({ file: path, summary, requests, turns }, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [renderSummary(summary, io.columns ?? 100), '', `requests (${entries.length}):`];
  for (const e of entries) {
    const time = e.startedDateTime.slice(11, 19);
    const status = e.response._error && !e.response.status ? 'ERR' : e._webSocketMessages ? `ws ${e._webSocketMessages.length} msgs` : String(e.response.status);
    out.push(`  ${time}  ${e.request.method.padEnd(6)} ${status.padEnd(4)} ${(e._channel ?? '-').padEnd(20)} ${e.request.url}`);
  }
  for (const t of turns) {
    out.push('', `model turn (${t.url}): ${usageText(t)}${t.status ? `, ${t.status}` : ''}`);
    out.push(...(t.text ? t.text.split('\n').map((l) => `  │ ${l}`) : ['  (no text)']));
  }
  io.stdout(out.join('\n') + '\n');
  return 0;
}
