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

/** Prose cut at spaces into lines of at most `width` columns; continuations indented. */
export function wordWrap(text: string, width: number): string[] {
  const len = (x: string) => [...x].length;
  if (len(text) <= width) return [text];
  const indent = ' '.repeat(Math.min(6, /^\s*/.exec(text)![0].length + 4, Math.max(0, width - 1)));
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/(?<=\s)/)) {
    if (line.trim() && len((line + word).trimEnd()) > width) {
      out.push(line.trimEnd());
      line = indent + word.trimStart();
    } else line += word;
    while (len(line) > width) {
      const cps = [...line];
      out.push(cps.slice(0, width).join(''));
      line = indent + cps.slice(width).join('');
    }
  }
  if (line.trim()) out.push(line.trimEnd());
  return out;
}
