// String consts and statics (`const X: &str = "…"`): the values env reads and URLs resolve through.
import type { FileContext } from './context.js';
import { lineOf, stringValue, up } from './syntax.js';

const CONST_ANCHOR = /\b(?:const|static)\s+[A-Z][A-Z0-9_]*\s*:/g;

export function constsIn(ctx: FileContext): void {
  const { facts, at, find, inTest } = ctx;
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
}
