// Text-only extraction for code that can only be test code (tests/ files, the trailing
// `#[cfg(test)] mod tests { ... }` of a file): URLs in string literals, env reads, client
// constructors. Every finding is `test: true`. Cheaper than a parse; good enough for code whose
// findings are hidden unless --include-tests.
import type { FileFacts } from './facts.js';
import type { RustRules } from './rules.js';
import { deniedUrl } from './rules.js';
import { hostOf } from '../../util/urls.js';

const ENV_READ = /\benv\s*::\s*var(?:_os)?\s*\(\s*(?:&\s*)?(?:"([^"\\]+)"|([A-Z][A-Z0-9_]*))\s*\)/g;

/**
 * Adds test-only findings of `text` (which starts at line `firstLine` of the file) to `facts`.
 */
export function extractLight(text: string, firstLine: number, facts: FileFacts, rules: RustRules): void {
  // only lines holding one of the three words can give a finding: jump from one to the next
  // instead of splitting the whole text into lines
  const hit = new RegExp(['http', 'env', ...rules.lightClientTypes].join('|'), 'g');
  let line = firstLine;
  let counted = 0;
  const mentions = new Map<string, boolean>();
  for (let h = hit.exec(text); h; h = hit.exec(text)) {
    const start = text.lastIndexOf('\n', h.index) + 1;
    let end = text.indexOf('\n', h.index);
    if (end < 0) end = text.length;
    for (let i = text.indexOf('\n', counted); i >= 0 && i < start; i = text.indexOf('\n', i + 1)) line++;
    counted = start;
    hit.lastIndex = end + 1;
    const l = text.slice(start, end);
    if (l.trimStart().startsWith('//')) continue;
    if (l.includes('http')) {
      for (const m of l.matchAll(rules.url)) {
        const before = l.slice(0, m.index);
        if (!before.includes('"')) continue;
        const url = m[0].replace(/[.,;:!'"]+$/, '');
        const host = hostOf(url);
        if (!host || host.includes('{') || deniedUrl(rules, url, host)) continue;
        facts.urls.push({ url, host, line, test: true, overrides: [] });
      }
    }
    if (l.includes('env')) {
      for (const m of l.matchAll(ENV_READ)) {
        facts.envReads.push(m[1] ? { name: m[1], line, test: true } : { constRef: m[2]!, line, test: true });
      }
    }
    if (rules.lightClientTypes.some((t) => l.includes(t))) {
      for (const m of l.matchAll(rules.lightClient)) {
        const raw = m[1]!.replace(/\s+/g, '');
        // written without its module path (`use reqwest::Client;`): the shortest constructor it ends
        const ctor = rules.data.clients.constructors.filter((c) => c === raw || c.endsWith(`::${raw}`)).sort((a, b) => a.length - b.length)[0];
        if (!ctor) continue;
        const crate = ctor.split('::')[0]!;
        if (!mentions.has(crate)) mentions.set(crate, new RegExp(`\\b${crate}\\b`).test(text));
        if (ctor !== raw && !mentions.get(crate)) continue;
        facts.clients.push({ line, constructor: ctor, calls: [], via: [], test: true });
      }
    }
  }
}

/**
 * Where a trailing top-level `#[cfg(test)] mod name { ... }` starts, when it runs to the end of
 * the file (rustfmt layout: attribute and `mod` at column 0, closing `}` at column 0 on the last
 * non-blank line). -1 otherwise.
 */
export function trailingTestModule(text: string): number {
  const re = /\n#\[cfg\(test\)\]\n(?:#\[[^\n]*\]\n)*(?:pub(?:\([^)\n]*\))? )?mod \w+ \{\n/g;
  let start = -1;
  for (const m of text.matchAll(re)) start = m.index! + 1;
  if (start < 0) return -1;
  const rest = text.slice(start);
  const close = rest.search(/\n\}[ \t]*(\n|$)/);
  if (close < 0) return -1;
  const after = rest.slice(close + 2).replace(/^[^\n]*/, '');
  return after.trim() === '' ? start : -1;
}
