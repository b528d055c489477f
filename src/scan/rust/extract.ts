// Facts of one Rust file: one tree-sitter parse (of the items that can hold findings, see
// sparse.ts), then text anchors mapped onto the tree and local walks from there, one module per
// fact kind under extract/ sharing one FileContext. rules/queries/rust-scan.scm finds the syntax
// errors of a tree that has any. Pure: text + rules in, FileFacts out.
import type { FileFacts } from './facts.js';
import type { RustRules } from './rules.js';
import type { TextRange } from './sparse.js';
import { clientsIn } from './extract/clients.js';
import { configFieldsIn } from './extract/config-fields.js';
import { constsIn } from './extract/consts.js';
import { fileContext } from './extract/context.js';
import { envReadsIn } from './extract/env-reads.js';
import { overridesIn } from './extract/overrides.js';
import { pathsIn } from './extract/paths.js';
import { urlsIn } from './extract/urls.js';

export { receivers } from './extract/overrides.js';

/**
 * Facts of one file. With `ranges`, only those parts of `text` are parsed (offsets and lines stay
 * those of the whole text); syntax errors are then counted in those parts only.
 */
export function extractFacts(text: string, file: string, rules: RustRules, ranges?: TextRange[]): FileFacts {
  const ctx = fileContext(text, file, rules, ranges);
  if ('failed' in ctx) return ctx.failed;
  constsIn(ctx);
  const envCalls = envReadsIn(ctx);
  const overridesAt = overridesIn(ctx, envCalls);
  urlsIn(ctx, overridesAt);
  pathsIn(ctx);
  if (text.includes('Client') || text.includes('reqwest') || text.includes('tungstenite')) clientsIn(ctx);
  configFieldsIn(ctx);
  return ctx.facts;
}
