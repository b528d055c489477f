// Per function: the calls it makes and the UPPER_CASE names it mentions, by text (carriers of
// endpoints are traced through them).
import type { RawScope } from '../facts.js';
import type { Fn } from './syntax.js';
import { innermostAt, resolvePath } from './syntax.js';

const CALL_NAME = /(?<![.\w:]|\bfn\s+)((?:[A-Za-z_][A-Za-z0-9_]*::)*)([a-z_][a-z0-9_]*)\s*(?:::\s*<[^;(){}]*>\s*)?\(/g;
const KEYWORDS = new Set(['if', 'while', 'match', 'for', 'return', 'in', 'as', 'move', 'loop', 'let', 'else', 'mut', 'ref', 'where', 'impl', 'dyn', 'await', 'async', 'unsafe', 'break', 'continue', 'fn', 'pub', 'crate', 'self', 'super', 'use', 'mod', 'type']);
const UPPER_USE = /(?<!\b(?:const|static)\s+)\b[A-Z][A-Z0-9_]*[A-Z0-9]\b/g;

/** Calls and UPPER_CASE names per function (innermost parsed function_item; file level outside). */
export function scopesOf(text: string, fns: readonly Fn[], inTest: (pos: number) => boolean, uses: Map<string, string>): RawScope[] {
  const scopes = new Map<number, { calls: Set<string>; consts: Set<string> }>();
  const scopeAt = (pos: number): { calls: Set<string>; consts: Set<string> } => {
    const idx = innermostAt(fns, pos);
    let s = scopes.get(idx);
    if (!s) {
      s = { calls: new Set(), consts: new Set() };
      scopes.set(idx, s);
    }
    return s;
  };
  for (const m of text.matchAll(CALL_NAME)) {
    const name = m[2]!;
    if (KEYWORDS.has(name)) continue;
    // with its path when written or imported: `codex_login::default_client::build_reqwest_client`
    const written = `${m[1]!}${name}`;
    const full = m[1] ? resolvePath(written, uses) : (uses.get(name) ?? name);
    scopeAt(m.index!).calls.add(full.endsWith(name) ? full : name);
  }
  for (const m of text.matchAll(UPPER_USE)) scopeAt(m.index!).consts.add(m[0]);
  const out: RawScope[] = [];
  for (const [i, s] of [...scopes].sort((a, b) => a[0] - b[0])) {
    const f = i >= 0 ? fns[i] : undefined;
    out.push({
      ...(f ? { function: f.name, line: f.line } : {}),
      test: f ? inTest(f.start) : false,
      calls: [...s.calls],
      consts: [...s.consts],
      ...(f?.client ? { returnsClient: true } : {}),
    });
  }
  return out;
}

