// Generated regions in text files: the lines between `<!-- codex-mitm:NAME:begin -->` and
// `<!-- codex-mitm:NAME:end -->` (each marker alone on its line). Everything outside stays
// byte-identical; the new content takes the line ending of the begin marker's line.
import { InputError } from '../model.js';

export interface Region {
  name: string;
  /** 1-based lines of the markers. */
  beginLine: number;
  endLine: number;
  /** Offsets of the region body: just after the begin marker's line break, start of the end marker's line. */
  start: number;
  end: number;
  eol: '\n' | '\r\n';
}

export const marker = (name: string, which: 'begin' | 'end') => `<!-- codex-mitm:${name}:${which} -->`;

interface Line {
  no: number;
  start: number;
  /** offset just past its line break */
  next: number;
  text: string;
  eol: string;
}

function* lines(text: string): Generator<Line> {
  let start = 0;
  let no = 1;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const stop = nl < 0 ? text.length : nl;
    const cr = stop > start && text[stop - 1] === '\r';
    yield {
      no,
      start,
      next: nl < 0 ? text.length : nl + 1,
      text: text.slice(start, cr ? stop - 1 : stop),
      eol: nl < 0 ? '' : cr ? '\r\n' : '\n',
    };
    start = nl < 0 ? text.length : nl + 1;
    no++;
  }
}

/** Finds the region; throws InputError (naming file and line) when the markers are missing or malformed. */
export function findRegion(text: string, name: string, file = '<text>'): Region {
  const begin = marker(name, 'begin');
  const end = marker(name, 'end');
  const begins: Line[] = [];
  const ends: Line[] = [];
  for (const l of lines(text)) {
    const t = l.text.trim();
    if (t === begin) begins.push(l);
    else if (t === end) ends.push(l);
  }
  if (begins.length === 0) {
    throw new InputError(`no ${begin} marker`, file, ends[0]?.no);
  }
  if (begins.length > 1) throw new InputError(`second ${begin} marker (first at line ${begins[0].no})`, file, begins[1].no);
  if (ends.length === 0) throw new InputError(`no ${end} marker after ${begin} (line ${begins[0].no})`, file, begins[0].no);
  if (ends.length > 1) throw new InputError(`second ${end} marker (first at line ${ends[0].no})`, file, ends[1].no);
  const b = begins[0];
  const e = ends[0];
  if (e.no < b.no) throw new InputError(`${end} comes before ${begin} (line ${b.no})`, file, e.no);
  if (b.eol === '') throw new InputError(`${end} missing: file ends on the ${begin} line`, file, b.no);
  return { name, beginLine: b.no, endLine: e.no, start: b.next, end: e.start, eol: b.eol === '\r\n' ? '\r\n' : '\n' };
}

/** The current body of a region. */
export function readRegion(text: string, name: string, file?: string): string {
  const r = findRegion(text, name, file);
  return text.slice(r.start, r.end);
}

/**
 * Replaces the body of region `name` with `content` (line endings converted to the marker's; a final
 * line break added when missing). Returns the whole new text.
 */
export function replaceRegion(text: string, name: string, content: string, file?: string): string {
  const r = findRegion(text, name, file);
  let body = content.replace(/\r\n/g, '\n');
  if (body !== '' && !body.endsWith('\n')) body += '\n';
  if (r.eol === '\r\n') body = body.replace(/\n/g, '\r\n');
  return text.slice(0, r.start) + body + text.slice(r.end);
}
