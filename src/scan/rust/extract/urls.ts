// URL literals: endpoints with the const they are bound to, their overrides (statement, function,
// one hop through a `let` binding) and the command-line flag whose default they are.
import type { SyntaxNode } from 'tree-sitter';
import type { RawOverride } from '../facts.js';
import type { RustRules } from '../rules.js';
import { deniedUrl } from '../rules.js';
import type { FileContext } from './context.js';
import type { OverridesAt } from './overrides.js';
import { hostOf } from '../../../util/urls.js';
import { lineOf, MAX_CLIMB, resolvePath, stringValue, up } from './syntax.js';


function cleanUrl(u: string): string {
  return u.replace(/[.,;:!'"]+$/, '');
}

export function urlsIn(ctx: FileContext, overridesAt: OverridesAt): void {
  const { text, rules, facts, at, find, inTest, fnOf } = ctx;
  browserRefsIn(ctx);
  dynamicUrlsIn(ctx);
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
    const hasScheme = /(?:https?|wss?):\/\//.test(value);
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
    // a few levels up at most: each step up costs the node's depth in tree-sitter
    for (let a: SyntaxNode | null = s.parent, k = 0; a && k < 16; a = a.parent, k++) {
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
    // a browser policy or page, an identifier sent as a value, a link opened in the browser
    if (rules.notContacted.some((re) => re.test(value))) continue;
    if (binding && rules.identifierName.test(binding)) continue;
    const use = valueUse(s, ctx);
    if (use === 'identifier' || use === 'browser') continue;
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
}

/** The literal is an operand of `==`/`!=`, a match pattern, or the argument of a comparing method. */
function comparedOnly(lit: SyntaxNode, methods: readonly string[]): boolean {
  let n: SyntaxNode = lit;
  for (let k = 0; k < MAX_CLIMB && n.parent && (n.parent.type === 'reference_expression' || n.parent.type === 'parenthesized_expression'); k++) n = n.parent;
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
/** The call a literal is an argument of (through `&`, parentheses and `format!`), if any. */
function callAround(s: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode = s;
  for (let i = 0; i < 6 && n.parent; i++) {
    const p = n.parent;
    if (p.type === 'reference_expression' || p.type === 'parenthesized_expression' || p.type === 'token_tree') {
      n = p;
      continue;
    }
    if (p.type === 'macro_invocation') {
      // format!("…{x}…") and friends hand their result on
      n = p;
      continue;
    }
    if (p.type === 'arguments') return p.parent?.type === 'call_expression' ? p.parent : undefined;
    return undefined;
  }
  return undefined;
}

function calleeOf(call: SyntaxNode, ctx: FileContext): { full: string; last: string } {
  const fn = call.childForFieldName('function');
  if (!fn) return { full: '', last: '' };
  if (fn.type === 'field_expression') {
    const f = fn.childForFieldName('field')?.text ?? '';
    return { full: f, last: f };
  }
  const inner = fn.type === 'generic_function' ? (fn.childForFieldName('function') ?? fn) : fn;
  const full = resolvePath(inner.text, ctx.uses);
  return { full, last: full.split('::').pop() ?? '' };
}

/**
 * What a URL literal is for, when its place says: `identifier` (the value of a key or argument
 * named like an identifier: `client_id`, `$id`, `with_client_metadata_url(..)`), `browser`
 * (handed to a call that opens the user's browser).
 */
function valueUse(s: SyntaxNode, ctx: FileContext): 'identifier' | 'browser' | undefined {
  const { rules, text } = ctx;
  // `"$id": "https://…"` / `client_id: "…"` in a json!/struct literal: the key before the value
  const before = text.slice(Math.max(0, s.startIndex - 80), s.startIndex);
  const key = /"([^"\n]+)"\s*:\s*$/.exec(before)?.[1] ?? /\b([a-z_][a-z0-9_]*)\s*:\s*$/.exec(before)?.[1];
  if (key && rules.identifierName.test(key)) return 'identifier';
  const call = callAround(s);
  if (!call) return undefined;
  const { full, last } = calleeOf(call, ctx);
  if (rules.browserFunctions.has(full) || rules.browserFunctions.has(last)) return 'browser';
  if (last && rules.identifierName.test(last.replace(/^(with|set)_/, ''))) return 'identifier';
  return undefined;
}

/** UPPER_CASE consts handed to a browser-opening call: links, when that is all they are used for. */
function browserRefsIn(ctx: FileContext): void {
  const { rules, text, find, at } = ctx;
  if (![...rules.browserFunctions].some((f) => text.includes(f.split('::').pop()!))) return;
  const names = [...new Set([...rules.browserFunctions].map((f) => f.split('::').pop()!))].map((n) => n.replace(/[^A-Za-z0-9_]/g, ''));
  const re = new RegExp(`\\b(?:${names.join('|')})\\s*\\(`, 'g');
  for (const { index, m } of find(re)) {
    const call = up(at(index + m[0].length - 1), ['call_expression'], 3);
    if (!call) continue;
    const { full, last } = calleeOf(call, ctx);
    if (!rules.browserFunctions.has(full) && !rules.browserFunctions.has(last)) continue;
    for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
      let x: SyntaxNode | null = a;
      while (x && x.type === 'reference_expression') x = x.childForFieldName('value');
      const name = x?.type === 'identifier' ? x.text : x?.type === 'scoped_identifier' ? x.childForFieldName('name')?.text : undefined;
      const fn = ctx.fnOf(call)?.name;
      if (name && /^[A-Z][A-Z0-9_]*$/.test(name)) (ctx.facts.browserRefs ??= []).push({ name, ...(fn ? { function: fn } : {}) });
    }
  }
}

/** The host of URLs a server hands out at run time (see rules/rust.toml dynamic_url_fields). */
export const SERVER_PROVIDED_HOST = '(server-provided)';

/** `.put(&create_payload.upload_url)`: a request to a URL read from a server's answer. */
function dynamicUrlsIn(ctx: FileContext): void {
  const { rules, text, find, at, fnOf, inTest, facts } = ctx;
  if (!/_urls?\b/.test(text)) return;
  const methods = [...rules.requestMethods].map((m) => m.replace(/[^a-z_]/g, '')).join('|');
  if (!methods) return;
  for (const { index, m } of find(new RegExp(`\\.\\s*(?:${methods})\\s*\\(`, 'g'))) {
    const call = up(at(index + m[0].length - 1), ['call_expression'], 3);
    const first = call?.childForFieldName('arguments')?.namedChildren[0];
    let x: SyntaxNode | null | undefined = first;
    while (x && (x.type === 'reference_expression' || (x.type === 'call_expression' && x.childForFieldName('function')?.type === 'field_expression')))
      x = x.type === 'reference_expression' ? x.childForFieldName('value') : x.childForFieldName('function')?.childForFieldName('value');
    if (!call || x?.type !== 'field_expression') continue;
    const field = x.childForFieldName('field')?.text ?? '';
    if (!rules.dynamicUrlField.test(field)) continue;
    const fn = fnOf(call);
    facts.urls.push({
      url: `https://${SERVER_PROVIDED_HOST}/${field}`,
      host: SERVER_PROVIDED_HOST,
      line: lineOf(call),

      ...(fn ? { function: fn.name } : {}),
      test: inTest(call.startIndex),
      overrides: [],
    });
  }
}
