// Env reads: `std::env::var("X")`, `env::var(CONST)`, wrappers handed a const named like an env
// var, and `env::var(..)` inside macro token trees.
import type { SyntaxNode } from 'tree-sitter';
import type { FileContext } from './context.js';
import { lineOf, MAX_CLIMB, resolvePath, stringValue, UPPER, up } from './syntax.js';

const ENV_FN_ANCHOR = /\bvar(?:_os)?\s*\(/g;

export interface EnvCall {
  node: SyntaxNode;
  read: { name?: string; constRef?: string };
  line: number;
}

export function envReadsIn(ctx: FileContext): EnvCall[] {
  const { text, rules, facts, at, find, inTest, fnOf, uses } = ctx;
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
    // wrapper: a const named like an env var handed to any function, unless the function is also
    // handed a map (a child's environment) to look it up in
    for (const a of argNodes) {
      const r = argName(a);
      if (r?.name && rules.knownEnvNames.has(r.name)) return r;
    }
    const params = paramTypes(call);
    if (argNodes.some((a) => a.type === 'identifier' && rules.mapTypes.test(params.get(a.text) ?? ''))) return undefined;
    for (const a of argNodes) {
      const r = argName(a);
      if (r?.constRef && rules.envConst.test(r.constRef)) return r;
    }
    return undefined;
  };

  /** Parameter name -> type text of the function around `n`. */
  const paramCache = new Map<number, Map<string, string>>();
  function paramTypes(n: SyntaxNode): Map<string, string> {
    const f = fnOf(n);
    if (!f) return new Map();
    let m = paramCache.get(f.start);
    if (!m) {
      m = new Map();
      for (const p of f.node.childForFieldName('parameters')?.namedChildren ?? []) {
        const pat = p.childForFieldName('pattern');
        const ty = p.childForFieldName('type');
        if (pat?.type === 'identifier' && ty) m.set(pat.text, ty.text);
      }
      paramCache.set(f.start, m);
    }
    return m;
  }
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
  // known names handed to any call as a literal (`proxy_env_value(env, "HTTPS_PROXY")`)
  if (rules.knownEnvNames.size && [...rules.knownEnvNames].some((n) => text.includes(`"${n}"`))) {
    const re = new RegExp(`"(?:${[...rules.knownEnvNames].map((n) => n.replace(/[^A-Za-z0-9_]/g, '')).join('|')})"`, 'g');
    for (const { index } of find(re)) {
      const call = up(at(index + 1), ['call_expression'], 4);
      if (!call || seenEnv.has(call.startIndex)) continue;
      const r = envReadOf(call);
      if (!r?.name || !rules.knownEnvNames.has(r.name)) continue;
      seenEnv.add(call.startIndex);
      envCalls.push({ node: call, read: r, line: lineOf(call) });
    }
  }
  envCalls.sort((a, b) => a.node.startIndex - b.node.startIndex);
  for (const e of envCalls) {
    const debugOnly = ctx.inDebug(e.node.startIndex);
    const forChild = feedsChild(e.node, ctx);
    facts.envReads.push({
      ...e.read,
      line: e.line,
      function: fnOf(e.node)?.name,
      test: inTest(e.node.startIndex),
      ...(debugOnly ? { debugOnly } : {}),
      ...(forChild ? { forChild } : {}),
    });
  }
  return envCalls;
}

/** `cmd.env(k, v)`, `env.insert(k, v)`: a value handed to another process's environment (or a map of it). */
function isChildWrite(call: SyntaxNode | null, ctx: FileContext): boolean {
  const f = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
  const name = f?.type === 'field_expression' ? (f.childForFieldName('field')?.text ?? '') : '';
  return ctx.rules.writeMethods.has(name) || name === 'insert';
}

/** The call an expression is an argument of (through `&`, `.clone()`, `?`). */
function argumentOf(n: SyntaxNode): SyntaxNode | null {
  let x: SyntaxNode = n;
  for (let k = 0; k < MAX_CLIMB && x.parent && ['reference_expression', 'try_expression', 'parenthesized_expression'].includes(x.parent.type); k++) x = x.parent;
  return x.parent?.type === 'arguments' ? x.parent.parent : null;
}

/**
 * The value read goes only into another process's environment: the read is an argument of such a
 * write, or it is bound (`if let Ok(v) = env::var(..)`, `let v = env::var(..)..`) to a name used
 * only as an argument of such writes.
 */
function feedsChild(read: SyntaxNode, ctx: FileContext): boolean {
  if (isChildWrite(argumentOf(read), ctx)) return true;
  // the binding: `if let Ok(v) = <read>` / `let v = <read>...;`
  let n: SyntaxNode | null = read;
  for (let i = 0; n && i < 6; i++, n = n.parent) if (n.type === 'let_condition' || n.type === 'let_declaration') break;
  if (!n || (n.type !== 'let_condition' && n.type !== 'let_declaration')) return false;
  const pat = n.childForFieldName('pattern');
  const names = pat ? [pat, ...pat.descendantsOfType('identifier')].filter((x) => x.type === 'identifier').map((x) => x.text) : [];
  const name = names.find((x) => x !== 'Ok' && x !== 'Some');
  if (!name) return false;
  const scope = n.type === 'let_condition' ? n.parent?.childForFieldName('consequence') : n.parent;
  if (!scope) return false;
  const uses = scope.descendantsOfType('identifier').filter((x) => x.text === name && x.startIndex > read.endIndex);
  return uses.length > 0 && uses.every((u) => isChildWrite(argumentOf(u), ctx));
}
