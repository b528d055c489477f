// Parse less: only the top-level items of a file that can hold a finding are handed to
// tree-sitter (as included ranges, so every offset and line stays where it is). Items are found by
// rustfmt layout: an item, with its attributes and doc comments, starts at column 0.
import { needsParse } from './prefilter.js';
import type { RustRules } from './rules.js';

export interface TextRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

// sticky: tested at each line start without slicing the line out
const ITEM_START = /(?:#!?\[|\/\/\/|\/\/!|pub\b|fn\b|impl\b|const\b|static\b|struct\b|enum\b|mod\b|use\b|trait\b|type\b|unsafe\b|async\b|extern\b|macro_rules!|union\b)/y;
const ATTR_OR_DOC = /(?:#!?\[|\/\/\/|\/\/!)/y;
/** A config field read next to an UPPER_CASE name: a default that config overrides. */
const CONFIG_READ = /\.\s*[a-z_]*(?:url|endpoint|issuer|host|origin)\b[\s\S]*?\b[A-Z][A-Z0-9_]{2,}\b|\b[A-Z][A-Z0-9_]{2,}\b[\s\S]*?\.\s*[a-z_]*(?:url|endpoint|issuer|host|origin)\b/;

const FIELD_READ = /\.\s*[a-z_]*(?:url|endpoint|issuer|host|origin)\b/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One regex for every anchor: prefilter tokens and words, path fragments, `use` and string
 *  consts at an item start, names of this file's URL consts and reqwest aliases. */
function anchorRegex(rules: RustRules, names: string[], configFile: boolean): RegExp {
  const parts = [
    ...rules.prefilterTokens.map(escapeRe),
    ...rules.data.prefilter.word_tokens.map((w) => `(?<![A-Za-z0-9_])${escapeRe(w)}`),
    rules.data.prefilter.path_fragment,
    '^(?:pub(?:\\([^)]*\\))?\\s+)?(?:use\\s|(?:const|static)\\s+[A-Z][A-Z0-9_]*\\s*:\\s*&)',
    ...names.map((n) => `\\b(?:${n})`),
    ...(configFile ? [escapeRe(rules.data.prefilter.config_token)] : []),
  ];
  return new RegExp(parts.join('|'), 'gm');
}

interface Chunk {
  start: number;
  end: number;
  row: number;
  endRow: number;
}

/**
 * Ranges of `text` worth parsing, or undefined when the whole text should be parsed (small files,
 * or when blanking would save little).
 */
export function sparseRanges(file: string, text: string, rules: RustRules, urlConsts: string[]): TextRange[] | undefined {
  if (text.length < 8_000) return undefined;
  const chunks: Chunk[] = [];
  let start = 0;
  let row = 0;
  let hasItem = false;
  let pos = 0;
  let line = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    ITEM_START.lastIndex = pos;
    if (ITEM_START.test(text)) {
      ATTR_OR_DOC.lastIndex = pos;
      const attr = ATTR_OR_DOC.test(text);
      if (hasItem && pos > start) {
        chunks.push({ start, end: pos, row, endRow: line });
        start = pos;
        row = line;
        hasItem = false;
      }
      if (!attr) hasItem = true;
    }
    if (nl < 0) break;
    pos = nl + 1;
    line++;
  }
  chunks.push({ start, end: text.length, row, endRow: line });
  const lastCol = text.length - (text.lastIndexOf('\n') + 1);
  if (chunks.length < 3) return undefined;
  // names a file binds to reqwest items (`use reqwest::Client as Http;`): `Http::builder()` counts
  const aliases = new Set<string>();
  for (const m of text.matchAll(/\buse\s+reqwest\b([^;]*);/g)) for (const w of m[1]!.matchAll(/\b[A-Za-z_][A-Za-z0-9_]*\b/g)) aliases.add(w[0]);
  const names = [...urlConsts, ...[...aliases].map((a) => `${a}\\s*::`)];
  const configStruct = text.includes(rules.data.prefilter.config_token);
  // every place that makes its item worth a parse, found in one pass over the text
  const marks: number[] = [];
  const anchor = anchorRegex(rules, names, rules.configPath.test(file) && !rules.configPathDeny.test(file));
  for (const m of text.matchAll(anchor)) {
    const at = m.index!;
    const lineStart = text.lastIndexOf('\n', at) + 1;
    if (/^[ \t]*\/\//.test(text.slice(lineStart, at + 1))) continue; // in a line comment
    marks.push(at);
  }
  const ranges: TextRange[] = [];
  let kept = 0;
  let mi = 0;
  for (const c of chunks) {
    while (mi < marks.length && marks[mi]! < c.start) mi++;
    let keep = mi < marks.length && marks[mi]! < c.end;
    if (!keep) {
      const body = text.slice(c.start, c.end);
      keep = (FIELD_READ.test(body) && CONFIG_READ.test(body)) || (configStruct && body.includes(rules.data.prefilter.config_token) && needsParse(file, body, rules));
    }
    if (!keep) continue;
    kept += c.end - c.start;
    const last = ranges[ranges.length - 1];
    const endPosition = { row: c.endRow, column: c.end === text.length ? lastCol : 0 };
    if (last && last.endIndex === c.start) {
      last.endIndex = c.end;
      last.endPosition = endPosition;
    } else {
      ranges.push({ startIndex: c.start, endIndex: c.end, startPosition: { row: c.row, column: 0 }, endPosition });
    }
  }
  if (ranges.length === 0) return undefined;
  return kept > text.length * 0.8 ? undefined : ranges;
}
