// What one file contributes: decides between a full parse, a parse of the production part plus a
// text pass over a trailing test module, and a text pass only (test files). Pure.
import type { FileFacts } from './facts.js';
import { emptyFacts } from './facts.js';
import { extractFacts } from './extract.js';
import { indexFile } from './fn-index.js';
import { extractLight, trailingTestModule } from './light.js';
import { baseArgsOf, constsOf, modDeclsOf, needsParse, testByPath, withoutLineComments } from './prefilter.js';
import type { RustRules } from './rules.js';
import { sparseRanges } from './sparse.js';


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
  if (needsParse(file, withoutLineComments(prod), rules)) {
    const urlConsts = constsOf(prod)
      .filter((c) => /(?:https?|wss?):\/\//.test(c.value) || rules.knownHosts.some((h) => c.value.includes(h)))
      .map((c) => c.name);
    const ranges = sparseRanges(file, prod, rules, urlConsts);
    facts = extractFacts(prod, file, rules, ranges);
    // leaving items out can only add syntax errors (a string spanning items): then read it all
    if (facts.parseErrors > 0 && ranges) facts = extractFacts(prod, file, rules);
  } else {
    facts = emptyFacts();
    facts.modDecls = modDeclsOf(prod);
    facts.consts = constsOf(prod);
    facts.baseArgs = baseArgsOf(prod);
  }
  const index = indexFile(prod, rules.flagRules);
  facts.functions = index.functions;
  facts.structs = index.structs;
  facts.uses = index.uses;
  if (index.flags) facts.flags = index.flags;
  if (index.literals) facts.literals = index.literals;
  if (cut >= 0) {
    const firstLine = (prod.match(/\n/g)?.length ?? 0) + 1;
    extractLight(text.slice(cut), firstLine, facts, rules);
    for (const d of modDeclsOf(text.slice(cut))) facts.modDecls.push({ ...d, test: true, line: d.line + firstLine - 1 });
  }
  return facts;
}
