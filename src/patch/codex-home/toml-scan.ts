// A span scanner for TOML documents that already parsed (smol-toml): finds every table header and
// key/value statement with its byte offsets, so edits can splice values and leave every other byte
// alone. Lenient on purpose: it only runs on text a real parser accepted.

export interface TomlStatement {
  kind: 'table' | 'array-table' | 'kv';
  /** Header path (tables) or full key path: enclosing table path + dotted key (kv). Array-table
   *  members get a `[]` segment after the array name so they never match a plain key path. */
  path: string[];
  /** Offset of the start of the statement's line. */
  lineStart: number;
  /** Offset of the statement's first character (the key or `[`). */
  start: number;
  /** Offset just past the statement, including a trailing comment, excluding the line break. */
  end: number;
  /** kv only: offsets of the value. */
  valueStart?: number;
  valueEnd?: number;
  /** kv only: trailing comment text (from `#`), if any. */
  comment?: string;
  /** 1-based line of `start`. */
  line: number;
}

export interface TomlScan {
  statements: TomlStatement[];
  /** First table header (or array-table header), if any. */
  firstHeader?: TomlStatement;
  /** Line ending used by the document ('\n' when it has none). */
  eol: '\n' | '\r\n';
  /** Whole comment lines (only blanks before the `#`), outside every string and value. */
  commentLines: TomlCommentLine[];
}

export interface TomlCommentLine {
  /** Offset of the line's start and of its `#`; `end` excludes the line break. */
  lineStart: number;
  hash: number;
  end: number;
  /** 1-based line. */
  line: number;
}

const BARE = /[A-Za-z0-9_-]/;

export function scanToml(text: string): TomlScan {
  const statements: TomlStatement[] = [];
  const commentLines: TomlCommentLine[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte order mark stays where it is
  let table: string[] = [];
  let line = 1;
  let lineStart = 0;
  const n = text.length;

  const advanceLines = (to: number) => {
    for (let i = pos; i < to; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    pos = to;
  };
  const skipInline = (i: number) => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    return i;
  };
  const skipComment = (i: number) => {
    if (text[i] === '#') while (i < n && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) i++;
    return i;
  };

  const parseKey = (i: number): { segs: string[]; end: number } => {
    const segs: string[] = [];
    for (;;) {
      i = skipInline(i);
      if (text[i] === '"') {
        const e = skipBasic(text, i);
        segs.push(JSON.parse(jsonOfBasic(text.slice(i, e))) as string);
        i = e;
      } else if (text[i] === "'") {
        const e = text.indexOf("'", i + 1);
        segs.push(text.slice(i + 1, e));
        i = e + 1;
      } else {
        const s = i;
        while (i < n && BARE.test(text[i]!)) i++;
        segs.push(text.slice(s, i));
      }
      i = skipInline(i);
      if (text[i] === '.') {
        i++;
        continue;
      }
      return { segs, end: i };
    }
  };

  while (pos < n) {
    // Skip blank space, line breaks and comment lines.
    let i = pos;
    let ls0 = lineStart;
    let ln0 = line;
    for (;;) {
      i = skipInline(i);
      if (text[i] === '#') {
        const e = skipComment(i);
        if (/^\ufeff?[ \t]*$/.test(text.slice(ls0, i))) commentLines.push({ lineStart: ls0, hash: i, end: e, line: ln0 });
        i = e;
      }
      if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
      else if (text[i] === '\n') i += 1;
      else break;
      ls0 = i;
      ln0++;
    }
    advanceLines(i);
    if (pos >= n) break;
    const start = pos;
    const ls = lineStart;
    const ln = line;
    if (text[pos] === '[') {
      const arr = text[pos + 1] === '[';
      const k = parseKey(pos + (arr ? 2 : 1));
      let e = k.end + (arr ? 2 : 1);
      const endStmt = skipComment(skipInline(e));
      table = arr ? [...k.segs, '[]'] : k.segs;
      statements.push({ kind: arr ? 'array-table' : 'table', path: k.segs, lineStart: ls, start, end: endStmt, line: ln });
      e = endStmt;
      advanceLines(e);
      continue;
    }
    const k = parseKey(pos);
    let v = skipInline(k.end);
    if (text[v] !== '=') throw new Error(`toml-scan: expected '=' at offset ${v}`);
    v = skipInline(v + 1);
    const ve = skipValue(text, v);
    let e = skipInline(ve);
    const comment = text[e] === '#' ? text.slice(e, skipComment(e)) : undefined;
    e = skipComment(e);
    statements.push({
      kind: 'kv',
      path: [...table, ...k.segs],
      lineStart: ls,
      start,
      end: e,
      valueStart: v,
      valueEnd: ve,
      ...(comment !== undefined ? { comment } : {}),
      line: ln,
    });
    advanceLines(e);
  }
  const firstHeader = statements.find((s) => s.kind !== 'kv');
  const firstNl = text.indexOf('\n');
  const eol = firstNl > 0 && text[firstNl - 1] === '\r' ? '\r\n' : '\n';
  return { statements, ...(firstHeader ? { firstHeader } : {}), eol, commentLines };
}

/** End offset of a basic string starting at `i` (`"`). */
function skipBasic(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** TOML basic string (single line) as a JSON string literal: \e and \UXXXXXXXX and \xHH need care. */
function jsonOfBasic(s: string): string {
  return s
    .replace(/\\U([0-9A-Fa-f]{8})/g, (_m, h: string) => JSON.stringify(String.fromCodePoint(parseInt(h, 16))).slice(1, -1))
    .replace(/\\x([0-9A-Fa-f]{2})/g, (_m, h: string) => `\\u00${h}`)
    .replace(/\\e/g, '\\u001b');
}

/** End offset of the value starting at `i`. */
export function skipValue(text: string, i: number): number {
  const n = text.length;
  if (text.startsWith('"""', i)) {
    let j = i + 3;
    for (;;) {
      if (text[j] === '\\') {
        j += 2;
        continue;
      }
      if (text.startsWith('"""', j)) {
        j += 3;
        let extra = 0;
        while (text[j] === '"' && extra < 2) {
          j++;
          extra++;
        }
        return j;
      }
      if (j >= n) return n;
      j++;
    }
  }
  if (text.startsWith("'''", i)) {
    const e = text.indexOf("'''", i + 3);
    let j = e + 3;
    let extra = 0;
    while (text[j] === "'" && extra < 2) {
      j++;
      extra++;
    }
    return j;
  }
  if (text[i] === '"') return skipBasic(text, i);
  if (text[i] === "'") return text.indexOf("'", i + 1) + 1;
  if (text[i] === '[' || text[i] === '{') {
    const close = text[i] === '[' ? ']' : '}';
    let j = i + 1;
    for (;;) {
      // blank, line breaks, comments, commas
      while (j < n) {
        const c = text[j]!;
        if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',') j++;
        else if (c === '#') while (j < n && text[j] !== '\n') j++;
        else break;
      }
      if (j >= n) return n;
      if (text[j] === close) return j + 1;
      if (close === '}') {
        // key = value
        j = skipKeyInline(text, j);
        while (text[j] === ' ' || text[j] === '\t') j++;
        j++; // '='
        while (text[j] === ' ' || text[j] === '\t') j++;
      }
      j = skipValue(text, j);
    }
  }
  // Bare scalar: number, bool, date/time (a date and a time may be separated by one space).
  let j = i;
  while (j < n && !/[\s,\]}#]/.test(text[j]!)) j++;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text.slice(i, j)) && text[j] === ' ' && /\d{2}:/.test(text.slice(j + 1, j + 4))) {
    j++;
    while (j < n && !/[\s,\]}#]/.test(text[j]!)) j++;
  }
  return j;
}

function skipKeyInline(text: string, j: number): number {
  for (;;) {
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] === '"') j = skipBasic(text, j);
    else if (text[j] === "'") j = text.indexOf("'", j + 1) + 1;
    else while (j < text.length && BARE.test(text[j]!)) j++;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] === '.') {
      j++;
      continue;
    }
    return j;
  }
}

/** A TOML basic string literal for `s`. */
export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\u007f/g, '\\u007f');
}
