// Facts of one Rust file: one tree-sitter parse (of the items that can hold findings, see
// sparse.ts), then text anchors (URLs, env reads, constructors, `use`, test attributes, config
// fields) mapped onto the tree and local walks from there. rules/queries/rust-scan.scm finds the
// syntax errors of a tree that has any. Pure: text + rules in, FileFacts out.
import Parser from 'tree-sitter';
import Rust from 'tree-sitter-rust';
import type { SyntaxNode, Tree } from 'tree-sitter';
import type { FileFacts, RawClient, RawOverride, RawScope } from './facts.js';
import { emptyFacts } from './facts.js';
import { baseArgsOf, modDeclsOf } from './prefilter.js';
import type { RustRules } from './rules.js';
import { deniedUrl } from './rules.js';
import type { TextRange } from './sparse.js';

let parser: Parser | undefined;
let errorQuery: Parser.Query | undefined;
let queryText: string | undefined;

function getParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Rust as unknown as Parser.Language);
  }
  return parser;
}

/** Compiled on the first tree with a syntax error only (most scans never need it). */
function getErrorQuery(rules: RustRules): Parser.Query {
  if (!errorQuery || queryText !== rules.query) {
    errorQuery = new Parser.Query(Rust as unknown as Parser.Language, rules.query);
    queryText = rules.query;
  }
  return errorQuery;
}

const UPPER = /^[A-Z][A-Z0-9_]*[A-Z0-9]$/;
const STATEMENT_TYPES = new Set(['let_declaration', 'expression_statement', 'field_initializer', 'const_item', 'static_item']);

interface Range {
  start: number;
  end: number;
}
interface FnRange extends Range {
  name: string;
  node: SyntaxNode;
}
interface OverrideSite extends Range {
  override: RawOverride;
  /** Statement-level (true) or function-level fallback (false). */
  local: boolean;
  /** Where the override is read (offset). */
  at: number;
}

const same = (a: SyntaxNode | null | undefined, b: SyntaxNode): boolean =>
  !!a && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
const lineOf = (n: SyntaxNode): number => n.startPosition.row + 1;

/** The string value of a (raw) string literal, without quotes; escapes left as written. */
function stringValue(n: SyntaxNode): string {
  const c = n.namedChildren.filter((x) => x.type === 'string_content');
  if (c.length > 0) return c.map((x) => x.text).join('');
  const t = n.text;
  const m = /^r?#*"([\s\S]*)"#*$/.exec(t);
  return m ? m[1]! : '';
}

/** `use` tree → local name to full path. */
function addUses(node: SyntaxNode, prefix: string, out: Map<string, string>): void {
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
function resolvePath(text: string, uses: Map<string, string>): string {
  const t = text.replace(/\s+/g, '').replace(/^::/, '').replace(/::<[^>]*>/g, '');
  const segs = t.split('::');
  const head = uses.get(segs[0]!);
  if (head && head !== segs[0]) return [head, ...segs.slice(1)].join('::');
  return t;
}

function hostOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  if (!m) {
    // bare host
    return url.split(/[/:?#]/)[0]!.toLowerCase();
  }
  let h = m[1]!;
  const at = h.lastIndexOf('@');
  if (at >= 0) h = h.slice(at + 1);
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1).toLowerCase();
  return h.replace(/:.*$/, '').toLowerCase();
}

function cleanUrl(u: string): string {
  return u.replace(/[.,;:!'"]+$/, '');
}

type Positions = (re: RegExp) => { index: number; m: RegExpMatchArray }[];

/**
 * Positions of every match of `re` (global) in `text`; with `ranges`, only matches that start in
 * one of them (or on the line break just before it), since a match elsewhere has no node to map to.
 */
function positions(re: RegExp, text: string, ranges?: readonly TextRange[]): { index: number; m: RegExpMatchArray }[] {
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
function up(n: SyntaxNode | null, types: string[], depth = 6): SyntaxNode | undefined {
  for (let i = 0; n && i <= depth; i++, n = n.parent) if (types.includes(n.type)) return n;
  return undefined;
}

const TEST_ATTR_ANCHOR = /#!?\[\s*(?:cfg\s*\(\s*(?:test\b|all\s*\(\s*test\b)|(?:tokio\s*::\s*)?test\b|test_case\b|rstest\b)/g;
const ENV_FN_ANCHOR = /\bvar(?:_os)?\s*\(/g;
const CTOR_ANCHOR = /\b([A-Za-z_][A-Za-z0-9_]*)\s*::\s*(?:builder|new)\s*\(\s*\)/g;
/** `reqwest::get(`, `reqwest::blocking::get(`: a request on a client reqwest builds itself. */
const ONE_SHOT_ANCHOR = /\breqwest\s*::\s*(?:blocking\s*::\s*)?get\s*\(/g;
const CONST_ANCHOR = /\b(?:const|static)\s+[A-Z][A-Z0-9_]*\s*:/g;
const FIELD_ANCHOR = /\.\s*([a-z_][a-z0-9_]*)\b/g;
const USE_ANCHOR = /(?:^|[\n;{}])[ \t]*(?:pub(?:\s*\([^)]*\))?\s+)?use\s/g;
const STRUCT_ANCHOR = /\bstruct\s+([A-Za-z_][A-Za-z0-9_]*)/g;
/** `.or(`, `.unwrap_or_else(` ...: the receiver is the identifier before the dot (see receivers). */
const FALLBACK_CALL = /\.\s*(?:or|or_else|unwrap_or|unwrap_or_else|unwrap_or_default|as_deref|filter)\s*\(/g;
const LOWER_IDENT = /^[a-z_][a-z0-9_]*$/;
const SPACE = /\s/;

const isWordCode = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * Plain identifiers used as the receiver of a fallback call (`name.unwrap_or(..)`, the same as
 * /\b([a-z_][a-z0-9_]*)\s*\.\s*(?:or|..)\s*\(/g), found from the method name backwards: much
 * cheaper than a regex that starts at every identifier. With `ranges`, receivers starting in one.
 */
export function receivers(text: string, ranges?: readonly TextRange[]): { index: number; name: string }[] {
  const out: { index: number; name: string }[] = [];
  for (const m of text.matchAll(FALLBACK_CALL)) {
    let end = m.index!;
    while (end > 0 && SPACE.test(text[end - 1]!)) end--;
    let start = end;
    while (start > 0 && isWordCode(text.charCodeAt(start - 1))) start--;
    const name = text.slice(start, end);
    if (!LOWER_IDENT.test(name)) continue;
    if (ranges && !ranges.some((r) => start >= r.startIndex - 1 && start < r.endIndex)) continue;
    out.push({ index: start, name });
  }
  return out;
}
const PATH_ANCHOR = /"\{[A-Za-z0-9_.]*\}\//g;
const PATH_VALUE = /^\{[A-Za-z0-9_.]*\}(\/[A-Za-z0-9_\-./{}%]*)(?:[?#].*)?$/;
const BASE_NAME = /\b([a-z_]*base_url)\b/g;
const REL_PATH = /"([a-z][a-z0-9_-]*(?:\/[a-z0-9_-]+)+)"/g;
const TYPE_DEF = /\b(?:struct|enum)\s+([A-Z][A-Za-z0-9_]*)/g;
const UPPER_G = /\b[A-Z][A-Z0-9_]*[A-Z0-9]\b/g;

/**
 * Facts of one file. With `ranges`, only those parts of `text` are parsed (offsets and lines stay
 * those of the whole text); syntax errors are then counted in those parts only.
 */
export function extractFacts(text: string, file: string, rules: RustRules, ranges?: TextRange[]): FileFacts {
  const p = getParser();
  const facts = emptyFacts();
  facts.modDecls = modDeclsOf(text);
  let tree: Tree;
  try {
    tree = p.parse(text, undefined, {
      bufferSize: Math.max(32 * 1024, text.length * 2 + 1024),
      ...(ranges ? { includedRanges: ranges } : {}),
    });
  } catch {
    facts.parseErrors = 1;
    facts.firstErrorLine = 1;
    return facts;
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
    for (const { index } of find(TEST_ATTR_ANCHOR)) {
      const a = up(at(index, 3), ['inner_attribute_item'], 4);
      if (a && rules.testAttrs.some((r) => r.test(attrInner(a)))) facts.fileTest = true;
    }
  }

  // test ranges: `#[cfg(test)]`, `#[test]`, `#[tokio::test]` ... items
  const testRanges: Range[] = [];
  if (text.includes('test')) {
    for (const { index } of find(TEST_ATTR_ANCHOR)) {
      const a = up(at(index, 2), ['attribute_item', 'inner_attribute_item'], 4);
      if (a?.type === 'attribute_item') markTestAttr(a, rules, testRanges);
    }
  }
  const inTest = (pos: number): boolean => {
    for (const r of testRanges) if (pos >= r.start && pos < r.end) return true;
    return false;
  };
  // every function of the parsed parts, by start: the innermost one around a node by binary search
  // (no walk up the tree per finding)
  const fns = functionsOf(root);
  const fnOf = (n: SyntaxNode | null): FnRange | undefined => {
    const i = n ? innermostAt(fns, n.startIndex) : -1;
    return i >= 0 ? fns[i] : undefined;
  };

  // ---- consts ----------------------------------------------------------------------------
  for (const { index } of find(CONST_ANCHOR)) {
    const n = up(at(index, 5), ['const_item', 'static_item'], 3);
    if (!n) continue;
    const name = n.childForFieldName('name')?.text;
    const value = n.childForFieldName('value');
    if (!name || !value) continue;
    let v = value;
    while (v.type === 'reference_expression' || v.type === 'parenthesized_expression') {
      const inner = v.childForFieldName('value') ?? v.namedChildren[v.namedChildren.length - 1];
      if (!inner) break;
      v = inner;
    }
    if (v.type === 'string_literal' || v.type === 'raw_string_literal') {
      facts.consts.push({ name, value: stringValue(v), line: lineOf(n), test: inTest(n.startIndex) });
    }
  }

  // ---- env reads -------------------------------------------------------------------------
  /** Env read at a call: the name (literal) or const it reads. */
  const envReadOf = (call: SyntaxNode): { name?: string; constRef?: string } | undefined => {
    const fn = call.childForFieldName('function');
    const args = call.childForFieldName('arguments');
    if (!fn || !args) return undefined;
    const argNodes = args.namedChildren.filter((x) => x.type !== 'line_comment' && x.type !== 'block_comment');
    let callee = '';
    let method = false;
    if (fn.type === 'identifier' || fn.type === 'scoped_identifier') callee = resolvePath(fn.text, uses);
    else if (fn.type === 'field_expression') {
      callee = fn.childForFieldName('field')?.text ?? '';
      method = true;
    } else if (fn.type === 'generic_function') {
      const inner = fn.childForFieldName('function');
      if (inner) callee = resolvePath(inner.text, uses);
    }
    const first = argNodes[0];
    const argName = (a: SyntaxNode | undefined): { name?: string; constRef?: string } | undefined => {
      let x = a;
      while (x && x.type === 'reference_expression') x = x.childForFieldName('value') ?? undefined;
      if (!x) return undefined;
      if (x.type === 'string_literal' || x.type === 'raw_string_literal') return { name: stringValue(x) };
      if (x.type === 'identifier' && UPPER.test(x.text)) return { constRef: x.text };
      if (x.type === 'scoped_identifier') {
        const last = x.childForFieldName('name')?.text;
        if (last && UPPER.test(last)) return { constRef: last };
      }
      return undefined;
    };
    if (!method && rules.readFunctions.has(callee)) return argName(first);
    const lastSeg = callee.split('::').pop() ?? '';
    if (rules.writeMethods.has(lastSeg) || (method && rules.mapMethods.has(lastSeg))) return undefined;
    // wrapper: a const named like an env var handed to any function
    for (const a of argNodes) {
      const r = argName(a);
      if (r?.constRef && rules.envConst.test(r.constRef)) return r;
    }
    return undefined;
  };

  const envCalls: { node: SyntaxNode; read: { name?: string; constRef?: string }; line: number }[] = [];
  const seenEnv = new Set<number>();
  const macroEnv = /\benv\s*::\s*var(?:_os)?\s*\(\s*(?:&\s*)?(?:"([^"\\]+)"|([A-Z][A-Z0-9_]*))\s*\)/y;
  const envAnchor = (index: number, len: number): void => {
    const n = at(index, len);
    if (n.type !== 'identifier') return;
    const macro = n.parent?.type === 'token_tree' ? up(n, ['macro_invocation'], 12) : undefined;
    if (macro) {
      const mname = macro.childForFieldName('macro')?.text ?? '';
      if (mname === 'env' || mname === 'option_env') return; // compile time
      // `env::var("X")` inside a macro's token tree: read the text
      const from = text.lastIndexOf('env', index);
      if (from < 0 || index - from > 8) return;
      macroEnv.lastIndex = from;
      const mm = macroEnv.exec(text);
      if (!mm || seenEnv.has(from)) return;
      seenEnv.add(from);
      const read = mm[1] ? { name: mm[1] } : { constRef: mm[2]! };
      envCalls.push({ node: n, read, line: lineOf(n) });
      return;
    }
    const call = up(n, ['call_expression'], 4);
    if (!call || seenEnv.has(call.startIndex)) return;
    const r = envReadOf(call);
    if (!r) return;
    seenEnv.add(call.startIndex);
    envCalls.push({ node: call, read: r, line: lineOf(call) });
  };
  if (text.includes('var')) for (const { index, m } of find(ENV_FN_ANCHOR)) envAnchor(index, m[0].replace(/\s*\($/, '').length);
  for (const { index, m } of find(rules.envConstAnchor)) envAnchor(index, m[0].length);
  envCalls.sort((a, b) => a.node.startIndex - b.node.startIndex);
  for (const e of envCalls) {
    facts.envReads.push({ ...e.read, line: e.line, function: fnOf(e.node)?.name, test: inTest(e.node.startIndex) });
  }

  // ---- override sites ------------------------------------------------------------------------
  const statementOf = (n: SyntaxNode): SyntaxNode | undefined => {
    let cur: SyntaxNode | null = n;
    while (cur) {
      if (STATEMENT_TYPES.has(cur.type)) return cur;
      const par: SyntaxNode | null = cur.parent;
      if (!par) return undefined;
      if (cur.type === 'function_item') return undefined;
      if (par.type === 'block' && par.parent?.type === 'function_item') return cur; // tail expression
      cur = par;
    }
    return undefined;
  };
  const sites: OverrideSite[] = [];
  for (const e of envCalls) {
    const ov: RawOverride = { kind: 'env', ...e.read, line: e.line };
    const s = statementOf(e.node);
    if (s) sites.push({ start: s.startIndex, end: s.endIndex, override: ov, local: true, at: e.node.startIndex });
    const f = fnOf(e.node);
    if (f && rules.overrideName.test(e.read.name ?? e.read.constRef ?? '')) sites.push({ start: f.start, end: f.end, override: ov, local: false, at: e.node.startIndex });
  }
  // config fields: `cfg.chatgpt_base_url`, `profile.x.or(cfg.x)`
  for (const { index, m } of find(FIELD_ANCHOR)) {
    const name = m[1]!;
    if (!rules.configField.test(name)) continue;
    const f = at(index + m[0].length - name.length, name.length);
    if (f.type !== 'field_identifier') continue;
    const fe = f.parent;
    if (!fe || fe.type !== 'field_expression') continue;
    // a method call `x.base_url()` is not a field read
    if (fe.parent?.type === 'call_expression' && same(fe.parent.childForFieldName('function'), fe)) continue;
    // nor is the target of an assignment (`config.network.proxy_url = format!(..)` writes it)
    if ((fe.parent?.type === 'assignment_expression' || fe.parent?.type === 'compound_assignment_expr') && same(fe.parent.childForFieldName('left'), fe)) continue;
    const s = statementOf(fe);
    if (s) sites.push({ start: s.startIndex, end: s.endIndex, override: { kind: 'config', name, line: lineOf(fe) }, local: true, at: fe.startIndex });
  }
  // a config value passed in as a variable: `chatgpt_base_url.unwrap_or_else(|| DEFAULT..)`
  for (const { index, name } of receivers(text, ranges)) {
    if (!rules.configField.test(name)) continue;
    const id = at(index, name.length);
    if (id.type !== 'identifier' || id.parent?.type !== 'field_expression') continue;
    const s = statementOf(id);
    if (s) sites.push({ start: s.startIndex, end: s.endIndex, override: { kind: 'config', name, line: lineOf(id) }, local: true, at: id.startIndex });
  }
  const overridesAt = (pos: number, localOnly = false): RawOverride[] => {
    const local = sites.filter((s) => s.local && pos >= s.start && pos < s.end);
    const chosen = local.length > 0 || localOnly ? local : sites.filter((s) => !s.local && pos >= s.start && pos < s.end);
    // one override per variable, in the order the reads come; of two reads of the same variable
    // around `pos` (in one statement, a macro's body) the innermost, then the nearest, is cited
    const keyOf = (s: OverrideSite): string => `${s.override.kind}:${s.override.name ?? ''}:${s.override.constRef ?? ''}`;
    const best = new Map<string, OverrideSite>();
    const better = (s: OverrideSite, than: OverrideSite): boolean => {
      const size = s.end - s.start;
      const other = than.end - than.start;
      return size !== other ? size < other : Math.abs(s.at - pos) < Math.abs(than.at - pos);
    };
    for (const s of chosen) {
      const b = best.get(keyOf(s));
      if (!b || better(s, b)) best.set(keyOf(s), s);
    }
    const out: RawOverride[] = [];
    for (const s of chosen) {
      const b = best.get(keyOf(s));
      if (b) {
        out.push(b.override);
        best.delete(keyOf(s));
      }
    }
    return out;
  };
  // const references in override contexts (by text: UPPER_CASE words inside the site)
  if (sites.length > 0) {
    const seenRef = new Set<number>();
    const envConstNames = new Set(envCalls.map((e) => e.read.constRef).filter(Boolean) as string[]);
    for (const s of sites) {
      UPPER_G.lastIndex = 0;
      const body = text.slice(s.start, s.end);
      for (const m of body.matchAll(UPPER_G)) {
        const pos = s.start + m.index!;
        const name = m[0];
        if (envConstNames.has(name) || seenRef.has(pos) || !UPPER.test(name)) continue;
        seenRef.add(pos);
        const ov = overridesAt(pos);
        if (ov.length === 0) continue;
        const n = at(pos, name.length);
        if (n.type !== 'identifier') continue;
        facts.constRefs.push({ name, line: lineOf(n), function: fnOf(n)?.name, test: inTest(pos), overrides: ov });
      }
    }
  }

  // ---- URLs ------------------------------------------------------------------------------
  const strs: SyntaxNode[] = [];
  const seenStr = new Set<number>();
  for (const { index, m } of find(rules.urlAnchor)) {
    const s = up(at(index, m[0].length), ['string_literal', 'raw_string_literal'], 2);
    if (!s || seenStr.has(s.startIndex)) continue;
    seenStr.add(s.startIndex);
    strs.push(s);
  }
  for (const s of strs) {
    const t = s.text;
    const value = stringValue(s);
    const hasScheme = /https?:\/\//.test(value);
    const urls: string[] = [];
    if (hasScheme) for (const m of value.matchAll(rules.url)) urls.push(cleanUrl(m[0]));
    else {
      const v = value.trim();
      for (const h of rules.knownHosts) if (v === h || v.startsWith(`${h}/`) || v.startsWith(`${h}:`)) urls.push(v);
    }
    if (urls.length === 0) continue;
    // a URL inside prose ("see https://... for details") is a link for people, not an endpoint
    if (urls.length === 1 && /\s/.test(value.replace(urls[0]!, '').trim()) && /[a-z]{2,}\s+[a-z]{2,}/i.test(value)) continue;
    let symbol: string | undefined;
    let binding: string | undefined;
    for (let a: SyntaxNode | null = s.parent; a; a = a.parent) {
      if (a.type === 'const_item' || a.type === 'static_item') {
        symbol = a.childForFieldName('name')?.text;
        break;
      }
      if (a.type === 'let_declaration') {
        const pat = a.childForFieldName('pattern');
        if (pat?.type === 'identifier') binding = pat.text;
        break;
      }
      if (a.type === 'function_item' || a.type === 'source_file') break;
    }
    if (symbol && rules.denySymbol.test(symbol)) continue;
    if (!symbol && comparedOnly(s, rules.data.comparisons?.methods ?? [])) continue;
    const fn = fnOf(s);
    let overrides = symbol ? [] : overridesAt(s.startIndex);
    const flag = symbol || fn ? undefined : flagOf(s, rules);
    if (flag) overrides = [...overrides, flag];
    if (!symbol && binding && fn) {
      // `let default = "https://..";` then `x.base_url.unwrap_or(default)`: one hop through the binding
      const re = new RegExp(`\\b${binding}\\b`, 'g');
      const body = text.slice(s.endIndex, fn.end);
      const extra: RawOverride[] = [];
      for (const m of body.matchAll(re)) for (const o of overridesAt(s.endIndex + m.index!, true)) extra.push(o);
      for (const o of extra) if (!overrides.some((x) => x.kind === o.kind && x.name === o.name && x.constRef === o.constRef)) overrides = [...overrides, o];
    }
    for (const url of urls) {
      const host = hostOf(url);
      if (!host || host.includes('{') || deniedUrl(rules, url, host)) continue;
      facts.urls.push({
        url,
        host,
        line: lineOf(s) + (t.slice(0, Math.max(0, t.indexOf(url.slice(0, 12)))).match(/\n/g)?.length ?? 0),
        ...(symbol ? { symbol } : {}),
        ...(fn ? { function: fn.name } : {}),
        test: inTest(s.startIndex),
        overrides,
      });
    }
  }

  // ---- path fragments: "{base}/wham/usage", "{}/api/codex/tasks" --------------------------
  for (const { index } of find(PATH_ANCHOR)) {
    const s = up(at(index + 1, 2), ['string_literal'], 2);
    if (!s || s.startIndex !== index) continue;
    const m = PATH_VALUE.exec(stringValue(s));
    if (!m) continue;
    const fn = fnOf(s);
    // a path with a literal part; "{base}/{path}" takes its path from a literal of the function
    // (`(base_url, "wham/apps")`)
    const found: { path: string; at: number }[] =
      m[1]!.replace(/\{[^}]*\}|\//g, '').length >= 2
        ? [{ path: m[1]!, at: s.startIndex }]
        : fn
          ? [...text.slice(fn.start, fn.end).matchAll(REL_PATH)].map((x) => ({ path: `/${x[1]!}`, at: fn.start + x.index! }))
          : [];
    if (!found.length) continue;
    const st = statementOf(s);
    const refs = st ? [...new Set([...text.slice(st.startIndex, st.endIndex).matchAll(UPPER_G)].map((x) => x[0]))] : [];
    const scope = fn ? text.slice(fn.start, fn.end) : st ? text.slice(st.startIndex, st.endIndex) : '';
    const configNames = [...new Set([...scope.matchAll(BASE_NAME)].map((x) => x[1]!))];
    for (const f of found) {
      facts.paths.push({ path: f.path, line: lineOf(at(f.at)), ...(fn ? { function: fn.name } : {}), test: inTest(s.startIndex), refs, configNames });
    }
  }
  // the types a file with paths defines: a base URL handed to `Type::new(…)` reaches its paths
  if (facts.paths.length) facts.types = [...new Set([...text.matchAll(TYPE_DEF)].map((x) => x[1]!))];
  facts.baseArgs = baseArgsOf(text, inTest);

  // ---- clients and builder helpers -------------------------------------------------------
  if (text.includes('Client') || text.includes('reqwest')) extractClients(facts, text, at, uses, rules, inTest, fnOf, find);

  // ---- scopes: calls and const uses per function, by text ----------------------------------
  facts.scopes = scopesOf(text, fns, inTest, uses);

  // ---- config structs --------------------------------------------------------------------
  const configFile = rules.configPath.test(file) && !rules.configPathDeny.test(file);
  for (const st of structs) {
    const name = st.childForFieldName('name')?.text ?? '';
    if (!rules.configStructs.has(name) && !configFile) continue;
    const attrs = precedingAttrs(st);
    if (!attrs.some((a) => /\bderive\b[\s\S]*\bDeserialize\b/.test(a))) continue;
    const renameAll = attrs.map((a) => /rename_all\s*=\s*"([^"]+)"/.exec(a)?.[1]).find(Boolean);
    const body = st.childForFieldName('body');
    if (!body || body.type !== 'field_declaration_list') continue;
    for (const fd of body.namedChildren) {
      if (fd.type !== 'field_declaration') continue;
      const fname = fd.childForFieldName('name')?.text;
      const ftype = fd.childForFieldName('type')?.text.replace(/\s+/g, ' ') ?? '';
      if (!fname) continue;
      const fattrs = precedingAttrs(fd);
      const serdeAttrs = fattrs.filter((a) => /^\s*serde\s*\(/.test(a));
      if (serdeAttrs.some((a) => /\bskip\b|\bskip_deserializing\b/.test(a))) continue;
      const rename = serdeAttrs.map((a) => /\brename\s*=\s*"([^"]+)"/.exec(a)?.[1]).find(Boolean);
      const key = rename ?? applyRenameAll(fname.replace(/^r#/, ''), renameAll);
      if (!rules.configFieldName.test(fname) && !rules.configFieldName.test(key) && !/\b(Url|Certificate|Tls|Proxy)\b/.test(ftype)) continue;
      facts.configFields.push({ struct: name, key, line: lineOf(fd), type: ftype, test: inTest(fd.startIndex) });
    }
  }
  return facts;
}

const CALL_NAME = /(?<![.\w:]|\bfn\s+)((?:[A-Za-z_][A-Za-z0-9_]*::)*)([a-z_][a-z0-9_]*)\s*(?:::\s*<[^;(){}]*>\s*)?\(/g;
const KEYWORDS = new Set(['if', 'while', 'match', 'for', 'return', 'in', 'as', 'move', 'loop', 'let', 'else', 'mut', 'ref', 'where', 'impl', 'dyn', 'await', 'async', 'unsafe', 'break', 'continue', 'fn', 'pub', 'crate', 'self', 'super', 'use', 'mod', 'type']);
const UPPER_USE = /(?<!\b(?:const|static)\s+)\b[A-Z][A-Z0-9_]*[A-Z0-9]\b/g;

interface Fn extends FnRange {
  line: number;
  /** returns something named `…Client` */
  client: boolean;
}

/** The function items of a tree, sorted by start. */
function functionsOf(root: SyntaxNode): Fn[] {
  const fns = root.descendantsOfType('function_item').map((n) => {
    const rt = n.childForFieldName('return_type');
    return { start: n.startIndex, end: n.endIndex, name: n.childForFieldName('name')?.text ?? '', line: lineOf(n), client: !!rt && /Client\b/.test(rt.text), node: n };
  });
  return fns.sort((a, b) => a.start - b.start);
}

/** Index of the innermost function around `pos`: the last one starting at or before it that
 *  contains it (nested functions start later); -1 at file level. */
function innermostAt(fns: readonly Fn[], pos: number): number {
  let lo = 0;
  let hi = fns.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (fns[mid]!.start <= pos) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  while (idx >= 0 && fns[idx]!.end <= pos) idx--;
  return idx;
}

/** Calls and UPPER_CASE names per function (innermost parsed function_item; file level outside). */
function scopesOf(text: string, fns: readonly Fn[], inTest: (pos: number) => boolean, uses: Map<string, string>): RawScope[] {
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

function attrInner(n: SyntaxNode): string {
  return n.text.replace(/^#!?\[/, '').replace(/\]$/, '').trim();
}

function precedingAttrs(n: SyntaxNode): string[] {
  const out: string[] = [];
  for (let s = n.previousNamedSibling; s; s = s.previousNamedSibling) {
    if (s.type === 'attribute_item') out.push(attrInner(s));
    else if (s.type === 'line_comment' || s.type === 'block_comment') continue;
    else break;
  }
  return out;
}

function markTestAttr(n: SyntaxNode, rules: RustRules, out: Range[]): void {
  const inner = attrInner(n);
  if (!rules.testAttrs.some((r) => r.test(inner))) return;
  let s = n.nextNamedSibling;
  while (s && (s.type === 'attribute_item' || s.type === 'line_comment' || s.type === 'block_comment')) s = s.nextNamedSibling;
  if (s) out.push({ start: n.startIndex, end: s.endIndex });
}

function applyRenameAll(name: string, rule: string | undefined): string {
  if (!rule) return name;
  const words = name.split('_').filter(Boolean);
  switch (rule) {
    case 'kebab-case':
      return words.join('-');
    case 'camelCase':
      return words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
    case 'PascalCase':
      return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
    case 'SCREAMING_SNAKE_CASE':
      return name.toUpperCase();
    case 'lowercase':
      return name.toLowerCase();
    case 'UPPERCASE':
      return name.toUpperCase();
    default:
      return name;
  }
}

// ---- clients -------------------------------------------------------------------------------

interface ChainResult {
  /** The chain went through a helper: what comes back may be a client, keep builder methods only. */
  filtered?: boolean;
  calls: string[];
  via: string[];
  /** Binding names the builder ends up in (`let b = ...`, `b = ...`). */
  bindings: string[];
  /** Where the builder starts (constructor call or helper parameter): calls are conditional
   *  relative to it. */
  anchor?: Range;
  /** Where each method / helper was applied: the conditional constructs around each
   *  application, outer first (an empty path: applied unconditionally). */
  occ?: Map<string, string[][]>;
  viaOcc?: Map<string, string[][]>;
}

/** The conditional constructs (if/else branch, match arm, while body, closure) between `n` and
 *  the anchor (the nearest ancestor that contains it ends the climb), within one function,
 *  outer first: `if@<offset>:then`, `if@<offset>:else`, `other@<offset>`. */
function conditionsAt(n: SyntaxNode, anchor: Range | undefined): string[] {
  const path: string[] = [];
  let child = n;
  for (let x = n.parent; x; child = x, x = x.parent) {
    if (anchor && x.startIndex <= anchor.start && x.endIndex >= anchor.end) break;
    if (x.type === 'function_item') break;
    switch (x.type) {
      case 'if_expression':
        if (!same(x.childForFieldName('condition'), child)) path.unshift(`if@${x.startIndex}:${same(x.childForFieldName('alternative'), child) ? 'else' : 'then'}`);
        break;
      case 'while_expression':
        if (same(x.childForFieldName('body'), child)) path.unshift(`other@${x.startIndex}`);
        break;
      case 'match_arm':
      case 'closure_expression':
        path.unshift(`other@${x.startIndex}`);
        break;
      default:
        break;
    }
  }
  return path;
}

/** Record `name` as applied at `node` in `res`. */
function note(res: ChainResult, name: string, node: SyntaxNode, helper: boolean): void {
  const map = helper ? (res.viaOcc ??= new Map()) : (res.occ ??= new Map());
  const l = map.get(name) ?? [];
  l.push(conditionsAt(node, res.anchor));
  map.set(name, l);
}

/** Do these applications always happen: one unconditional, or both branches of an if/else covered? */
function covered(paths: string[][]): boolean {
  if (paths.some((p) => p.length === 0)) return true;
  const ifs = new Set(paths.map((p) => p[0]!).filter((h) => h.startsWith('if@')).map((h) => h.slice(0, h.lastIndexOf(':'))));
  for (const id of ifs) {
    const thenP = paths.filter((p) => p[0] === `${id}:then`).map((p) => p.slice(1));
    const elseP = paths.filter((p) => p[0] === `${id}:else`).map((p) => p.slice(1));
    if (thenP.length && elseP.length && covered(thenP) && covered(elseP)) return true;
  }
  return false;
}

/** Names applied only under a condition. */
function onlyCond(occ: Map<string, string[][]> | undefined): string[] {
  return occ ? [...occ].filter(([, paths]) => !covered(paths)).map(([m]) => m) : [];
}

function extractClients(
  facts: FileFacts,
  text: string,
  at: (i: number, len?: number) => SyntaxNode,
  uses: Map<string, string>,
  rules: RustRules,
  inTest: (pos: number) => boolean,
  fnOf: (n: SyntaxNode | null) => FnRange | undefined,
  find: Positions,
): void {
  const calleeName = (call: SyntaxNode): string | undefined => {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    if (fn.type === 'identifier') return fn.text;
    if (fn.type === 'scoped_identifier') return fn.childForFieldName('name')?.text;
    return undefined;
  };

  /** Climb a builder chain upward from `start` (a builder-valued expression). */
  const climb = (start: SyntaxNode, onlyKnown: boolean, into?: ChainResult): ChainResult => {
    const res: ChainResult = { calls: [], via: [], bindings: [], filtered: onlyKnown };
    if (into) {
      res.anchor = into.anchor;
      res.occ = into.occ ??= new Map();
      res.viaOcc = into.viaOcc ??= new Map();
    }
    let cur = start;
    let filter = onlyKnown;
    for (;;) {
      const par = cur.parent;
      if (!par) break;
      if (par.type === 'try_expression' || par.type === 'parenthesized_expression' || par.type === 'await_expression' || par.type === 'reference_expression') {
        cur = par;
        continue;
      }
      if (par.type === 'field_expression' && same(par.childForFieldName('value'), cur)) {
        const call = par.parent;
        const method = par.childForFieldName('field')?.text ?? '';
        if (!call || call.type !== 'call_expression' || !same(call.childForFieldName('function'), par)) break;
        if (rules.terminal.has(method)) return res;
        if (!filter || isBuilderMethod(method, rules)) {
          res.calls.push(method);
          note(res, method, call, false);
        }
        cur = call;
        continue;
      }
      if (par.type === 'arguments') {
        const call = par.parent;
        const name = call && call.type === 'call_expression' ? calleeName(call) : undefined;
        if (!call || !name) break;
        res.via.push(name);
        note(res, name, call, true);
        filter = true;
        res.filtered = true;
        cur = call;
        continue;
      }
      if (par.type === 'let_declaration' && same(par.childForFieldName('value'), cur)) {
        const pat = par.childForFieldName('pattern');
        if (pat?.type === 'identifier') res.bindings.push(pat.text);
        break;
      }
      if (par.type === 'assignment_expression' && same(par.childForFieldName('right'), cur)) {
        const left = par.childForFieldName('left');
        if (left?.type === 'identifier') res.bindings.push(left.text);
        break;
      }
      break;
    }
    return res;
  };

  const callsOf = new Map<number, SyntaxNode[]>();
  /** Follow bindings inside a function: methods called on them and helpers they go through. */
  const follow = (fn: FnRange | undefined, names: string[], after: number, res: ChainResult, onlyKnown = false): void => {
    if (!fn) return;
    let calls = callsOf.get(fn.start);
    if (!calls) {
      calls = fn.node.descendantsOfType('call_expression');
      callsOf.set(fn.start, calls);
    }
    const tracked = new Set(names);
    const done = new Set<number>();
    for (let pass = 0; pass < 2; pass++) {
      for (const c of calls) {
        if (c.startIndex < after || done.has(c.startIndex)) continue;
        const f = c.childForFieldName('function');
        let from: SyntaxNode | undefined;
        let method: string | undefined;
        if (f?.type === 'field_expression') {
          const v = f.childForFieldName('value');
          if (v?.type === 'identifier' && tracked.has(v.text)) {
            method = f.childForFieldName('field')?.text;
            from = c;
          }
        }
        let helper: string | undefined;
        if (!from) {
          const args = c.childForFieldName('arguments');
          const name = calleeName(c);
          if (args && name) {
            for (const a of args.namedChildren) {
              let x: SyntaxNode | null = a;
              while (x && x.type === 'reference_expression') x = x.childForFieldName('value');
              if (x?.type === 'identifier' && tracked.has(x.text)) {
                helper = name;
                from = c;
              }
            }
          }
        }
        if (!from) continue;
        if (fnOf(c) !== fn) continue; // inside a nested fn item
        done.add(c.startIndex);
        if (method !== undefined) {
          if (rules.terminal.has(method)) continue;
          if (!onlyKnown || isBuilderMethod(method, rules)) {
            res.calls.push(method);
            note(res, method, c, false);
          }
        }
        if (helper) {
          res.via.push(helper);
          note(res, helper, c, true);
        }
        const r = climb(from, onlyKnown || helper !== undefined, res);
        res.calls.push(...r.calls);
        res.via.push(...r.via);
        for (const b of r.bindings) tracked.add(b);
      }
    }
  };

  // builder helpers: functions with a ClientBuilder parameter
  const seenFn = new Set<number>();
  for (const { index } of find(/\bClientBuilder\b/g)) {
    const prm = up(at(index, 13), ['parameter'], 4);
    const fnNode = prm?.parent?.parent;
    if (!prm || !fnNode || fnNode.type !== 'function_item' || seenFn.has(fnNode.startIndex)) continue;
    const ty = prm.childForFieldName('type');
    const pat = prm.childForFieldName('pattern');
    if (!ty || !pat) continue;
    const tyText = resolvePath(ty.text.replace(/^&\s*(mut\s+)?/, ''), uses);
    if (!rules.builderTypes.has(tyText)) continue;
    const pname = pat.type === 'identifier' ? pat.text : pat.namedChildren.find((x) => x.type === 'identifier')?.text;
    if (!pname) continue;
    seenFn.add(fnNode.startIndex);
    const f = fnOf(fnNode)!;
    const res: ChainResult = { calls: [], via: [], bindings: [], anchor: { start: prm.startIndex, end: prm.endIndex } };
    follow(f, [pname], prm.endIndex, res);
    const condCalls = onlyCond(res.occ);
    const condVia = onlyCond(res.viaOcc);
    facts.helpers.push({
      name: f.name,
      line: lineOf(fnNode),
      calls: dedupe(res.calls),
      via: dedupe(res.via),
      ...(condCalls.length ? { condCalls } : {}),
      ...(condVia.length ? { condVia } : {}),
      test: inTest(f.start),
    });
  }

  for (const { index, m } of find(CTOR_ANCHOR)) {
    const head = m[1]!;
    if (head !== 'Client' && head !== 'ClientBuilder' && !(uses.get(head) ?? '').startsWith('reqwest')) continue;
    const c = up(at(index, m[0].indexOf('(')), ['call_expression'], 4);
    if (!c) continue;
    const fn = c.childForFieldName('function');
    if (!fn || fn.type !== 'scoped_identifier') continue;
    const full = resolvePath(fn.text, uses);
    if (!rules.constructors.has(full)) continue;
    const enclosing = fnOf(c);
    // `Client::new()` is a finished client: what follows are requests, not builder calls
    const anchor = { start: c.startIndex, end: c.endIndex };
    const res: ChainResult = full.endsWith('Client::new') ? { calls: [], via: [], bindings: [] } : climb(c, false, { calls: [], via: [], bindings: [], anchor });
    res.anchor = anchor;
    if (res.bindings.length > 0) follow(enclosing, res.bindings, c.endIndex, res, res.filtered === true);
    const condCalls = onlyCond(res.occ);
    const condVia = onlyCond(res.viaOcc);
    const client: RawClient = {
      line: lineOf(c),
      constructor: full,
      calls: dedupe(res.calls),
      via: dedupe(res.via),
      ...(condCalls.length ? { condCalls } : {}),
      ...(condVia.length ? { condVia } : {}),
      ...(enclosing ? { function: enclosing.name } : {}),
      ...(inErrorFallback(c, enclosing?.node) ? { fallback: true } : {}),
      test: inTest(c.startIndex),
    };
    facts.clients.push(client);
  }
  // one-shot requests on reqwest's default client: `reqwest::get(url)`
  for (const { index } of find(ONE_SHOT_ANCHOR)) {
    const c = up(at(index, 7), ['call_expression'], 6);
    const fn = c?.childForFieldName('function');
    if (!c || !fn || fn.type !== 'scoped_identifier' || c.startIndex !== fn.startIndex) continue;
    const full = resolvePath(fn.text.replace(/\s+/g, ''), uses);
    if (!rules.constructors.has(full)) continue;
    const enclosing = fnOf(c);
    facts.clients.push({
      line: lineOf(c),
      constructor: full,
      calls: [],
      via: [],
      ...(enclosing ? { function: enclosing.name } : {}),
      test: inTest(c.startIndex),
    });
  }
}

/** The literal is an operand of `==`/`!=`, a match pattern, or the argument of a comparing method. */
function comparedOnly(lit: SyntaxNode, methods: readonly string[]): boolean {
  let n: SyntaxNode = lit;
  while (n.parent && (n.parent.type === 'reference_expression' || n.parent.type === 'parenthesized_expression')) n = n.parent;
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'binary_expression') {
    const op = p.childForFieldName('operator')?.text ?? p.children.find((c) => c.type === '==' || c.type === '!=')?.type;
    return op === '==' || op === '!=';
  }
  if (p.type === 'match_pattern' || p.type === 'or_pattern') return true;
  if (p.type === 'arguments') {
    const callee = p.parent?.childForFieldName('function');
    return callee?.type === 'field_expression' && methods.includes(callee.childForFieldName('field')?.text ?? '');
  }
  return false;
}

/** Methods whose closure argument only runs when building the configured client failed. */
const ERROR_FALLBACKS = new Set(['unwrap_or_else', 'or_else', 'unwrap_or', 'map_err']);

/** The constructor sits inside `x.unwrap_or_else(|_| ...)` (or an `Err(_) =>` match arm) below its function. */
function inErrorFallback(node: SyntaxNode, stop: SyntaxNode | undefined): boolean {
  for (let n = node.parent; n && n !== stop; n = n.parent) {
    if (n.type === 'match_arm' && /^\s*Err\s*\(/.test(n.childForFieldName('pattern')?.text ?? '')) return true;
    if (n.type !== 'closure_expression') continue;
    const call = n.parent?.type === 'arguments' ? n.parent.parent : null;
    const callee = call?.childForFieldName('function');
    if (callee?.type === 'field_expression' && ERROR_FALLBACKS.has(callee.childForFieldName('field')?.text ?? '')) return true;
  }
  return false;
}

function isBuilderMethod(m: string, rules: RustRules): boolean {
  const c = rules.data.clients;
  return (
    c.known_methods.includes(m) ||
    [c.use_rustls, c.use_native_tls, c.roots_added, c.builtin_roots, c.accept_invalid, c.preconfigured, c.no_proxy, c.proxy].some((l) =>
      l.includes(m),
    )
  );
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/**
 * `#[arg(long, default_value = "https://…")] pub upstream_url: String`: the URL is the default of a
 * command-line flag, which is then its override (`--upstream-url`, or the `long = "…"` name).
 */
function flagOf(s: SyntaxNode, rules: RustRules): RawOverride | undefined {
  const item = up(s, ['attribute_item'], 6);
  if (!item) return undefined;
  const attr = item.text;
  if (!rules.flagAttr.test(attr) || !rules.flagDefault.test(attr) || !/\blong\b/.test(attr)) return undefined;
  // the field the attribute belongs to: the next field declaration (other attributes may sit between)
  let field: SyntaxNode | null = item.nextNamedSibling;
  while (field && (field.type === 'attribute_item' || field.type === 'line_comment' || field.type === 'block_comment')) field = field.nextNamedSibling;
  if (field?.type !== 'field_declaration') return undefined;
  const name = /\blong\s*=\s*"([^"]+)"/.exec(attr)?.[1] ?? field.childForFieldName('name')?.text.replace(/^r#/, '').replace(/_/g, '-');
  return name ? { kind: 'flag', name: `--${name}`, line: lineOf(field) } : undefined;
}
