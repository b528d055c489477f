// Path fragments appended to a base URL held elsewhere: "{base}/wham/usage", "{}/api/codex/tasks",
// and the `*_base_url` names read next to them.
import type { FileContext } from './context.js';
import { UPPER_G } from './overrides.js';
import { lineOf, up } from './syntax.js';
import { baseArgsOf } from '../prefilter.js';
import { stringValue } from './syntax.js';

const PATH_ANCHOR = /"\{[A-Za-z0-9_.]*\}\//g;
const PATH_VALUE = /^\{[A-Za-z0-9_.]*\}(\/[A-Za-z0-9_\-./{}%]*)(?:[?#].*)?$/;
const BASE_NAME = /\b([a-z_]*base_url)\b/g;
const REL_PATH = /"([a-z][a-z0-9_-]*(?:\/[a-z0-9_-]+)+)"/g;
const TYPE_DEF = /\b(?:struct|enum)\s+([A-Z][A-Za-z0-9_]*)/g;

export function pathsIn(ctx: FileContext): void {
  const { text, facts, at, find, inTest, fnOf, statementOf } = ctx;
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
}
