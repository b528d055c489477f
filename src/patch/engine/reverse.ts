// Undoing a patch in place: each recorded replacement (new text back to old) is swapped back in the
// current text, so edits made since the patch (an upstream pull, codex writing its config) survive.
import type { Replacement } from './plan.js';
import type { PatchStateFile } from './state.js';

/** One replacement as the state records it, in the coordinates of the text that patch run wrote. */
export interface RecordedEdit {
  /** 1-based line of `new` in the written text. */
  line: number;
  /** Offset (UTF-16 code units) of `new` in the written text. */
  start: number;
  /** Offset of `new` within its line. */
  col: number;
  /** The text the patch replaced. */
  old: string;
  /** The text the patch wrote in its place. */
  new: string;
  /** The whole written line holding `new` (without its line break). */
  lineText: string;
}

/** The recorded form of `replacements` (old-text coordinates) applied to `oldText`; undefined when
 *  they do not turn `oldText` into `newText` (then nothing is recorded and no in-place undo is offered). */
export function recordEdits(oldText: string, newText: string, replacements: Replacement[]): RecordedEdit[] | undefined {
  const sorted = [...replacements].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  const starts: number[] = [];
  for (const r of sorted) {
    if (r.start < at || r.end < r.start || r.end > oldText.length) return undefined;
    out += oldText.slice(at, r.start);
    starts.push(out.length);
    out += r.text;
    at = r.end;
  }
  out += oldText.slice(at);
  if (out !== newText) return undefined;
  return sorted.map((r, i) => {
    const start = starts[i]!;
    const lineStart = newText.lastIndexOf('\n', start - 1) + 1;
    const nl = newText.indexOf('\n', start);
    const lineEnd = nl < 0 ? newText.length : nl;
    return {
      line: countLines(newText, lineStart),
      start,
      col: start - lineStart,
      old: oldText.slice(r.start, r.end),
      new: r.text,
      lineText: newText.slice(lineStart, lineEnd),
    };
  });
}

/** `text` with every recorded run undone (latest run first), or undefined when some replacement
 *  cannot be found unambiguously: at its recorded offset, else on its recorded line (whole line
 *  unchanged), else on the one line of the text equal to the recorded line. */
export function reverseEdits(text: string, runs: RecordedEdit[][]): string | undefined {
  let out = text;
  for (const run of [...runs].reverse()) {
    const lines = lineStarts(out);
    const found: Array<{ pos: number; e: RecordedEdit }> = [];
    for (const e of run) {
      const pos = locate(out, lines, e);
      if (pos === undefined) return undefined;
      found.push({ pos, e });
    }
    found.sort((a, b) => b.pos - a.pos);
    for (let i = 1; i < found.length; i++) if (found[i]!.pos + found[i]!.e.new.length > found[i - 1]!.pos) return undefined;
    for (const { pos, e } of found) out = `${out.slice(0, pos)}${e.old}${out.slice(pos + e.new.length)}`;
  }
  return out;
}

function locate(text: string, starts: number[], e: RecordedEdit): number | undefined {
  const lineOf = (i: number) => text.slice(starts[i]!, i + 1 < starts.length ? starts[i + 1]! - 1 : text.length);
  const at = (i: number) => {
    const p = starts[i]! + e.col;
    return text.startsWith(e.new, p) ? p : undefined;
  };
  if (text.startsWith(e.new, e.start) && countLines(text, e.start) === e.line) return e.start;
  const i = e.line - 1;
  if (i < starts.length && lineOf(i) === e.lineText) return at(i);
  let hit: number | undefined;
  for (let k = 0; k < starts.length; k++) {
    if (lineOf(k) !== e.lineText) continue;
    if (hit !== undefined) return undefined;
    hit = k;
  }
  return hit === undefined ? undefined : at(hit);
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

function countLines(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** The patch undone in `current` by the replacements recorded in its state entry; undefined when
 *  not possible (none recorded, not UTF-8, or a replacement not found). */
export function reverseRecorded(current: Buffer, entry: PatchStateFile): string | undefined {
  if (!entry.edits) return undefined;
  const text = current.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(current)) return undefined;
  return reverseEdits(text, entry.edits);
}
