// Cheap text passes that run on every file, parsed or not: does the file need a parse at all,
// which file modules does it declare (for cfg(test) modules), which string consts does it define.
import type { RawBaseArg, RawConst, RawModDecl } from './facts.js';
import type { RustRules } from './rules.js';

/** Bytes-level first pass of needsParse (no decoding): false means needsParse is false too. */
export function mayNeedParse(buf: Buffer, rules: RustRules): boolean {
  // One regex pass over the bytes as latin1 (every token is ASCII) beats one indexOf per token.
  return rules.prefilterAny.test(buf.toString('latin1'));
}

/** Can a parse of this file find anything? (`text` should have its line comments removed.) */
export function needsParse(file: string, text: string, rules: RustRules): boolean {
  // a token, a word token or a path fragment, in one pass
  if (rules.parseAny.test(text)) return true;
  if (!text.includes(rules.data.prefilter.config_token)) return false;
  if (rules.configPath.test(file) && !rules.configPathDeny.test(file)) return true;
  for (const s of rules.configStructs) if (text.includes(`struct ${s}`)) return true;
  return false;
}

/** Text with `//` line comments blanked (doc comments too), for the prefilter only. */
export function withoutLineComments(text: string): string {
  return text.replace(/^[ \t]*\/\/[^\n]*$/gm, '');
}

const lineAt = (text: string, index: number): number => {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

/** `#[cfg(test)] mod x;` and `#[path = "p"] mod x;` declarations (file modules only). */
export function modDeclsOf(text: string): RawModDecl[] {
  if (!text.includes('mod ')) return [];
  const out: RawModDecl[] = [];
  const re = /((?:#\[[^\]]*\]\s*(?:\/\/[^\n]*\n\s*)*)*)(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(r#)?([A-Za-z_][A-Za-z0-9_]*)\s*;/g;
  for (const m of text.matchAll(re)) {
    const attrs = m[1] ?? '';
    const test = /#\[\s*cfg\s*\(\s*(test|all\s*\(\s*test\b)/.test(attrs);
    const path = /#\[\s*path\s*=\s*"([^"]+)"\s*\]/.exec(attrs)?.[1];
    out.push({ name: m[3]!, ...(path ? { path } : {}), test, line: lineAt(text, m.index! + attrs.length) });
  }
  return out;
}

/** String consts/statics by text, for files that are not parsed. */
export function constsOf(text: string): RawConst[] {
  if (!text.includes('const ') && !text.includes('static ')) return [];
  const out: RawConst[] = [];
  const re = /(?:^|\n)[ \t]*(?:pub(?:\s*\([^)]*\))?\s+)?(?:const|static)\s+([A-Z][A-Z0-9_]*)\s*:\s*&\s*(?:'static\s+)?str\s*=\s*"((?:[^"\\\n]|\\.)*)"\s*;/g;
  for (const m of text.matchAll(re)) {
    out.push({ name: m[1]!, value: m[2]!, line: lineAt(text, m.index! + (m[0].startsWith('\n') ? 1 : 0)), test: false });
  }
  return out;
}

const BASE_ARG = /\b[a-z][a-z0-9_]*_base_url\b/g;
const CALLEE = /(?:([A-Z][A-Za-z0-9_]*)\s*::\s*)?([a-z_][a-z0-9_]*)\s*$/;
/** How far back from a base URL the opening parenthesis of its call may be. */
const ARG_REACH = 300;

/**
 * Calls with a `*_base_url` value among their arguments (`codex_apps_mcp_url(&config.chatgpt_base_url)`,
 * `Client::new(auth, chatgpt_base_url.clone())`), by text: from each name back to the unclosed `(`
 * of its argument list, then the callee written before it (a macro, `format!(`, names none).
 */
export function baseArgsOf(text: string, inTest: (pos: number) => boolean = () => false): RawBaseArg[] {
  if (!text.includes('_base_url')) return [];
  const out: RawBaseArg[] = [];
  for (const m of text.matchAll(BASE_ARG)) {
    let depth = 0;
    let open = -1;
    for (let i = m.index! - 1; i >= Math.max(0, m.index! - ARG_REACH); i--) {
      const c = text[i]!;
      if (c === ')' || c === ']') depth++;
      else if (c === '(' || c === '[') {
        if (depth === 0) {
          if (c === '(') open = i;
          break;
        }
        depth--;
      } else if (depth === 0 && (c === ';' || c === '{' || c === '}')) break;
    }
    if (open < 0) continue;
    const callee = CALLEE.exec(text.slice(Math.max(0, open - 120), open));
    if (!callee) continue;
    out.push({ callee: callee[2]!, ...(callee[1] ? { type: callee[1] } : {}), configName: m[0], line: lineAt(text, m.index!), test: inTest(m.index!) });
  }
  return out;
}

/** Test-only by its path (tests/, benches/, *_tests.rs, tests.rs, test_support). */
export function testByPath(file: string, rules: RustRules): boolean {
  return rules.testPaths.some((r) => r.test(file));
}
