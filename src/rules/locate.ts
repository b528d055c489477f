// The line a value of a rules file sits on, from its path in the parsed document
// (["channel", 3, "managed_by"] is the `managed_by =` line of the fourth [[channel]]).
// A line scanner, not a parser: headers, keys at the start of a line, array-of-tables counts;
// multi-line strings and arrays are stepped over. Paths it does not know fall back to the
// nearest enclosing key or header.
import type { Path } from './schema.js';

const BARE = /^[A-Za-z0-9_-]+/;

/** `a."b.c".d` -> ["a", "b.c", "d"] (and the rest of the text after the key). */
function readKey(text: string): { keys: string[]; rest: string } | undefined {
  const keys: string[] = [];
  let s = text.trimStart();
  for (;;) {
    let m: RegExpExecArray | null;
    if (s.startsWith('"')) {
      m = /^"((?:[^"\\]|\\.)*)"/.exec(s);
      if (!m) return undefined;
      keys.push(JSON.parse(`"${m[1]}"`) as string);
    } else if (s.startsWith("'")) {
      m = /^'([^']*)'/.exec(s);
      if (!m) return undefined;
      keys.push(m[1]!);
    } else {
      m = BARE.exec(s);
      if (!m) return undefined;
      keys.push(m[0]);
    }
    s = s.slice(m[0].length).trimStart();
    if (!s.startsWith('.')) return { keys, rest: s };
    s = s.slice(1).trimStart();
  }
}

/** How much an array or inline table opened on this line is still open, outside strings. */
function depthChange(line: string, state: { multi: '' | '"""' | "'''" }): number {
  let d = 0;
  for (let i = 0; i < line.length; i++) {
    if (state.multi) {
      const end = line.indexOf(state.multi, i);
      if (end < 0) return d;
      i = end + 2;
      state.multi = '';
      continue;
    }
    const c = line[i];
    if (c === '#') break;
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      state.multi = line.slice(i, i + 3) as '"""' | "'''";
      i += 2;
      continue;
    }
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(line.slice(i));
      i += m ? m[0].length - 1 : line.length;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      i = end < 0 ? line.length : end;
    } else if (c === '[' || c === '{') d++;
    else if (c === ']' || c === '}') d--;
  }
  return d;
}

export type LineIndex = (path: Path) => number;

export function lineIndex(text: string): LineIndex {
  const lines = new Map<string, number>();
  const arrays = new Map<string, number>();
  const put = (path: (string | number)[], line: number) => {
    const k = JSON.stringify(path);
    if (!lines.has(k)) lines.set(k, line);
  };
  /** A header's keys with the current element index after every array of tables in it. */
  const resolve = (keys: string[]): (string | number)[] => {
    const out: (string | number)[] = [];
    for (const k of keys) {
      out.push(k);
      const n = arrays.get(JSON.stringify(out));
      if (n !== undefined) out.push(n);
    }
    return out;
  };
  let prefix: (string | number)[] = [];
  let depth = 0;
  const state: { multi: '' | '"""' | "'''" } = { multi: '' };
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/\r$/, '');
    if (depth === 0 && !state.multi) {
      const t = line.trimStart();
      const arr = /^\[\[(.+?)\]\]/.exec(t);
      const tab = arr ? undefined : /^\[([^[\]]+)\]/.exec(t);
      if (arr || tab) {
        const keys = readKey((arr ?? tab)![1]!)?.keys ?? [];
        if (arr) {
          const base = resolve(keys.slice(0, -1)).concat(keys.slice(-1));
          const k = JSON.stringify(base);
          arrays.set(k, (arrays.get(k) ?? -1) + 1);
        }
        prefix = resolve(keys);
        put(prefix, n);
        return;
      }
      const key = t.startsWith('#') ? undefined : readKey(t);
      if (key && key.rest.startsWith('=')) {
        put([...prefix, ...key.keys], n);
        depth += depthChange(key.rest.slice(1), state);
        return;
      }
    }
    depth += depthChange(line, state);
    if (depth < 0) depth = 0;
  });
  return (path) => {
    for (let len = path.length; len > 0; len--) {
      const hit = lines.get(JSON.stringify(path.slice(0, len)));
      if (hit !== undefined) return hit;
    }
    return 1;
  };
}
