// Cutting text to the terminal's width before it is paged, so that one row of a scrollable list
// is one row on the screen (Ink would otherwise wrap it, and paging would lose what overflows).

const SGR = /\u001b\[[0-9;]*m/g;

/** Tabs as spaces (to the next stop of 4) and other control characters dropped: the terminal
 *  would otherwise make a row wider, or narrower, than the columns it is counted as. */
export function displayText(line: string): string {
  let out = '';
  let col = 0;
  for (const part of line.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith('\u001b[')) {
      out += part;
      continue;
    }
    for (const ch of part) {
      if (ch === '\t') {
        const n = 4 - (col % 4);
        out += ' '.repeat(n);
        col += n;
      } else if (ch < ' ' || ch === '\u007f') continue;
      else {
        out += ch;
        col++;
      }
    }
  }
  return out;
}

/** A line cut into pieces of `width` columns; the engine paints whole lines, so each piece keeps
 *  the line's leading colour and reset. A diff line's continuation rows repeat its marker
 *  (+, - or space) followed by ↪, so they read as part of the same change without colour. */
export function hardWrap(line: string, width: number): string[] {
  const plain = [...line.replace(SGR, '')];
  if (plain.length <= width) return [line];
  const pre = /^(?:\u001b\[[0-9;]*m)*/.exec(line)![0];
  const post = /(?:\u001b\[[0-9;]*m)*$/.exec(line)![0];
  const text = plain.join('');
  const marker = /^[-+ ]/.test(text) && !/^(---|\+\+\+) /.test(text) ? `${plain[0]}↪` : '↪';
  const out: string[] = [`${pre}${plain.slice(0, width).join('')}${post}`];
  const room = Math.max(1, width - marker.length);
  for (let i = width; i < plain.length; i += room) out.push(`${pre}${marker}${plain.slice(i, i + room).join('')}${post}`);
  return out;
}

/** Prose cut at spaces into lines of at most `width` columns; continuations indented (by `hang`
 *  columns when given, else the line's own indent + 4, at most 6). */
export function wordWrap(text: string, width: number, hang?: number): string[] {
  const len = (x: string) => [...x].length;
  if (len(text) <= width) return [text];
  const indent = ' '.repeat(Math.min(hang ?? Math.min(6, /^\s*/.exec(text)![0].length + 4), Math.max(0, width - 1)));
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/(?<=\s)/)) {
    if (line.trim() && len((line + word).trimEnd()) > width) {
      out.push(line.trimEnd());
      line = indent + word.trimStart();
    } else line += word;
    // (a space left at the end of a full row is no reason to cut: it goes when the row is pushed)
    while (len(line.trimEnd()) > width) {
      const cps = [...line];
      out.push(cps.slice(0, width).join(''));
      line = indent + cps.slice(width).join('');
    }
  }
  if (line.trim()) out.push(line.trimEnd());
  return out;
}

interface StepWord {
  text: string;
  /** In a command (between backticks, or a bare command line) where the word starts. */
  cmd: boolean;
  /** The space before it is inside a command: a break there needs a " \" line continuation. */
  joined: boolean;
}

/** A next step's words: spaces split them, except inside quotes within a command (`'/a b'` is one
 *  word). Text between backticks is a command; a step that starts with spaces and has no backtick
 *  is a command line as a whole (approach A/CA's proxy commands). */
function stepWords(text: string, bare: boolean): StepWord[] {
  const words: StepWord[] = [];
  let tick = bare;
  let quote = '';
  let cur = '';
  let start = { cmd: tick, joined: false };
  for (const ch of text) {
    if (/\s/.test(ch) && !quote) {
      if (cur) words.push({ text: cur, ...start });
      cur = '';
      continue;
    }
    // A space does not change the state: the one before this word was in a command iff this word starts in one.
    if (!cur) start = { cmd: tick, joined: words.length > 0 && tick };
    cur += ch;
    if (ch === '`' && !bare && !quote) tick = !tick;
    else if (tick && (ch === "'" || ch === '"')) quote = quote === ch ? '' : quote || ch;
  }
  if (cur) words.push({ text: cur, ...start });
  return words;
}

/**
 * A next step cut into rows of at most `width` columns so that a command copied from the screen
 * still runs: prose breaks at spaces; a command (`between backticks`, or a bare command line)
 * stays inline when it fits, else it breaks only between its words, the row before each break
 * ending with " \" (the shell's line continuation; the indent of the next row only separates
 * words). A single word wider than a row (a long path) is cut with "\" and continues at column 0
 * (inside single quotes: `'\`, then `'` opens them again), so that the shell joins it back whole.
 * Rows start with `lead` (the step's indent on the screen) and continue at `lead` + 2.
 */
export function stepWrap(step: string, width: number, lead = '  '): string[] {
  const len = (x: string) => [...x].length;
  const own = /^\s*/.exec(step)![0];
  const bare = own.length > 0 && !step.includes('`');
  const w = Math.max(8, width);
  const hang = ' '.repeat(Math.min(len(lead + own) + 2, Math.floor(w / 2)));
  const words = stepWords(step.trim(), bare);
  const rows: string[] = [];
  let line = lead + own;
  let sep = '';
  words.forEach((word, i) => {
    // Room kept for " \" when the next word is part of the same command and may need a break.
    const reserve = words[i + 1]?.joined ? 2 : 0;
    if (sep && len(line) + 1 + len(word.text) + reserve > w) {
      rows.push(word.joined ? `${line} \\` : line);
      // A word of a command too wide for the indent (a long path) goes whole to column 0 when it fits there.
      line = word.joined && len(hang) + len(word.text) + reserve > w && len(word.text) + reserve <= w ? '' : hang;
      sep = '';
    }
    let rest = word.text;
    let tick = word.cmd;
    let quote = '';
    // Wider than a row: cut it, each cut marked so that the shell undoes it (prose: just cut).
    while (len(line) + len(sep) + len(rest) + reserve > w) {
      const chars = [...rest];
      let take = '';
      let mark = '';
      let t = tick;
      let q = quote;
      let n = 0;
      for (; n < chars.length - 1; n++) {
        const ch = chars[n]!;
        let t2 = t;
        let q2 = q;
        if (ch === '`' && !bare && !q) t2 = !t;
        else if (t && (ch === "'" || ch === '"')) q2 = q === ch ? '' : q || ch;
        const m = t2 ? (q2 === "'" ? "'\\" : '\\') : '';
        if (n > 0 && len(line) + len(sep) + len(take) + 1 + len(m) > w) break;
        take += ch;
        mark = m;
        t = t2;
        q = q2;
      }
      if (n === 0) break; // a one-character word: nothing to cut
      rows.push(`${line}${sep}${take}${mark}`);
      line = t ? (q === "'" ? "'" : '') : hang;
      sep = '';
      rest = chars.slice(n).join('');
      tick = t;
      quote = q;
    }
    line = `${line}${sep}${rest}`;
    sep = ' ';
  });
  if (sep || rows.length === 0) rows.push(line);
  return rows;
}
