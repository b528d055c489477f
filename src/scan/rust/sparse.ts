// Parse less: only the top-level items of a file that can hold a finding are handed to
// tree-sitter (as included ranges, so every offset and line stays where it is). Items are found by
// rustfmt layout: an item, with its attributes and doc comments, starts at column 0.
import { needsParse, withoutLineComments } from './prefilter.js';
import type { RustRules } from './rules.js';

export interface TextRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

const ITEM_START = /^(?:#!?\[|\/\/\/|\/\/!|pub\b|fn\b|impl\b|const\b|static\b|struct\b|enum\b|mod\b|use\b|trait\b|type\b|unsafe\b|async\b|extern\b|macro_rules!|union\b)/;
const ATTR_OR_DOC = /^(?:#!?\[|\/\/\/|\/\/!)/;
/** Items kept whatever they hold: `use` (aliases) and string consts (resolved across files). */
const ALWAYS = /^(?:pub(?:\([^)]*\))?\s+)?(?:use\s|(?:const|static)\s+[A-Z][A-Z0-9_]*\s*:\s*&)/m;
/** A config field read next to an UPPER_CASE name: a default that config overrides. */
const CONFIG_READ = /\.\s*[a-z_]*(?:url|endpoint|issuer|host|origin)\b[\s\S]*?\b[A-Z][A-Z0-9_]{2,}\b|\b[A-Z][A-Z0-9_]{2,}\b[\s\S]*?\.\s*[a-z_]*(?:url|endpoint|issuer|host|origin)\b/;

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
    const end = nl < 0 ? text.length : nl;
    const l = text.slice(pos, Math.min(end, pos + 16));
    if (ITEM_START.test(l)) {
      const attr = ATTR_OR_DOC.test(l);
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
  const constRe = names.length ? new RegExp(`\\b(?:${names.join('|')})`) : undefined;
  const ranges: TextRange[] = [];
  let kept = 0;
  for (const c of chunks) {
    const body = text.slice(c.start, c.end);
    const keep =
      ALWAYS.test(body) ||
      needsParse(file, withoutLineComments(body), rules) ||
      (constRe?.test(body) ?? false) ||
      CONFIG_READ.test(body);
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
