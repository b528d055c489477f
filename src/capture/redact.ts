// Secrets out of a recording: header values by name, JSON keys / form fields / query parameters by
// name, and token-shaped values anywhere (rules/capture.toml [redact]).
import type { CaptureRules } from './rules.js';

export type Redactor = {
  header(name: string, value: string): string;
  /** A body or websocket message (text); JSON and form bodies by key, then values anywhere. */
  text(text: string, mimeType?: string): string;
  url(url: string): string;
};

export function redactor(rules: CaptureRules['redact'] | undefined): Redactor {
  if (!rules) return { header: (_n, v) => v, text: (t) => t, url: (u) => u };
  const keys = new Set(rules.keys);
  const headers = new Set(rules.headers);
  const p = rules.placeholder;
  const values = (t: string): string => rules.values.reduce((acc, re) => acc.replace(re, p), t);
  const json = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(json);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, keys.has(k.toLowerCase()) && x !== null && x !== '' ? p : json(x)]));
    }
    return typeof v === 'string' ? values(v) : v;
  };
  const form = (t: string): string =>
    t
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq >= 0 ? decodeURIComponent(pair.slice(0, eq).replace(/\+/g, ' ')) : '';
        return eq >= 0 && keys.has(name.toLowerCase()) ? `${pair.slice(0, eq)}=${encodeURIComponent(p)}` : pair;
      })
      .join('&');
  return {
    header: (name, value) => (headers.has(name.toLowerCase()) ? p : values(value)),
    text(t, mimeType) {
      const trimmed = t.trimStart();
      if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        try {
          return JSON.stringify(json(JSON.parse(t)));
        } catch {
          // not JSON after all (SSE, NDJSON): values only
        }
      }
      if (mimeType?.includes('x-www-form-urlencoded')) return values(form(t));
      // SSE events and NDJSON lines carry JSON per line
      if (/^(data: )?[{[]/m.test(t) && t.includes('\n')) {
        return t
          .split('\n')
          .map((line) => {
            const m = /^(data: ?)?([{[].*)$/.exec(line);
            if (!m) return values(line);
            try {
              return `${m[1] ?? ''}${JSON.stringify(json(JSON.parse(m[2]!)))}`;
            } catch {
              return values(line);
            }
          })
          .join('\n');
      }
      return values(t);
    },
    url(url) {
      const q = url.indexOf('?');
      if (q < 0) return values(url);
      return values(url.slice(0, q)) + '?' + values(form(url.slice(q + 1)));
    },
  };
}
