// Client construction sites (reqwest builders and clients, one-shot requests) with the builder
// calls applied along the chain, on the bindings it flows into and in the helpers it is handed
// to, each marked as applied always or only under a condition; and the helpers themselves.
import type { SyntaxNode } from 'tree-sitter';
import type { RawClient } from '../facts.js';
import type { RustRules } from '../rules.js';
import type { FileContext } from './context.js';
import type { FnRange, Range } from './syntax.js';
import { dedupe, lineOf, MAX_CHAIN, MAX_CLIMB, resolvePath, same, up } from './syntax.js';

const CTOR_ANCHOR = /\b([A-Za-z_][A-Za-z0-9_]*)\s*::\s*(?:builder|new)\s*\(\s*\)/g;
/** `reqwest::get(`, `reqwest::blocking::get(`: a request on a client reqwest builds itself. */
const ONE_SHOT_ANCHOR = /\breqwest\s*::\s*(?:blocking\s*::\s*)?get\s*\(/g;

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
  for (let x = n.parent, k = 0; x && k < MAX_CLIMB; child = x, x = x.parent, k++) {
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

export function clientsIn(ctx: FileContext): void {
  const { facts, at, uses, rules, inTest, fnOf, find } = ctx;
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
    for (let k = 0; k < MAX_CHAIN; k++) {
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
  /** A site with no builder chain to follow (a websocket connect, a one-shot request). */
  const bareSite = (c: SyntaxNode, constructor: string): void => {
    const enclosing = fnOf(c);
    facts.clients.push({ line: lineOf(c), constructor, calls: [], via: [], ...(enclosing ? { function: enclosing.name } : {}), test: inTest(c.startIndex) });
  };
  // websocket connections: tokio-tungstenite's connect functions (rules factories.websocket_connect)
  const ws = rules.data.factories?.websocket_connect ?? [];
  if (ws.length && ctx.text.includes('tungstenite')) {
    const lastOf = new Set(ws.map((w) => w.split('::').pop()!));
    for (const { index, m } of find(/\b((?:[A-Za-z_][A-Za-z0-9_]*\s*::\s*)*)((?:connect|client)_async[A-Za-z0-9_]*)\s*\(/g)) {
      if (!lastOf.has(m[2]!)) continue;
      const c = up(at(index + m[0].length - 1), ['call_expression'], 3);
      const fn = c?.childForFieldName('function');
      if (!c || !fn) continue;
      const full = resolvePath(fn.text.replace(/\s+/g, ''), uses);
      // bare `connect_async(..)` counts when the file imports it from tokio-tungstenite
      if (!ws.includes(full)) continue;
      bareSite(c, full);
    }
  }
  // one-shot requests on reqwest's default client: `reqwest::get(url)`
  for (const { index } of find(ONE_SHOT_ANCHOR)) {
    const c = up(at(index, 7), ['call_expression'], 6);
    const fn = c?.childForFieldName('function');
    if (!c || !fn || fn.type !== 'scoped_identifier' || c.startIndex !== fn.startIndex) continue;
    const full = resolvePath(fn.text.replace(/\s+/g, ''), uses);
    if (!rules.constructors.has(full)) continue;
    bareSite(c, full);
  }
}

/** Methods whose closure argument only runs when building the configured client failed. */
const ERROR_FALLBACKS = new Set(['unwrap_or_else', 'or_else', 'unwrap_or', 'map_err']);

/** The constructor sits inside `x.unwrap_or_else(|_| ...)` (or an `Err(_) =>` match arm) below its function. */
function inErrorFallback(node: SyntaxNode, stop: SyntaxNode | undefined): boolean {
  for (let n = node.parent, k = 0; n && n !== stop && k < MAX_CLIMB; n = n.parent, k++) {
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

