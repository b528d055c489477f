// One file's shared context: its parse, `use` map, test ranges and functions. Every fact kind
// (consts.ts, env-reads.ts, overrides.ts, urls.ts, paths.ts, clients.ts, scopes.ts,
// config-fields.ts) reads the file through it. Pure.
import type { SyntaxNode, Tree } from 'tree-sitter';
import type { FileFacts } from '../facts.js';
import { emptyFacts } from '../facts.js';
import { modDeclsOf } from '../prefilter.js';
import type { RustRules } from '../rules.js';
import type { TextRange } from '../sparse.js';
import type { Fn, FnRange, Positions, Range } from './syntax.js';
import { maskCode } from '../fn-index.js';
import { addUses, attrInner, functionsOf, MAX_CLIMB, MAX_NESTING, tooDeepAt, getErrorQuery, getParser, innermostAt, lineOf, markTestAttr, positions, up } from './syntax.js';

const USE_ANCHOR = /(?:^|[\n;{}])[ \t]*(?:pub(?:\s*\([^)]*\))?\s+)?use\s/g;
const STRUCT_ANCHOR = /\bstruct\s+([A-Za-z_][A-Za-z0-9_]*)/g;
const STATEMENT_TYPES = new Set(['let_declaration', 'expression_statement', 'field_initializer', 'const_item', 'static_item']);

export interface FileContext {
  text: string;
  file: string;
  rules: RustRules;
  ranges?: TextRange[];
  root: SyntaxNode;
  facts: FileFacts;
  /** The smallest node spanning [i, i + len). */
  at(i: number, len?: number): SyntaxNode;
  /** Matches of a global regex in the parsed parts. */
  find: Positions;
  /** `use` map: local name to full path. */
  uses: Map<string, string>;
  /** `struct` items of a file that derives Deserialize (config structs). */
  structs: SyntaxNode[];
  inTest(pos: number): boolean;
  /** Code compiled into debug builds only (`#[cfg(debug_assertions)]`, `if cfg!(debug_assertions)`). */
  inDebug(pos: number): boolean;
  fns: Fn[];
  fnOf(n: SyntaxNode | null): FnRange | undefined;
  /** The statement (let, expression statement, field initializer, const) holding `n`. */
  statementOf(n: SyntaxNode): SyntaxNode | undefined;
}

/** Parses `text` (only `ranges` when given) and builds the context; undefined when the parser fails. */
export function fileContext(text: string, file: string, rules: RustRules, ranges?: TextRange[]): FileContext | { failed: FileFacts } {
  const facts = emptyFacts();
  facts.modDecls = modDeclsOf(text);
  // nesting deeper than any real code would make every walk from a finding quadratic: not parsed,
  // counted as a place the parser could not read (at the line where it gets too deep)
  const deep = tooDeepAt(maskCode(text), ranges);
  if (deep !== undefined) {
    facts.parseErrors = 1;
    facts.firstErrorLine = deep;
    facts.tooDeep = MAX_NESTING;
    return { failed: facts };
  }
  let tree: Tree;
  try {
    tree = getParser().parse(text, undefined, {
      bufferSize: Math.max(32 * 1024, text.length * 2 + 1024),
      ...(ranges ? { includedRanges: ranges } : {}),
    });
  } catch {
    facts.parseErrors = 1;
    facts.firstErrorLine = 1;
    return { failed: facts };
  }
  const root = tree.rootNode;
  if (root.hasError) {
    const errs = getErrorQuery(rules).captures(root);
    facts.parseErrors = Math.max(1, errs.length);
    facts.firstErrorLine = errs.length ? Math.min(...errs.map((e) => lineOf(e.node))) : 1;
  }
  const at = (i: number, len = 1): SyntaxNode => root.descendantForIndex(i, i + Math.max(0, len - 1));
  const find: Positions = (re) => positions(re, text, ranges);

  // use declarations, structs, inner attributes: found from text anchors
  const uses = new Map<string, string>();
  for (const { index, m } of find(USE_ANCHOR)) {
    const start = index + /^[\n;{}]?[ \t]*/.exec(m[0])![0].length;
    const u = up(at(start, 3), ['use_declaration'], 3);
    if (u && u.startIndex === start) addUses(u, '', uses);
  }
  const structs: SyntaxNode[] = [];
  if (text.includes('Deserialize')) {
    for (const { index, m } of find(STRUCT_ANCHOR)) {
      const st = up(at(index + m[0].length - m[1]!.length, m[1]!.length), ['struct_item'], 2);
      if (st) structs.push(st);
    }
  }
  if (text.includes('#![')) {
    for (const { index } of find(rules.testAttrAnchor)) {
      const a = up(at(index, 3), ['inner_attribute_item'], 4);
      if (a && rules.testAttrs.some((r) => r.test(attrInner(a)))) facts.fileTest = true;
    }
  }

  // test ranges: `#[cfg(test)]`, `#[test]`, `#[tokio::test]` ... items
  const testRanges: Range[] = [];
  if (text.includes('test')) {
    for (const { index } of find(rules.testAttrAnchor)) {
      const a = up(at(index, 2), ['attribute_item', 'inner_attribute_item'], 4);
      if (a?.type === 'attribute_item') markTestAttr(a, rules, testRanges);
    }
  }
  const inTest = (pos: number): boolean => {
    for (const r of testRanges) if (pos >= r.start && pos < r.end) return true;
    return false;
  };
  // debug-build-only ranges: attributed items, and the `then` block of `if cfg!(debug_assertions)`
  const debugRanges: Range[] = [];
  if (text.includes('debug_assertions')) {
    for (const { index } of find(/#\[\s*cfg\s*\(\s*debug_assertions/g)) {
      const a = up(at(index, 2), ['attribute_item'], 4);
      if (!a || !rules.debugAttrs.some((r) => r.test(attrInner(a)))) continue;
      let s = a.nextNamedSibling;
      while (s && (s.type === 'attribute_item' || s.type === 'line_comment' || s.type === 'block_comment')) s = s.nextNamedSibling;
      if (s) debugRanges.push({ start: a.startIndex, end: s.endIndex });
    }
    for (const cond of rules.debugConditions) {
      for (let i = text.indexOf(cond); i >= 0; i = text.indexOf(cond, i + cond.length)) {
        const ifx = up(at(i, 4), ['if_expression'], 5);
        const body = ifx?.childForFieldName('consequence');
        if (ifx && body && (ifx.childForFieldName('condition')?.text ?? '').includes(cond)) debugRanges.push({ start: body.startIndex, end: body.endIndex });
      }
    }
  }
  const inDebug = (pos: number): boolean => debugRanges.some((r) => pos >= r.start && pos < r.end);
  // every function of the parsed parts, by start: the innermost one around a node by binary search
  // (no walk up the tree per finding)
  const fns = functionsOf(root);
  const fnOf = (n: SyntaxNode | null): FnRange | undefined => {
    const i = n ? innermostAt(fns, n.startIndex) : -1;
    return i >= 0 ? fns[i] : undefined;
  };
  const statementOf = (n: SyntaxNode): SyntaxNode | undefined => {
    let cur: SyntaxNode | null = n;
    for (let k = 0; cur && k < MAX_CLIMB; k++) {
      if (STATEMENT_TYPES.has(cur.type)) return cur;
      const par: SyntaxNode | null = cur.parent;
      if (!par) return undefined;
      if (cur.type === 'function_item') return undefined;
      if (par.type === 'block' && par.parent?.type === 'function_item') return cur; // tail expression
      cur = par;
    }
    return undefined;
  };
  return { text, file, rules, ...(ranges ? { ranges } : {}), root, facts, at, find, uses, structs, inTest, inDebug, fns, fnOf, statementOf };
}
