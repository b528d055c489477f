// What one file contributes: decides between a full parse, a parse of the production part plus a
// text pass over a trailing test module, and a text pass only (test files). Pure.
import type { FileFacts } from './facts.js';
import { emptyFacts } from './facts.js';
import { extractFacts } from './extract.js';
import { extractLight, trailingTestModule } from './light.js';
import { constsOf, modDeclsOf, testByPath } from './prefilter.js';
import type { RustRules } from './rules.js';

/** Text with `//` comments blanked (only used to decide whether a parse can find anything). */
function withoutLineComments(text: string): string {
  return text.replace(/^[ \t]*\/\/[^\n]*$/gm, '');
}

export function analyzeFile(file: string, text: string, rules: RustRules): FileFacts {
  if (testByPath(file, rules)) {
    const facts = emptyFacts();
    facts.fileTest = true;
    facts.modDecls = modDeclsOf(text);
    facts.consts = constsOf(text).map((c) => ({ ...c, test: true }));
    extractLight(text, 1, facts, rules);
    return facts;
  }
  const cut = trailingTestModule(text);
  const prod = cut >= 0 ? text.slice(0, cut) : text;
  let facts: FileFacts;
  if (rules.prefilter.test(withoutLineComments(prod))) {
    facts = extractFacts(prod, file, rules);
  } else {
    facts = emptyFacts();
    facts.modDecls = modDeclsOf(prod);
    facts.consts = constsOf(prod);
  }
  if (cut >= 0) {
    const firstLine = (prod.match(/\n/g)?.length ?? 0) + 1;
    extractLight(text.slice(cut), firstLine, facts, rules);
    for (const d of modDeclsOf(text.slice(cut))) facts.modDecls.push({ ...d, test: true, line: d.line + firstLine - 1 });
  }
  return facts;
}
