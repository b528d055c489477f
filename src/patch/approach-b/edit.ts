// Surgical span edits: replace quoted feature strings at known offsets, keep every other byte.
import { InputError } from '../../model.js';

export interface SpanEdit {
  start: number;
  end: number;
  /** The feature the span must hold (decoded, without quotes). */
  from: string;
  to: string;
}

/** Replaces each span's quoted feature with `to` in the same quote style. The span must hold exactly
 *  `"from"` or `'from'`; anything else (a stale scan, an escape sequence) → InputError naming the line. */
export function replaceSpans(text: string, edits: SpanEdit[], file: string): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.end > sorted[i - 1]!.start) throw new InputError('overlapping feature spans', file, lineAt(text, sorted[i]!.start));
  }
  let out = text;
  for (const e of sorted) {
    const lit = text.slice(e.start, e.end);
    const q = lit[0];
    if ((q !== '"' && q !== "'") || lit !== `${q}${e.from}${q}`) {
      throw new InputError(
        `expected the feature ${JSON.stringify(e.from)} at offset ${e.start}, found ${JSON.stringify(lit.slice(0, 60))}; the file changed since the scan`,
        file,
        lineAt(text, e.start),
      );
    }
    out = `${out.slice(0, e.start)}${q}${e.to}${q}${out.slice(e.end)}`;
  }
  return out;
}

export function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
