// Tree-sitter plumbing shared by every fact kind: the parser, node helpers, `use` paths, the
// functions of a file. Pure.
import Parser from 'tree-sitter';
import Rust from 'tree-sitter-rust';
import type { SyntaxNode } from 'tree-sitter';
import type { RustRules } from '../rules.js';
import type { TextRange } from '../sparse.js';
import { lastStartingBy } from '../spans.js';

let parser: Parser | undefined;
let errorQuery: Parser.Query | undefined;
let queryText: string | undefined;

export function getParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Rust as unknown as Parser.Language);
  }
  return parser;
}

/** Compiled on the first tree with a syntax error only (most scans never need it). */
export function getErrorQuery(rules: RustRules): Parser.Query {
  if (!errorQuery || queryText !== rules.query) {
    errorQuery = new Parser.Query(Rust as unknown as Parser.Language, rules.query);
    queryText = rules.query;
  }
  return errorQuery;
}

export const UPPER = /^[A-Z][A-Z0-9_]*[A-Z0-9]$/;

export interface Range {
  start: number;
  end: number;
}
export interface FnRange extends Range {
  name: string;
  node: SyntaxNode;
}

export const same = (a: SyntaxNode | null | undefined, b: SyntaxNode): boolean =>
  !!a && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
export const lineOf = (n: SyntaxNode): number => n.startPosition.row + 1;

/** The string value of a (raw) string literal, without quotes; escapes left as written. */
export function stringValue(n: SyntaxNode): string {
  const c = n.namedChildren.filter((x) => x.type === 'string_content');
  if (c.length > 0) return c.map((x) => x.text).join('');
  const t = n.text;
  const m = /^r?#*"([\s\S]*)"#*$/.exec(t);
  return m ? m[1]! : '';
}

/** `use` tree → local name to full path. */
export function addUses(node: SyntaxNode, prefix: string, out: Map<string, string>): void {
  const join = (a: string, b: string): string => (a ? `${a}::${b}` : b);
  switch (node.type) {
    case 'use_declaration': {
      const arg = node.childForFieldName('argument');
      if (arg) addUses(arg, prefix, out);
      return;
    }
    case 'identifier':
    case 'crate':
    case 'super':
    case 'self': {
      const name = node.text;
      if (name === 'self') {
        const last = prefix.split('::').pop();
        if (last) out.set(last, prefix);
      } else out.set(name, join(prefix, name));
      return;
    }
    case 'scoped_identifier': {
      const full = join(prefix, node.text.replace(/\s+/g, ''));
      const name = node.childForFieldName('name')?.text ?? full.split('::').pop()!;
      if (name === 'self') {
        const p = full.replace(/::self$/, '');
        out.set(p.split('::').pop()!, p);
      } else out.set(name, full);
      return;
    }
    case 'use_as_clause': {
      const path = node.childForFieldName('path');
      const alias = node.childForFieldName('alias');
      if (path && alias) out.set(alias.text, join(prefix, path.text.replace(/\s+/g, '')));
      return;
    }
    case 'scoped_use_list': {
      const path = node.childForFieldName('path');
      const list = node.childForFieldName('list');
      const p = path ? join(prefix, path.text.replace(/\s+/g, '')) : prefix;
      if (list) addUses(list, p, out);
      return;
    }
    case 'use_list':
      for (const c of node.namedChildren) addUses(c, prefix, out);
      return;
    default:
      return;
  }
}

/** `a::b::c` with its first segment resolved through the file's `use` map. */
export function resolvePath(text: string, uses: Map<string, string>): string {
  const t = text.replace(/\s+/g, '').replace(/^::/, '').replace(/::<[^>]*>/g, '');
  const segs = t.split('::');
  const head = uses.get(segs[0]!);
  if (head && head !== segs[0]) return [head, ...segs.slice(1)].join('::');
  return t;
}


export type Positions = (re: RegExp) => { index: number; m: RegExpMatchArray }[];

/**
 * Positions of every match of `re` (global) in `text`; with `ranges`, only matches that start in
 * one of them (or on the line break just before it), since a match elsewhere has no node to map to.
 */
export function positions(re: RegExp, text: string, ranges?: readonly TextRange[]): { index: number; m: RegExpMatchArray }[] {
  const out: { index: number; m: RegExpMatchArray }[] = [];
  if (!ranges) {
    for (const m of text.matchAll(re)) out.push({ index: m.index!, m });
    return out;
  }
  let last = -1;
  for (const r of ranges) {
    re.lastIndex = Math.max(0, r.startIndex - 1, last + 1);
    for (let m = re.exec(text); m && m.index < r.endIndex; m = re.exec(text)) {
      if (m.index > last) out.push({ index: m.index, m });
      last = m.index;
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  re.lastIndex = 0;
  return out;
}

/** Climb from `n` to the first ancestor (or self) of one of `types`, at most `depth` steps. */
export function up(n: SyntaxNode | null, types: string[], depth = 6): SyntaxNode | undefined {
  for (let i = 0; n && i <= depth; i++, n = n.parent) if (types.includes(n.type)) return n;
  return undefined;
}

export interface Fn extends FnRange {
  line: number;
  /** returns something named `…Client` */
  client: boolean;
}

/** The function items of a tree, sorted by start. */
export function functionsOf(root: SyntaxNode): Fn[] {
  const fns = root.descendantsOfType('function_item').map((n) => {
    const rt = n.childForFieldName('return_type');
    return { start: n.startIndex, end: n.endIndex, name: n.childForFieldName('name')?.text ?? '', line: lineOf(n), client: !!rt && /Client\b/.test(rt.text), node: n };
  });
  return fns.sort((a, b) => a.start - b.start);
}

/** Index of the innermost function around `pos`: the last one starting at or before it that
 *  contains it (nested functions start later); -1 at file level. */
export function innermostAt(fns: readonly Fn[], pos: number): number {
  let idx = lastStartingBy(fns, pos);
  while (idx >= 0 && fns[idx]!.end <= pos) idx--;
  return idx;
}


export function attrInner(n: SyntaxNode): string {
  return n.text.replace(/^#!?\[/, '').replace(/\]$/, '').trim();
}

export function precedingAttrs(n: SyntaxNode): string[] {
  const out: string[] = [];
  for (let s = n.previousNamedSibling; s; s = s.previousNamedSibling) {
    if (s.type === 'attribute_item') out.push(attrInner(s));
    else if (s.type === 'line_comment' || s.type === 'block_comment') continue;
    else break;
  }
  return out;
}

export function markTestAttr(n: SyntaxNode, rules: RustRules, out: Range[]): void {
  const inner = attrInner(n);
  if (!rules.testAttrs.some((r) => r.test(inner))) return;
  let s = n.nextNamedSibling;
  while (s && (s.type === 'attribute_item' || s.type === 'line_comment' || s.type === 'block_comment')) s = s.nextNamedSibling;
  if (s) out.push({ start: n.startIndex, end: s.endIndex });
}


export function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Deeper bracket nesting than this is not parsed: tree-sitter's parent steps cost the depth each,
 *  so the walks from every finding would cost the square of it (100,000 nested `{` took hours).
 *  Real Rust code stays far below. */
export const MAX_NESTING = 128;

/** The first place (1-based line) where `( [ {` nest deeper than MAX_NESTING outside comments and
 *  literals, within `ranges` when given; undefined when nowhere. One linear pass. */
export function tooDeepAt(masked: string, ranges?: readonly { startIndex: number; endIndex: number }[]): number | undefined {
  const spans = ranges ?? [{ startIndex: 0, endIndex: masked.length }];
  for (const r of spans) {
    let depth = 0;
    for (let i = r.startIndex; i < r.endIndex && i < masked.length; i++) {
      const c = masked.charCodeAt(i);
      if (c === 0x7b || c === 0x28 || c === 0x5b) {
        if (++depth > MAX_NESTING) {
          let line = 1;
          for (let k = masked.indexOf('\n'); k >= 0 && k < i; k = masked.indexOf('\n', k + 1)) line++;
          return line;
        }
      } else if ((c === 0x7d || c === 0x29 || c === 0x5d) && depth > 0) depth--;
    }
  }
  return undefined;
}

/** How far the walks from a finding climb the tree (each step up costs the node's depth in
 *  tree-sitter): the statements, conditions and calls they look for sit well within it. */
export const MAX_CLIMB = 64;
/** Builder chains climbed from a constructor: `.a().b()…` of at most this many calls. */
export const MAX_CHAIN = 512;
