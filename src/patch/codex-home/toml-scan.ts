// The statements of a TOML document that already parsed (smol-toml): every table header and
// key/value statement with its byte offsets, so edits can splice values and leave every other byte
// alone. A view of the one TOML lexer (src/util/toml-spans.ts) in the shape the config
// editor uses.
import { lexToml, type TomlCommentLine, type TomlStatementSpan } from '../../util/toml-spans.js';

/** The lexer's statement, its path in names only: header path (tables) or enclosing table path +
 *  dotted key (kv); array-table members get a `[]` segment after the array name, so they never
 *  match a plain key path. */
export type TomlStatement = Omit<TomlStatementSpan, 'path'> & { path: string[] };

export interface TomlScan {
  statements: TomlStatement[];
  /** First table header (or array-table header), if any. */
  firstHeader?: TomlStatement;
  /** Line ending used by the document ('\n' when it has none). */
  eol: '\n' | '\r\n';
  /** Whole comment lines (only blanks before the `#`), outside every string and value. */
  commentLines: TomlCommentLine[];
}

export type { TomlCommentLine };

/**
 * The statements of a parsed document, from the one position-keeping TOML lexer
 * (src/util/toml-spans.ts). Throws on text the lexer cannot follow.
 */
export function scanToml(text: string): TomlScan {
  const lexed = lexToml(text);
  // Array-table members get a `[]` segment after the array name (not the entry index), so a key
  // of `[[x]]` never matches the same key of a plain table.
  let table: string[] = [];
  let header = 0; // length of the current header's path in the lexer's form
  const statements = lexed.statements.map((st): TomlStatement => {
    const { valueStart, valueEnd, ...rest } = st;
    if (st.kind !== 'kv') {
      const names = st.path.filter((p): p is string => typeof p === 'string');
      table = st.kind === 'array-table' ? [...names, '[]'] : names;
      header = st.path.length;
      return { ...rest, path: names };
    }
    return { ...rest, valueStart, valueEnd, path: [...table, ...(st.path.slice(header) as string[])] };
  });
  const firstHeader = statements.find((s) => s.kind !== 'kv');
  const firstNl = text.indexOf('\n');
  const eol = firstNl > 0 && text[firstNl - 1] === '\r' ? '\r\n' : '\n';
  return { statements, ...(firstHeader ? { firstHeader } : {}), eol, commentLines: lexed.commentLines };
}

/** A TOML basic string literal for `s`. */
export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\u007f/g, '\\u007f');
}
