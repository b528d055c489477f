// Shared text helpers for the reporters: verdict glyphs, plain-ANSI colour, column layout.
import type { Override, Verdict } from '../model.js';

export type Tone = 'good' | 'bad' | 'warn' | 'dim' | 'bold' | 'head' | 'plain';

const ANSI: Record<Tone, [string, string]> = {
  good: ['\u001b[32m', '\u001b[39m'],
  bad: ['\u001b[31m', '\u001b[39m'],
  warn: ['\u001b[33m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  bold: ['\u001b[1m', '\u001b[22m'],
  head: ['\u001b[1;36m', '\u001b[22;39m'],
  plain: ['', ''],
};

export function paint(text: string, tone: Tone, color: boolean): string {
  if (!color || tone === 'plain' || text === '') return text;
  const [on, off] = ANSI[tone];
  return `${on}${text}${off}`;
}

/** Glyphs that stay readable without colour. */
export const VERDICT_GLYPH: Record<Verdict, string> = { yes: '✓', no: '✗', partial: '~', unknown: '?' };
export const VERDICT_TONE: Record<Verdict, Tone> = { yes: 'good', no: 'bad', partial: 'warn', unknown: 'dim' };

export function verdictCell(v: Verdict): Cell {
  return { text: VERDICT_GLYPH[v] ?? '?', tone: VERDICT_TONE[v] ?? 'dim' };
}

export function loc(file: string, line?: number): string {
  const f = slash(file);
  return line ? `${f}:${line}` : f;
}

export function slash(p: string): string {
  return p.replace(/\\/g, '/');
}

/** `env OPENAI_BASE_URL`, `config model_providers.<id>.base_url`, `flag --upstream-url`. */
export function overrideLabel(o: Override): string {
  return `${o.kind} ${o.path ?? o.name}`;
}

/** Unique by key, first occurrence wins, order kept. */
export function uniqBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const it of items) {
    const k = key(it);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(it);
  }
  return out;
}

export function byLocation<T extends { file?: string; manifest?: string; line?: number }>(a: T, b: T): number {
  const fa = a.file ?? a.manifest ?? '';
  const fb = b.file ?? b.manifest ?? '';
  return fa < fb ? -1 : fa > fb ? 1 : (a.line ?? 0) - (b.line ?? 0);
}

export interface Cell {
  text: string;
  tone?: Tone;
}

/** Display width: counts code points (the glyphs used here are single-width). */
export function width(s: string): number {
  return [...s].length;
}

function truncate(s: string, w: number, keepEnd = false): string {
  const cps = [...s];
  if (cps.length <= w) return s;
  if (w <= 1) return cps.slice(0, w).join('');
  return keepEnd ? `…${cps.slice(cps.length - (w - 1)).join('')}` : `${cps.slice(0, w - 1).join('')}…`;
}

export interface LayoutOptions {
  /** Total line width to aim for (indent included). */
  width: number;
  indent?: number;
  color: boolean;
  /** Columns that may be shortened (with …) to fit, in this order, each down to its floor. Defaults to all but the first. */
  shrink?: number[];
  /** Floors for shrinking, per column (default 8, or the header up to 12). */
  minWidths?: number[];
  /** Columns cut at the start (…/src/x.rs:12) rather than the end, e.g. file:line. */
  keepEnd?: number[];
}

/**
 * Lays out rows as aligned columns separated by two spaces. Colours are applied after padding, so
 * alignment holds with and without ANSI. Shrinkable columns are cut with … when the line is too long.
 */
export function layout(header: string[], rows: (string | Cell)[][], o: LayoutOptions): string[] {
  const indent = ' '.repeat(o.indent ?? 2);
  const cells: Cell[][] = rows.map((r) => r.map((c) => (typeof c === 'string' ? { text: c } : c)));
  const n = header.length;
  const widths = header.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i]?.text ?? ''))));
  const sep = 2;
  const total = () => indent.length + widths.reduce((a, b) => a + b, 0) + sep * (n - 1);
  const shrink = o.shrink ?? [...Array(n).keys()].slice(1);
  const floor = (i: number) => o.minWidths?.[i] ?? Math.max(8, Math.min(width(header[i]), 12));
  // shorten shrinkable columns in the given order, each down to its floor, until the line fits
  for (const i of shrink) {
    const over = total() - o.width;
    if (over <= 0) break;
    widths[i] -= Math.max(0, Math.min(widths[i] - floor(i), over));
  }
  const line = (r: Cell[], head: boolean) => {
    // nothing after the last non-empty cell, so no trailing blanks with or without colour
    let last = n - 1;
    while (last > 0 && (r[last]?.text ?? '') === '') last--;
    const parts: string[] = [];
    for (let i = 0; i <= last; i++) {
      const c = r[i] ?? { text: '' };
      const t = truncate(c.text, widths[i], !head && (o.keepEnd?.includes(i) ?? false));
      const padded = i === last ? t : t + ' '.repeat(widths[i] - width(t));
      parts.push(paint(padded, head ? 'bold' : c.tone ?? 'plain', o.color));
    }
    return indent + parts.join(' '.repeat(sep));
  };
  return [line(header.map((h) => ({ text: h })), true), ...cells.map((r) => line(r, false))];
}

/** Wraps prose to `w` columns with a hanging indent. */
export function wrap(text: string, w: number, indent = '  ', hang = indent): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let cur = indent;
  let fresh = true;
  for (const word of words) {
    if (!fresh && width(cur) + 1 + width(word) > w) {
      out.push(cur);
      cur = hang + word;
    } else {
      cur += (fresh ? '' : ' ') + word;
    }
    fresh = false;
  }
  if (!fresh) out.push(cur);
  return out;
}
