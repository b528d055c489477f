// The structure of one file by text, parsed or not: its functions (with the `impl` type they belong
// to, the types named in their signature, the calls and method calls in their body, the UPPER_CASE
// names they mention), its structs (with the types their fields name) and its `use` map. Comments
// and literals are masked first, so braces and words inside them do not count. This is what client
// factories are traced through across files and crates (resolve/factories.ts), whatever the
// functions are called. Pure.
import type { RawFlag, RawFunction, RawStruct } from './facts.js';
import { lastStartingBy } from './spans.js';

const LITERAL_START = /\/\/|\/\*|b?r#*"|"|'/g;
const spaces = (s: string): string => (s.includes('\n') ? s.replace(/[^\n]/g, ' ') : ' '.repeat(s.length));

/** `text` with comments, string and char literals replaced by spaces (newlines kept, same length). */
export function maskCode(text: string): string {
  const n = text.length;
  const parts: string[] = [];
  let copied = 0;
  const mask = (from: number, to: number): void => {
    parts.push(text.slice(copied, from), spaces(text.slice(from, to)));
    copied = to;
  };
  LITERAL_START.lastIndex = 0;
  for (let m = LITERAL_START.exec(text); m; m = LITERAL_START.exec(text)) {
    const i = m.index;
    const tok = m[0];
    let end = -1;
    if (tok === '//') {
      const e = text.indexOf('\n', i);
      end = e < 0 ? n : e;
      mask(i, end);
    } else if (tok === '/*') {
      let depth = 1;
      let k = i + 2;
      while (k < n && depth > 0) {
        const nx = text.indexOf('*', k);
        const op = text.indexOf('/*', k);
        if (nx < 0) {
          k = n;
          break;
        }
        if (op >= 0 && op < nx) {
          depth++;
          k = op + 2;
        } else if (text[nx + 1] === '/') {
          depth--;
          k = nx + 2;
        } else k = nx + 1;
      }
      end = k;
      mask(i, end);
    } else if (tok.endsWith('"') && tok !== '"') {
      // raw string r#".."# (not part of an identifier such as `bar"`)
      if (isIdent(text.charCodeAt(i - 1))) continue;
      const hashes = tok.length - (tok.startsWith('b') ? 3 : 2);
      const close = '"' + '#'.repeat(hashes);
      const e = text.indexOf(close, i + tok.length);
      end = e < 0 ? n : e + close.length;
      mask(i + tok.length, end - close.length);
    } else if (tok === '"') {
      let k = i + 1;
      for (;;) {
        const q = text.indexOf('"', k);
        if (q < 0) {
          k = n;
          break;
        }
        let bs = 0;
        for (let j = q - 1; j > i && text.charCodeAt(j) === 92; j--) bs++;
        if (bs % 2 === 0) {
          k = q;
          break;
        }
        k = q + 1;
      }
      mask(i + 1, k);
      end = k + 1;
    } else {
      // char literal ('x', '\n', '\u{..}', 'é') or a lifetime ('a)
      const next = text[i + 1];
      if (next === '\\') {
        const e = text.indexOf("'", i + 3);
        if (e > 0 && e - i < 12) {
          mask(i + 1, e);
          end = e + 1;
        }
      } else if (next !== undefined) {
        const e = text.indexOf("'", i + 1);
        if (e > 0 && e - i <= 3 && !text.slice(i + 1, e).includes('\n')) {
          mask(i + 1, e);
          end = e + 1;
        }
      }
      if (end < 0) continue;
    }
    LITERAL_START.lastIndex = Math.max(end, i + 1);
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

function isIdent(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

const BRACE = /[{}]/g;

/** For each `{` offset, the offset of its matching `}` (or the text's end); found with the regex
 *  engine jumping from brace to brace rather than a loop over every character. */
function braceMatches(masked: string): { get(open: number): number | undefined } {
  const close = new Int32Array(masked.length + 1);
  const stack: number[] = [];
  BRACE.lastIndex = 0;
  for (let m = BRACE.exec(masked); m; m = BRACE.exec(masked)) {
    if (m[0] === '{') stack.push(m.index);
    else {
      const o = stack.pop();
      if (o !== undefined) close[o] = m.index + 1;
    }
  }
  for (const o of stack) close[o] = masked.length + 1;
  return { get: (open) => (close[open] ? close[open]! - 1 : undefined) };
}

/** The first `{` or `;` at depth 0 of () [] <> after `from`: where an item's header ends. */
function headerEnd(masked: string, from: number): number {
  let depth = 0;
  for (let i = from; i < masked.length; i++) {
    const c = masked[i]!;
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth <= 0 && (c === '{' || c === ';')) return i;
  }
  return masked.length;
}

const lineStarts = (text: string): number[] => {
  const s = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) s.push(i + 1);
  return s;
};
function lineAt(starts: number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

const TYPE_PATH = /\b((?:[A-Za-z_][A-Za-z0-9_]*::)*[A-Z][A-Za-z0-9_]*)\b/g;
/** Type names (with their path when written, `reqwest::Client`) in a piece of masked code. */
function typesIn(s: string): string[] {
  const out = new Set<string>();
  for (const m of s.matchAll(TYPE_PATH)) out.add(m[1]!.replace(/\s+/g, ''));
  return [...out];
}

const ITEM = /\b(impl|fn|mod|struct|trait)\b/g;
const UPPER = /\b[A-Z][A-Z0-9_]*[A-Z0-9]\b/g;
/** A bare (path to a) lower-case name as a call argument: a function handed on as a value, or a variable. */
const FN_REF = /[(,]\s*((?:[A-Za-z_][A-Za-z0-9_]*\s*::\s*)*[a-z_][a-z0-9_]*)\s*(?=[,)])/g;
const TEST_ATTR = /#\[\s*(?:cfg\s*\(\s*(?:test\b|all\s*\(\s*test\b)|(?:tokio\s*::\s*)?test\b|test_case\b|rstest\b)/g;
const KEYWORDS = new Set(['if', 'while', 'match', 'for', 'return', 'in', 'as', 'move', 'loop', 'let', 'else', 'mut', 'ref', 'where', 'impl', 'dyn', 'await', 'async', 'unsafe', 'break', 'continue', 'fn', 'pub', 'crate', 'self', 'super', 'use', 'mod', 'type', 'Some', 'Ok', 'Err', 'Box', 'Arc', 'Rc', 'Vec', 'String']);

interface Span {
  start: number;
  end: number;
}

export interface FileIndex {
  functions: RawFunction[];
  structs: RawStruct[];
  /** clap flags whose field carries a URL (see flagsOf). */
  flags?: RawFlag[];
  /** Known string literals (FlagRules.literals) outside test code, where they first occur. */
  literals?: { value: string; line: number }[];
  /** local name -> full path, from `use` declarations */
  uses: Record<string, string>;
}

/** `use a::{b, c::d as e};` -> { b: a::b, e: a::c::d } */
export function usesOf(masked: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (prefix: string, tree: string): void => {
    tree = tree.trim();
    if (!tree) return;
    const brace = tree.indexOf('{');
    if (brace >= 0 && tree.endsWith('}')) {
      const head = tree.slice(0, brace).replace(/::\s*$/, '').trim();
      const p = head ? (prefix ? `${prefix}::${head}` : head) : prefix;
      let depth = 0;
      let last = brace + 1;
      const inner = tree.slice(0, -1);
      for (let i = brace + 1; i < inner.length; i++) {
        const ch = inner[i];
        if (ch === '{') depth++;
        else if (ch === '}') depth--;
        else if (ch === ',' && depth === 0) {
          add(p, inner.slice(last, i));
          last = i + 1;
        }
      }
      add(p, inner.slice(last));
      return;
    }
    const as = /^(.*?)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(tree);
    const path = (as ? as[1]! : tree).replace(/\s+/g, '');
    const full = prefix ? `${prefix}::${path}` : path;
    const segs = full.split('::');
    let local = as ? as[2]! : segs[segs.length - 1]!;
    if (local === 'self') {
      segs.pop();
      local = segs[segs.length - 1] ?? '';
    }
    if (local && local !== '*' && local !== '_') out[local] = segs.join('::');
  };
  for (let i = masked.indexOf('use '); i >= 0; i = masked.indexOf('use ', i + 4)) {
    if (isIdent(masked.charCodeAt(i - 1))) continue;
    // at a statement start: only `pub`, `pub(crate)` and spaces between it and the previous `;{}` or line start
    let k = i - 1;
    while (k >= 0 && masked[k] !== '\n' && masked[k] !== ';' && masked[k] !== '{' && masked[k] !== '}') k--;
    if (!/^\s*(?:pub(?:\s*\([^)]*\))?\s+)?$/.test(masked.slice(k + 1, i))) continue;
    const semi = masked.indexOf(';', i);
    if (semi < 0) break;
    add('', masked.slice(i + 4, semi).trim().replace(/^::/, ''));
  }
  return out;
}

/**
 * The functions and structs of `text` (`firstLine` is the line `text` starts at). Items inside a
 * `#[cfg(test)]` / `#[test]` item are marked test.
 */
export function indexFile(text: string, flagRules?: FlagRules, firstLine = 1): FileIndex {
  const masked = maskCode(text);
  const braces = braceMatches(masked);
  const starts = lineStarts(text);
  const line = (pos: number): number => lineAt(starts, pos) + firstLine - 1;
  const tests: Span[] = [];
  for (const m of masked.matchAll(TEST_ATTR)) {
    const close = masked.indexOf(']', m.index!);
    if (close < 0) continue;
    const he = headerEnd(masked, close + 1);
    const end = masked[he] === '{' ? (braces.get(he) ?? masked.length) : he;
    tests.push({ start: m.index!, end });
  }
  const inTest = (pos: number): boolean => tests.some((t) => pos >= t.start && pos < t.end);
  const impls: (Span & { type: string; trait?: string })[] = [];
  const fns: (Span & { name: string; sig: string; bodyStart: number; line: number })[] = [];
  const structs: RawStruct[] = [];
  for (const m of masked.matchAll(ITEM)) {
    const kw = m[1]!;
    const at = m.index!;
    if (isIdent(masked.charCodeAt(at - 1)) || masked[at - 1] === ':') continue;
    const he = headerEnd(masked, at + kw.length);
    const header = masked.slice(at + kw.length, he);
    const body = masked[he] === '{' ? { start: he, end: braces.get(he) ?? masked.length } : undefined;
    if (kw === 'impl') {
      if (!body) continue;
      // impl<T> Trait<X> for Type<Y> where ..  -> Type (and Trait)
      let h = header.replace(/\bwhere\b[\s\S]*$/, '');
      h = stripGenerics(h).trim();
      const parts = h.split(/\s+for\s+/);
      const target = (parts.length > 1 ? parts[1]! : parts[0]!).trim();
      const name = lastSegment(target);
      if (!name) continue;
      impls.push({ start: at, end: body.end, type: name, ...(parts.length > 1 ? { trait: lastSegment(parts[0]!.trim()) } : {}) });
    } else if (kw === 'fn') {
      const nm = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(header);
      if (!nm || !body) continue;
      fns.push({ start: at, end: body.end, name: nm[1]!, sig: header, bodyStart: body.start, line: line(at) });
    } else if (kw === 'struct') {
      const nm = /^\s*([A-Z][A-Za-z0-9_]*)/.exec(header);
      if (!nm) continue;
      let fieldsText = '';
      if (body) fieldsText = masked.slice(body.start + 1, body.end);
      else {
        const open = header.indexOf('(');
        if (open >= 0) fieldsText = header.slice(open);
      }
      const fields = typesIn(fieldsText.replace(/#\[[^\]]*\]/g, ''));
      structs.push({ name: nm[1]!, line: line(at), fields, test: inTest(at) });
    }
  }
  fns.sort((a, b) => a.start - b.start);
  impls.sort((a, b) => a.start - b.start);
  /** The innermost impl block around `f`: the last one starting before it that contains it. */
  const implOf = (f: Span): (typeof impls)[number] | undefined => {
    let idx = lastStartingBy(impls, f.start - 1);
    // impls nest rarely (an impl inside a fn inside an impl): a few steps back at most
    for (let steps = 0; idx >= 0 && steps < 4; idx--, steps++) if (impls[idx]!.end >= f.end) return impls[idx];
    return undefined;
  };
  const out: RawFunction[] = fns.map((f) => {
    const impl = implOf(f);
    const sig = f.sig;
    const arrow = sig.indexOf('->');
    const paramsOpen = sig.indexOf('(');
    const paramsText = paramsOpen >= 0 ? sig.slice(paramsOpen, arrow >= 0 ? arrow : undefined) : '';
    const ret = arrow >= 0 ? sig.slice(arrow + 2).replace(/\bwhere\b[\s\S]*$/, '') : '';
    const self = (xs: string[]): string[] => xs.map((t) => (t === 'Self' && impl ? impl.type : t));
    return {
      name: f.name,
      line: f.line,
      endLine: line(f.end),
      ...(impl ? { impl: impl.type } : {}),
      ...(impl?.trait ? { trait: impl.trait } : {}),
      test: inTest(f.start),
      params: self(typesIn(paramsText)).join(' '),
      returns: self(typesIn(ret)).join(' '),
      calls: '',
      methods: '',
      consts: '',
    };
  });
  // calls, method calls and UPPER_CASE names of each body: the innermost function around them
  const sets = out.map(() => ({ calls: new Set<string>(), methods: new Set<string>(), consts: new Set<string>(), refs: new Set<string>() }));
  const innermost = (pos: number): number => {
    // fns sorted by start; the last one starting before pos that contains it (nested ones start later)
    let idx = lastStartingBy(fns, pos);
    while (idx >= 0 && !(pos >= fns[idx]!.bodyStart && pos < fns[idx]!.end)) idx--;
    return idx;
  };
  if (fns.length) {
    for (const c of callsIn(masked)) {
      if (KEYWORDS.has(c.name)) continue;
      const i = innermost(c.at);
      if (i < 0) continue;
      const s = sets[i]!;
      if (c.method) s.methods.add(c.self ? `self.${c.name}` : c.name);
      else s.calls.add(c.path ? `${c.path}::${c.name}` : c.name);
    }
    for (const m of masked.matchAll(FN_REF)) {
      const name = m[1]!.replace(/\s+/g, '');
      if (KEYWORDS.has(name) || name === 'self') continue;
      const i = innermost(m.index!);
      if (i >= 0) sets[i]!.refs.add(name);
    }
    for (const m of masked.matchAll(UPPER)) {
      const i = innermost(m.index!);
      if (i >= 0) sets[i]!.consts.add(m[0]);
    }
  }
  out.forEach((f, i) => {
    if (f.test) return;
    f.calls = [...sets[i]!.calls].join(' ');
    f.methods = [...sets[i]!.methods].join(' ');
    f.consts = [...sets[i]!.consts].join(' ');
    if (sets[i]!.refs.size) f.refs = [...sets[i]!.refs].join(' ');
  });
  const flags = flagRules && (text.includes('#[arg(') || text.includes('#[clap(')) ? flagsOf(text, masked, line, inTest, flagRules) : [];
  const literals: { value: string; line: number }[] = [];
  for (const v of flagRules?.literals ?? []) {
    for (let i = text.indexOf(`"${v}"`); i >= 0; i = text.indexOf(`"${v}"`, i + 1)) {
      if (masked[i] !== '"' || inTest(i)) continue; // a quote in a comment, or test code
      literals.push({ value: v, line: line(i) });
      break;
    }
  }
  // test functions trace nothing a shipped binary does: left out (memory: a tree has tens of thousands)
  return { functions: out.filter((f) => !f.test), structs: structs.filter((s) => !s.test), uses: usesOf(masked), ...(flags.length ? { flags } : {}), ...(literals.length ? { literals } : {}) };
}

function stripGenerics(s: string): string {
  let out = '';
  let depth = 0;
  for (const c of s) {
    if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += c;
  }
  return out;
}

function lastSegment(t: string): string {
  const clean = stripGenerics(t).replace(/^(&\s*(mut\s+)?|dyn\s+)/, '').trim();
  const m = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(clean);
  return m ? m[1]! : '';
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;

/**
 * Every call in masked code, found from its `(` backwards (much cheaper than a regex that starts at
 * every identifier): `name(`, `a::b::name(`, `x.name(`, `self.name(`, turbofish `name::<T>(`.
 * Macros (`name!(`), `fn name(` and tuple-struct patterns stay out.
 */
export function callsIn(masked: string): { at: number; name: string; path?: string; method: boolean; self: boolean }[] {
  const out: { at: number; name: string; path?: string; method: boolean; self: boolean }[] = [];
  for (let p = masked.indexOf('('); p >= 0; p = masked.indexOf('(', p + 1)) {
    let j = p - 1;
    while (j >= 0 && isSpace(masked.charCodeAt(j))) j--;
    if (masked[j] === '>') {
      // turbofish: skip back to its `<`, then `::`
      let depth = 0;
      for (; j >= 0; j--) {
        const ch = masked[j];
        if (ch === '>') depth++;
        else if (ch === '<' && --depth === 0) break;
        else if (ch === ';' || ch === '{' || ch === '}') break;
      }
      if (masked[j] !== '<' || masked[j - 1] !== ':' || masked[j - 2] !== ':') continue;
      j -= 3;
      while (j >= 0 && isSpace(masked.charCodeAt(j))) j--;
    }
    const end = j + 1;
    while (j >= 0 && isIdent(masked.charCodeAt(j))) j--;
    const name = masked.slice(j + 1, end);
    if (!name || (name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)) continue;
    const at = j + 1;
    let k = j;
    while (k >= 0 && isSpace(masked.charCodeAt(k))) k--;
    if (masked[k] === '.') {
      let r = k - 1;
      while (r >= 0 && isSpace(masked.charCodeAt(r))) r--;
      const self = masked.slice(Math.max(0, r - 3), r + 1) === 'self' && !isIdent(masked.charCodeAt(r - 4));
      out.push({ at, name, method: true, self });
      continue;
    }
    if (masked[k] === ':' && masked[k - 1] === ':') {
      // path segments before the name
      const segs: string[] = [];
      let r = k - 2;
      for (;;) {
        while (r >= 0 && isSpace(masked.charCodeAt(r))) r--;
        const e = r + 1;
        while (r >= 0 && isIdent(masked.charCodeAt(r))) r--;
        const seg = masked.slice(r + 1, e);
        if (!seg) break;
        segs.unshift(seg);
        let q = r;
        while (q >= 0 && isSpace(masked.charCodeAt(q))) q--;
        if (masked[q] === ':' && masked[q - 1] === ':') r = q - 2;
        else break;
      }
      if (segs.length) out.push({ at, name, path: segs.join('::'), method: false, self: false });
      continue;
    }
    if (k >= 1 && masked.slice(k - 1, k + 1) === 'fn' && !isIdent(masked.charCodeAt(k - 2))) continue;
    out.push({ at, name, method: false, self: false });
  }
  return out;
}

const FLAG_FIELD = /#\[(?:arg|clap)\s*\(([^\]]*)\)\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\s*\([^)]*\))?\s+)?(?:r#)?([a-z_][a-z0-9_]*)\s*:/g;
/** What makes a clap flag one that carries a URL (rules/rust.toml [flags]). */
export interface FlagRules {
  urlField: RegExp;
  urlValues: ReadonlySet<string>;
  /** String literals to report where they occur (capabilities). */
  literals?: readonly string[];
}

/** `#[arg(long = "experimental_issuer", value_name = "URL", hide = true)] issuer_base_url: ..` */
function flagsOf(text: string, masked: string, line: (pos: number) => number, inTest: (pos: number) => boolean, flagRules: FlagRules): RawFlag[] {
  const out: RawFlag[] = [];
  for (const m of text.matchAll(FLAG_FIELD)) {
    if (masked[m.index!] !== '#') continue; // inside a comment or string
    const attr = m[1]!;
    if (!/\blong\b/.test(attr)) continue;
    const field = m[2]!;
    const valueName = /\bvalue_name\s*=\s*"([^"]+)"/.exec(attr)?.[1];
    if (!flagRules.urlField.test(field) && !(valueName && flagRules.urlValues.has(valueName))) continue;
    const long = /\blong\s*=\s*"([^"]+)"/.exec(attr)?.[1] ?? field.replace(/_/g, '-');
    out.push({ name: `--${long}`, field, hidden: /\bhide\s*=\s*true\b/.test(attr), line: line(m.index!), test: inTest(m.index!) });
  }
  return out;
}
