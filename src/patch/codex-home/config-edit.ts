// Edits config.toml by splicing: new top-level keys go into a marked block before the first table
// header; keys the user already set are changed in place, their original statement recorded in a
// trailing comment. Both are recognisable later, so `unpatch` can undo them byte for byte even
// without a backup (reverseConfig). Every edit is checked: the result must parse, differ
// semantically only by the intended keys, and reverse to the exact original bytes.
import { parse, TomlError } from 'smol-toml';
import { InputError } from '../../model.js';
import { scanToml, tomlString, type TomlStatement } from './toml-scan.js';
import { homeRules } from './rules.js';

export interface KeyEdit {
  /** Full key path, e.g. ['chatgpt_base_url'] or ['profiles', 'work', 'chatgpt_base_url']. */
  path: string[];
  value: string;
}

export interface PlacedEdit extends KeyEdit {
  placed: 'block' | 'in-place';
  /** 1-based line in the original text (in-place) or where the block goes. */
  line: number;
  /** Original statement text of an in-place edit. */
  was?: string;
}

export interface BlockInfo {
  approach?: string;
  flags: string[];
  line: number;
}

const FLAG_EOL = '+eol';
const FLAG_CREATED = 'created';

/** Parses config.toml; a syntax error becomes an InputError naming file and line (message first line only). */
export function parseConfig(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const msg = err.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
      throw new InputError(`invalid TOML: ${msg} (column ${err.column})`, file, err.line);
    }
    throw err;
  }
}

/** What codex-mitm left in a config.toml: the block's marker lines and the in-place records.
 *  Markers count only as whole comment lines outside every string (a line of the user's
 *  multi-line string that reads like one is the user's); a record only as the trailing comment of
 *  a key codex-mitm manages whose recorded text (a JSON string) is a statement of that same key. */
interface Marks {
  /** Offsets of the start marker's line and of the end marker (its `#`), when present. */
  start?: { at: number; line: number; text: string };
  end?: { at: number };
  records: { stmt: TomlStatement; was: string }[];
  statements?: TomlStatement[];
}

function managedMarks(text: string): Marks {
  const { block } = homeRules();
  let scan;
  try {
    scan = scanToml(text);
  } catch {
    // A text the scanner cannot follow: marker lines are found line by line (no record is undone).
    const out: Marks = { records: [] };
    let off = 0;
    text.split('\n').forEach((raw, i) => {
      const l = raw.replace(/\r$/, '');
      if (!out.start && l.startsWith(block.start)) out.start = { at: off, line: i + 1, text: l };
      else if (out.start && !out.end && l.startsWith(block.end)) out.end = { at: off };
      off += raw.length + 1;
    });
    return out;
  }
  const out: Marks = { records: [], statements: scan.statements };
  for (const c of scan.commentLines) {
    // a byte order mark before the first line stays where it is: the block starts after it
    const bom = c.lineStart === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
    const l = text.slice(c.lineStart + bom, c.end);
    if (!out.start && l.startsWith(block.start)) out.start = { at: c.lineStart + bom, line: c.line, text: l };
    else if (out.start && !out.end && c.lineStart > out.start.at && l.startsWith(block.end)) out.end = { at: c.hash };
  }
  const r = homeRules();
  const managed = new Set([r.backend.config_key, r.model_api.config_key]);
  for (const st of scan.statements) {
    if (st.kind !== 'kv' || !st.comment?.startsWith(block.was) || !managed.has(st.path[st.path.length - 1]!)) continue;
    let was: unknown;
    try {
      was = JSON.parse(st.comment.slice(block.was.length).trim());
    } catch {
      continue; // not a record codex-mitm wrote (`# codex-mitm-was: not json`): the user's comment
    }
    if (typeof was !== 'string') continue;
    let inner;
    try {
      inner = scanToml(was).statements;
    } catch {
      continue;
    }
    const k = inner[0];
    if (inner.length !== 1 || !k || k.kind !== 'kv' || k.start !== 0 || k.end !== was.length) continue;
    if (k.path.length > st.path.length || !k.path.every((seg, i) => seg === st.path[st.path.length - k.path.length + i])) continue;
    out.records.push({ stmt: st, was });
  }
  return out;
}

/** The managed block in `text`, if any. */
export function findBlock(text: string): BlockInfo | undefined {
  const { block } = homeRules();
  const start = managedMarks(text).start;
  if (!start) return undefined;
  const words = start.text.slice(block.start.length).trim().split(/\s+/).filter(Boolean);
  const approach = words.find((w) => w.startsWith('approach='))?.slice('approach='.length);
  return { ...(approach ? { approach } : {}), flags: words.filter((w) => !w.startsWith('approach=')), line: start.line };
}

/** true when `text` carries anything codex-mitm put there (a marker line or an in-place record). */
export function hasManagedContent(text: string): boolean {
  const { block } = homeRules();
  // cheap first: most configs never mention codex-mitm
  if (!text.includes(block.start) && !text.includes(block.end) && !text.includes(block.was)) return false;
  const m = managedMarks(text);
  if (m.start || m.records.length > 0) return true;
  // an end marker line left alone (its start line was deleted): damaged, still ours
  return (m.statements ? scanToml(text).commentLines : []).some((c) => text.slice(c.lineStart, c.end).startsWith(block.end));
}

/**
 * Applies `edits` to `original` (null: the file does not exist yet). Root keys not present go into
 * the managed block; keys present anywhere (root, dotted, or inside their table) are changed in
 * place. A nested key that is not present is an error (callers only ask for existing ones).
 * The managed block (naming the approach) is always written, empty when nothing goes into it.
 */
export function applyConfigEdits(
  original: string | null,
  edits: KeyEdit[],
  approach: string,
  file: string,
): { text: string; placed: PlacedEdit[] } {
  const { block } = homeRules();
  const text = original ?? '';
  let scan;
  try {
    scan = scanToml(text);
  } catch {
    throw new InputError('cannot locate its statements to edit them in place (unusual TOML layout); nothing written', file);
  }
  const eol = scan.eol;
  const splices: { at: number; end: number; insert: string }[] = [];
  const placed: PlacedEdit[] = [];
  const blockKeys: KeyEdit[] = [];
  for (const e of edits) {
    const stmt = scan.statements.find((s) => s.kind === 'kv' && samePath(s.path, e.path));
    if (stmt) {
      const was = text.slice(stmt.start, stmt.end);
      const prefix = text.slice(stmt.start, stmt.valueStart);
      splices.push({ at: stmt.start, end: stmt.end, insert: `${prefix}${tomlString(e.value)}  ${block.was} ${JSON.stringify(was)}` });
      placed.push({ ...e, placed: 'in-place', line: stmt.line, was });
    } else if (e.path.length === 1) {
      blockKeys.push(e);
    } else {
      throw new InputError(`cannot find ${e.path.join('.')} to change it in place`, file);
    }
  }
  {
    // The block is written even when every key was changed in place: it names the approach.
    const header = scan.firstHeader;
    const rootKvs = scan.statements.filter((s) => s.kind === 'kv' && (!header || s.start < header.start));
    const flags: string[] = [];
    let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let line = 1;
    let lead = '';
    if (rootKvs.length > 0) {
      const last = rootKvs[rootKvs.length - 1]!;
      at = last.end;
      line = text.slice(0, at).split('\n').length + 1;
      if (text.startsWith('\r\n', at)) at += 2;
      else if (text[at] === '\n') at += 1;
      else {
        lead = eol;
        flags.push(FLAG_EOL);
      }
    }
    if (original === null) flags.push(FLAG_CREATED);
    const lines = [
      [block.start, `approach=${approach}`, ...flags].join(' '),
      ...blockKeys.map((k) => `${k.path[0]} = ${tomlString(k.value)}`),
      block.end,
    ];
    splices.push({ at, end: at, insert: lead + lines.join(eol) + eol });
    for (const k of blockKeys) placed.push({ ...k, placed: 'block', line });
  }
  return { text: splice(text, splices), placed };
}

/** Lines the user added inside the managed block, kept where they were by `reverseConfig`. */
export interface KeptLines {
  /** 1-based lines, in the reversed text, of the first and the last kept line that is not blank. */
  line: number;
  lastLine: number;
  /** The kept lines (line breaks removed); blank ones included, they are kept too. */
  lines: string[];
  /** How many of them are not blank. */
  count: number;
}

/**
 * Undoes everything codex-mitm put into `text`. null: the file did not exist before.
 * Inside the managed block only the marker lines and the `key = "value"` lines codex-mitm writes
 * there are removed: any other line (the user's own keys, comments) stays where it is, and is
 * reported in `kept`. With nothing else in the block the original bytes come back exactly.
 */
export function reverseConfig(text: string): { text: string | null; changed: boolean; kept?: KeptLines } {
  const { block } = homeRules();
  if (!hasManagedContent(text)) return { text, changed: false };
  const splices: { at: number; end: number; insert: string }[] = [];
  let created = false;
  const marks = managedMarks(text);
  const statements = marks.statements;
  const startIdx = marks.start?.at ?? -1;
  const endMarker = marks.start && marks.end ? marks.end.at : -1;
  for (const { stmt: s, was } of marks.records) {
    // A record moved into the block would overlap the block's splice: it stays, and the result
    // then still carries codex-mitm content (callers treat that as damaged).
    if (endMarker >= 0 && s.start >= startIdx && s.start < endMarker) continue;
    // The recorded statement replaces everything from the key through the record comment.
    splices.push({ at: s.start, end: s.end, insert: was });
  }
  let blockSplice: { at: number; end: number; insert: string } | undefined;
  let kept: { offset: number; lastOffset: number; lines: string[]; count: number } | undefined;
  if (endMarker >= 0) {
    let end = endMarker + block.end.length;
    if (text.startsWith('\r\n', end)) end += 2;
    else if (text[end] === '\n') end += 1;
    const info = findBlock(text)!;
    created = info.flags.includes(FLAG_CREATED);
    const inner = userLinesInBlock(text, startIdx, endMarker, statements);
    if (inner.count > 0) {
      // The user's lines take the block's place (the `+eol` line break stays: they end with one).
      blockSplice = { at: startIdx, end, insert: inner.text };
      kept = { offset: inner.firstOffset, lastOffset: inner.lastOffset, lines: inner.lines, count: inner.count };
    } else {
      let at = startIdx;
      if (info.flags.includes(FLAG_EOL)) {
        if (text.slice(0, at).endsWith('\r\n')) at -= 2;
        else if (text.slice(0, at).endsWith('\n')) at -= 1;
      }
      blockSplice = { at, end, insert: '' };
    }
    splices.push(blockSplice);
  }
  const out = splice(text, splices);
  if (!kept || !blockSplice) return { text: created && out === '' ? null : out, changed: true };
  // Where the kept lines landed: the block's offset, moved by the splices before it.
  let at = blockSplice.at;
  for (const s of splices) if (s !== blockSplice && s.at < blockSplice.at) at += s.insert.length - (s.end - s.at);
  const lineAt = (offset: number) => out.slice(0, at + offset).split('\n').length;
  return { text: out, changed: true, kept: { line: lineAt(kept.offset), lastLine: lineAt(kept.lastOffset), lines: kept.lines, count: kept.count } };
}

/**
 * The lines between the block's start marker line and its end marker that codex-mitm did not
 * write. Its own lines are `<managed key> = "<string>"`, each a statement of its own (checked with
 * the scanner when it can follow the text, so a line inside a user's multi-line string is kept).
 */
function userLinesInBlock(
  text: string,
  startIdx: number,
  endMarker: number,
  statements: TomlStatement[] | undefined,
): { text: string; lines: string[]; count: number; firstOffset: number; lastOffset: number } {
  const r = homeRules();
  const keys = [r.backend.config_key, r.model_api.config_key];
  const ours = new RegExp(`^[ \\t]*(?:${keys.map(escapeRe).join('|')})[ \\t]*=[ \\t]*"(?:[^"\\\\]|\\\\.)*"[ \\t]*(?:#.*)?$`);
  const kvLines = statements ? new Set(statements.filter((s) => s.kind === 'kv').map((s) => s.lineStart)) : undefined;
  const firstNl = text.indexOf('\n', startIdx);
  const innerStart = firstNl < 0 ? endMarker : firstNl + 1;
  const innerEnd = text.lastIndexOf('\n', endMarker - 1) + 1;
  const out = { text: '', lines: [] as string[], count: 0, firstOffset: 0, lastOffset: 0 };
  let pos = innerStart;
  while (pos < innerEnd) {
    const nl = text.indexOf('\n', pos);
    const next = nl < 0 || nl >= innerEnd ? innerEnd : nl + 1;
    const raw = text.slice(pos, next);
    const content = raw.replace(/\r?\n$/, '');
    // (an in-place record moved into the block is not: it stays, and the block counts as damaged)
    const mine = ours.test(content) && !content.includes(r.block.was) && (!kvLines || kvLines.has(pos));
    if (!mine) {
      if (content.trim() !== '') {
        if (out.count === 0) out.firstOffset = out.text.length;
        out.lastOffset = out.text.length;
        out.count++;
      }
      out.text += raw;
      out.lines.push(content);
    }
    pos = next;
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Refuses (InputError) unless `newText` parses, equals `original` semantically except for the
 * edited keys, and reverses to the exact original bytes.
 */
export function verifyConfigEdit(original: string | null, newText: string, edits: KeyEdit[], file: string): void {
  let after: Record<string, unknown>;
  try {
    after = parse(newText) as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`refusing to write: the edited file would not parse (${(err as Error).message.split('\n')[0]})`, file);
  }
  const expected = canon(original === null ? {} : parse(original)) as Record<string, unknown>;
  for (const e of edits) setPath(expected, e.path, e.value);
  if (JSON.stringify(canon(after)) !== JSON.stringify(canon(expected))) {
    throw new InputError(`refusing to write: the edit would change more than ${edits.map((e) => e.path.join('.')).join(', ')}`, file);
  }
  const back = reverseConfig(newText).text;
  if (back !== original) throw new InputError('refusing to write: the edit would not reverse to the original bytes', file);
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const seg of path.slice(0, -1)) {
    if (typeof cur[seg] !== 'object' || cur[seg] === null) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

/** A plain, order-independent form of a parsed TOML value (dates and special floats tagged). */
export function canon(v: unknown): unknown {
  if (v instanceof Date) return { $date: v.toISOString() };
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'number') return Object.is(v, -0) || !Number.isFinite(v) ? { $num: Object.is(v, -0) ? '-0' : String(v) } : v;
  if (typeof v === 'bigint') return { $big: String(v) };
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canon((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function splice(text: string, splices: { at: number; end: number; insert: string }[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.at - a.at)) out = out.slice(0, s.at) + s.insert + out.slice(s.end);
  return out;
}
