// The line a value of a rules file sits on, from its path in the parsed document
// (["channel", 3, "managed_by"] is the `managed_by =` line of the fourth [[channel]]): the
// position-keeping TOML lexer's key paths (src/util/toml-spans.ts), nearest enclosing key
// or header when the path goes deeper than a key the text spells out.
import { lexToml, type KeyPath } from '../util/toml-spans.js';
import type { Path } from './schema.js';

export type LineIndex = (path: Path) => number;

export function lineIndex(text: string): LineIndex {
  const lines = new Map<string, number>();
  const put = (path: readonly (string | number)[], line: number) => {
    const k = JSON.stringify(path);
    if (!lines.has(k)) lines.set(k, line);
  };
  try {
    const lexed = lexToml(text);
    // The lexer numbers `[[x]]` entries but not the sub-tables under them (`[x.features]`):
    // give those, and the keys in them, the index of the entry they belong to.
    const current = new Map<string, number>();
    let raw: KeyPath = [];
    let resolved: KeyPath = [];
    const resolve = (path: KeyPath): KeyPath => {
      if (raw.length && raw.every((p, i) => path[i] === p)) return [...resolved, ...path.slice(raw.length)];
      return path;
    };
    const events = [...lexed.keys.map((k) => ({ ...k, string: false })), ...lexed.strings.map((s) => ({ ...s, header: false, string: true }))].sort((a, b) => a.start - b.start);
    for (const e of events) {
      if (e.header) {
        const last = e.path[e.path.length - 1];
        if (typeof last === 'number') {
          current.set(JSON.stringify(e.path.slice(0, -1)), last);
          raw = [];
          resolved = [];
          put(e.path, e.line);
          continue;
        }
        const out: KeyPath = [];
        for (const p of e.path) {
          out.push(p);
          const n = current.get(JSON.stringify(out));
          if (n !== undefined) out.push(n);
        }
        raw = e.path;
        resolved = out;
        put(out, e.line);
        continue;
      }
      put(resolve(e.path), e.line);
    }
  } catch {
    // text smol-toml accepted but the lexer does not: every path falls back to line 1
  }
  return (path) => {
    for (let len = path.length; len > 0; len--) {
      const hit = lines.get(JSON.stringify(path.slice(0, len)));
      if (hit !== undefined) return hit;
    }
    return 1;
  };
}
