// Override sites: where an env read, a config field (`cfg.chatgpt_base_url`) or a config value
// passed in as a variable sits, so that a URL in the same statement (or function) names it as its
// override; UPPER_CASE names at those sites become const references resolved across files.
import type { RawOverride } from '../facts.js';
import type { TextRange } from '../sparse.js';
import type { FileContext } from './context.js';
import type { EnvCall } from './env-reads.js';
import type { Range } from './syntax.js';
import { lineOf, same, UPPER } from './syntax.js';

const FIELD_ANCHOR = /\.\s*([a-z_][a-z0-9_]*)\b/g;
export const UPPER_G = /\b[A-Z][A-Z0-9_]*[A-Z0-9]\b/g;
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

interface OverrideSite extends Range {
  override: RawOverride;
  /** Statement-level (true) or function-level fallback (false). */
  local: boolean;
  /** Where the override is read (offset). */
  at: number;
}

/** Overrides around a position (statement-level first, else function-level); with `localOnly`, statement-level only. */
export type OverridesAt = (pos: number, localOnly?: boolean) => RawOverride[];

export function overridesIn(ctx: FileContext, envCalls: EnvCall[]): OverridesAt {
  const { text, rules, facts, at, find, inTest, fnOf, statementOf, ranges } = ctx;
  const sites: OverrideSite[] = [];
  for (const e of envCalls) {
    // a debug-build-only read overrides nothing in the shipped binary
    if (ctx.inDebug(e.node.startIndex)) continue;
    if (ctx.facts.envReads.find((r) => r.line === e.line && r.forChild)) continue;
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
  return overridesAt;
}
