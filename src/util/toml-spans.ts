// An exact, position-keeping TOML lexer for Cargo manifests. It does not build a document: it
// walks the text once and reports every key and every string value with its full key path and
// its offsets into the text exactly as given (CRLF, BOM and comments kept), so a patcher can
// replace one string literal and leave every other byte alone. smol-toml stays the parser of
// record; tests check this lexer against it.

export type KeyPath = Array<string | number>;

export interface TomlStringSpan {
  /** Full key path: table header keys + dotted keys + inline-table keys; array items add their index. */
  path: KeyPath;
  /** Decoded value. */
  value: string;
  /** Offsets of the literal including its quotes: text.slice(start, end) === '"rustls-tls"'. */
  start: number;
  end: number;
  /** 1-based line of `start`. */
  line: number;
}

export interface TomlKeySpan {
  /** Full key path of a key/value pair or a table header. */
  path: KeyPath;
  line: number;
  start: number;
  end: number;
  header: boolean;
}

/** A top-level statement: a table header or a key/value pair, with the offsets an editor splices at. */
export interface TomlStatementSpan {
  kind: 'table' | 'array-table' | 'kv';
  /** Header path (an array table's with its entry index) or the full key path of the pair. */
  path: KeyPath;
  /** Offset of the start of the statement's line. */
  lineStart: number;
  /** Offset of the statement's first character (the key or `[`). */
  start: number;
  /** Offset just past the statement, including a trailing comment, excluding the line break. */
  end: number;
  /** kv only: offsets of the value. */
  valueStart?: number;
  valueEnd?: number;
  /** Trailing comment text (from `#`), if any. */
  comment?: string;
  /** 1-based line of `start`. */
  line: number;
}

/** A whole comment line (only blanks, or the byte order mark, before the `#`) between statements. */
export interface TomlCommentLine {
  lineStart: number;
  hash: number;
  /** Excludes the line break. */
  end: number;
  line: number;
}

export interface TomlLexResult {
  strings: TomlStringSpan[];
  keys: TomlKeySpan[];
  statements: TomlStatementSpan[];
  commentLines: TomlCommentLine[];
}

export class TomlLexError extends Error {
  constructor(message: string, public readonly line: number, public readonly offset: number) {
    super(`${message} (line ${line})`);
    this.name = 'TomlLexError';
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;

/** Lex `text`; throws TomlLexError on text smol-toml would also refuse (unterminated strings, missing `=`...). */
export function lexToml(text: string): TomlLexResult {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (off: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const strings: TomlStringSpan[] = [];
  const keys: TomlKeySpan[] = [];
  const statements: TomlStatementSpan[] = [];
  const commentLines: TomlCommentLine[] = [];
  const arrayTableCounts = new Map<string, number>();
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let table: KeyPath = [];

  const fail = (msg: string): never => {
    throw new TomlLexError(msg, lineOf(pos), pos);
  };
  const skipWs = (): void => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
  };
  const skipComment = (): void => {
    if (text[pos] === '#') while (pos < text.length && text[pos] !== '\n' && !(text[pos] === '\r' && text[pos + 1] === '\n')) pos++;
  };
  /** Whitespace, newlines and comments (inside arrays / between statements). */
  const skipAll = (): void => {
    for (;;) {
      skipWs();
      if (text[pos] === '#') skipComment();
      else if (text[pos] === '\n') pos++;
      else if (text[pos] === '\r' && text[pos + 1] === '\n') pos += 2;
      else return;
    }
  };
  /** Between statements: like skipAll, noting whole comment lines. */
  const skipBetween = (): void => {
    for (;;) {
      skipWs();
      if (text[pos] === '#') {
        const ls = lineStarts[lineOf(pos) - 1]!;
        const hash = pos;
        skipComment();
        if (/^\ufeff?[ \t]*$/.test(text.slice(ls, hash))) commentLines.push({ lineStart: ls, hash, end: pos, line: lineOf(hash) });
      } else if (text[pos] === '\n') pos++;
      else if (text[pos] === '\r' && text[pos + 1] === '\n') pos += 2;
      else return;
    }
  };
  /** The rest of a statement's line: its trailing comment noted, the line break consumed. */
  const endStatement = (st: TomlStatementSpan): void => {
    skipWs();
    if (text[pos] === '#') {
      const hash = pos;
      skipComment();
      st.comment = text.slice(hash, pos);
    }
    st.end = pos;
    statements.push(st);
    endOfLine();
  };
  const endOfLine = (): void => {
    skipWs();
    skipComment();
    if (pos >= text.length) return;
    if (text[pos] === '\n') pos++;
    else if (text[pos] === '\r' && text[pos + 1] === '\n') pos += 2;
    else fail(`unexpected ${JSON.stringify(text[pos])} after value`);
  };

  const readEscape = (): string => {
    // pos at the backslash
    const c = text[pos + 1];
    const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
    if (c !== undefined && c in simple) {
      pos += 2;
      return simple[c]!;
    }
    if (c === 'u' || c === 'U' || c === 'x') {
      const n = c === 'u' ? 4 : c === 'U' ? 8 : 2;
      const hex = text.slice(pos + 2, pos + 2 + n);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) fail('bad unicode escape');
      pos += 2 + n;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    return fail('bad escape');
  };

  /** Reads a string literal at pos; returns decoded value. */
  const readString = (allowMultiline: boolean): string => {
    const q = text[pos];
    if (allowMultiline && text.startsWith(q === '"' ? '"""' : "'''", pos)) {
      const delim = q === '"' ? '"""' : "'''";
      pos += 3;
      // a newline right after the opening delimiter is trimmed
      if (text[pos] === '\n') pos++;
      else if (text[pos] === '\r' && text[pos + 1] === '\n') pos += 2;
      let out = '';
      for (;;) {
        if (pos >= text.length) fail('unterminated multi-line string');
        if (text.startsWith(delim, pos)) {
          // up to two extra quotes belong to the content
          let extra = 0;
          while (extra < 2 && text[pos + 3 + extra] === q) extra++;
          out += q.repeat(extra);
          pos += 3 + extra;
          return out;
        }
        const ch = text[pos]!;
        if (q === '"' && ch === '\\') {
          // line-ending backslash: trim following whitespace and newlines
          let p = pos + 1;
          while (text[p] === ' ' || text[p] === '\t') p++;
          if (text[p] === '\n' || (text[p] === '\r' && text[p + 1] === '\n')) {
            pos = p;
            while (pos < text.length && /[ \t\r\n]/.test(text[pos]!)) pos++;
            continue;
          }
          out += readEscape();
          continue;
        }
        out += ch;
        pos++;
      }
    }
    pos++;
    let out = '';
    for (;;) {
      if (pos >= text.length || text[pos] === '\n' || text[pos] === '\r') fail('unterminated string');
      const ch = text[pos]!;
      if (ch === q) {
        pos++;
        return out;
      }
      if (q === '"' && ch === '\\') {
        out += readEscape();
        continue;
      }
      out += ch;
      pos++;
    }
  };

  const readKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipWs();
      const c = text[pos];
      if (c === '"' || c === "'") parts.push(readString(false));
      else {
        const s = pos;
        while (pos < text.length && BARE_KEY.test(text[pos]!)) pos++;
        if (pos === s) fail('expected a key');
        parts.push(text.slice(s, pos));
      }
      skipWs();
      if (text[pos] === '.') {
        pos++;
        continue;
      }
      return parts;
    }
  };

  const readValue = (path: KeyPath): void => {
    const c = text[pos];
    if (c === '"' || c === "'") {
      const start = pos;
      const value = readString(true);
      strings.push({ path, value, start, end: pos, line: lineOf(start) });
      return;
    }
    if (c === '[') {
      pos++;
      let i = 0;
      for (;;) {
        skipAll();
        if (pos >= text.length) fail('unterminated array');
        if (text[pos] === ']') {
          pos++;
          return;
        }
        readValue([...path, i++]);
        skipAll();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        fail('expected `,` or `]` in array');
      }
    }
    if (c === '{') {
      pos++;
      for (;;) {
        skipAll();
        if (pos >= text.length) fail('unterminated inline table');
        if (text[pos] === '}') {
          pos++;
          return;
        }
        const kStart = pos;
        const k = readKey();
        keys.push({ path: [...path, ...k], line: lineOf(kStart), start: kStart, end: pos, header: false });
        if (text[pos] !== '=') fail('expected `=` in inline table');
        pos++;
        skipWs();
        readValue([...path, ...k]);
        skipAll();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        fail('expected `,` or `}` in inline table');
      }
    }
    // bare scalar: number, bool, date-time (a date may carry a space before its time)
    const s = pos;
    while (pos < text.length && /[A-Za-z0-9_+\-.:]/.test(text[pos]!)) pos++;
    if (pos === s) fail('expected a value');
    if (/^\d{4}-\d{2}-\d{2}$/.test(text.slice(s, pos)) && text[pos] === ' ' && /\d/.test(text[pos + 1] ?? '')) {
      pos++;
      while (pos < text.length && /[A-Za-z0-9_+\-.:]/.test(text[pos]!)) pos++;
    }
  };

  for (;;) {
    skipBetween();
    if (pos >= text.length) break;
    const start = pos;
    const line = lineOf(start);
    const lineStart = lineStarts[line - 1]!;
    if (text[pos] === '[') {
      const isArray = text[pos + 1] === '[';
      pos += isArray ? 2 : 1;
      const k = readKey();
      if (isArray) {
        if (!text.startsWith(']]', pos)) fail('expected `]]`');
        pos += 2;
        const id = JSON.stringify(k);
        const n = arrayTableCounts.get(id) ?? 0;
        arrayTableCounts.set(id, n + 1);
        table = [...k, n];
      } else {
        if (text[pos] !== ']') fail('expected `]`');
        pos++;
        table = k;
      }
      keys.push({ path: table, line, start, end: pos, header: true });
      endStatement({ kind: isArray ? 'array-table' : 'table', path: table, lineStart, start, end: pos, line });
      continue;
    }
    const k = readKey();
    keys.push({ path: [...table, ...k], line, start, end: pos, header: false });
    if (text[pos] !== '=') fail('expected `=`');
    pos++;
    skipWs();
    const valueStart = pos;
    readValue([...table, ...k]);
    endStatement({ kind: 'kv', path: [...table, ...k], lineStart, start, end: pos, valueStart, valueEnd: pos, line });
  }
  return { strings, keys, statements, commentLines };
}

export interface FeatureStringSpan {
  /** 'dependencies' | 'dev-dependencies' | 'build-dependencies' | 'workspace.dependencies' | `target.<cfg>.<kind>` */
  table: string;
  /** The dependency's key in the manifest (not its `package = ...` name). */
  dependency: string;
  feature: string;
  line: number;
  /** text.slice(start, end) is the quoted literal, quotes included. */
  start: number;
  end: number;
}

const KINDS: Record<string, string> = {
  dependencies: 'dependencies',
  'dev-dependencies': 'dev-dependencies',
  dev_dependencies: 'dev-dependencies',
  'build-dependencies': 'build-dependencies',
  build_dependencies: 'build-dependencies',
};

/** The dependency table a key path sits in, and the rest of the path after the table. */
export function dependencyTableOf(path: KeyPath): { table: string; rest: KeyPath } | undefined {
  const [a, b, c] = path;
  if (typeof a === 'string' && a in KINDS) return { table: KINDS[a]!, rest: path.slice(1) };
  if (a === 'workspace' && b === 'dependencies') return { table: 'workspace.dependencies', rest: path.slice(2) };
  if (a === 'target' && typeof b === 'string' && typeof c === 'string' && c in KINDS) {
    return { table: `target.${b}.${KINDS[c]}`, rest: path.slice(3) };
  }
  return undefined;
}

/** Every string in a dependency entry's `features = [...]` array, in text order. */
export function locateFeatureStrings(text: string): FeatureStringSpan[] {
  return featureStringsOf(lexToml(text));
}

export function featureStringsOf(lexed: TomlLexResult): FeatureStringSpan[] {
  const out: FeatureStringSpan[] = [];
  for (const s of lexed.strings) {
    const t = dependencyTableOf(s.path);
    if (!t) continue;
    const [dep, key, idx] = t.rest;
    if (t.rest.length !== 3 || typeof dep !== 'string' || key !== 'features' || typeof idx !== 'number') continue;
    out.push({ table: t.table, dependency: dep, feature: s.value, line: s.line, start: s.start, end: s.end });
  }
  return out;
}

/** 1-based line where a dependency entry starts (its key, dotted key or `[table.dep]` header). */
export function dependencyLines(lexed: TomlLexResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const k of lexed.keys) {
    const t = dependencyTableOf(k.path);
    if (!t || t.rest.length === 0 || typeof t.rest[0] !== 'string') continue;
    const id = `${t.table}\u0000${t.rest[0]}`;
    const prev = out.get(id);
    if (prev === undefined || k.line < prev) out.set(id, k.line);
  }
  return out;
}
