// 5. Preview: the unified diff of every file the plan changes, then what it will not capture.
import React from 'react';
import { Box, Text } from 'ink';
import { previewRows, type State, type TailLine } from '../state.js';
import { Paint } from '../theme.js';
import { ErrorLine, Frame } from './frame.js';

const APPROACH = { a: 'A', b: 'B', ca: 'CA' } as const;

export function PreviewScreen({ s }: { s: State }) {
  const p = s.preview;
  const size = previewRows(s);
  const keys =
    p.status === 'ready'
      ? '↑↓/j k scroll · space/PgDn page · Enter apply… · Esc/b back · q quit'
      : 'Esc/b back · q quit';
  const total = p.diff.length + p.tail.length;
  const files = p.plan ? p.plan.files.filter((f) => f.oldText !== f.newText) : [];
  return (
    <Frame step={5} keys={keys} width={s.columns}>
      {p.status === 'planning' ? <Paint tone="dim">planning…</Paint> : null}
      {p.status === 'error' ? (
        <Box flexDirection="column">
          <Paint tone="bad">{`approach ${APPROACH[s.choose.approach]} refused, nothing was written:`}</Paint>
          <ErrorLine error={p.error} />
        </Box>
      ) : null}
      {p.status === 'ready' && p.plan ? (
        <Box flexDirection="column">
          {p.warning ? <Paint tone="warn" wrap="wrap">{`! ${p.warning}`}</Paint> : null}
          <Paint tone="bold">
            {files.length
              ? `Approach ${APPROACH[p.plan.approach]} changes ${files.length} file${files.length === 1 ? '' : 's'} in ${p.plan.target}`
              : `Approach ${APPROACH[p.plan.approach]}: nothing to change in ${p.plan.target} (already applied)`}
          </Paint>
          {visibleRows(p.diff, p.tail, p.scroll, size, s.columns).map((r, i) =>
            r.kind === 'diff' ? (
              <Text key={i} wrap="truncate-end">
                {r.text || ' '}
              </Text>
            ) : (
              <Paint key={i} tone={r.tone}>
                {r.text || ' '}
              </Paint>
            ),
          )}
          {total > size ? (
            <Paint tone="dim">{`  lines ${p.scroll + 1}-${Math.min(total, p.scroll + size)} of ${total}`}</Paint>
          ) : null}
        </Box>
      ) : null}
    </Frame>
  );
}

type Row = { kind: 'diff'; text: string } | { kind: 'tail'; text: string; tone: TailLine['tone'] };

const SGR = /\u001b\[[0-9;]*m/g;

/** A line cut into pieces of `width` columns; the engine paints whole lines, so each piece keeps
 *  the line's leading colour and reset. A diff line's continuation rows repeat its marker
 *  (+, - or space) followed by ↪, so they read as part of the same change without colour. */
export function hardWrap(line: string, width: number): string[] {
  const plain = line.replace(SGR, '');
  if (plain.length <= width) return [line];
  const pre = /^(?:\u001b\[[0-9;]*m)*/.exec(line)![0];
  const post = /(?:\u001b\[[0-9;]*m)*$/.exec(line)![0];
  const marker = /^[-+ ]/.test(plain) && !/^(---|\+\+\+) /.test(plain) ? `${plain[0]}↪` : '↪';
  const out: string[] = [`${pre}${plain.slice(0, width)}${post}`];
  const room = Math.max(1, width - marker.length);
  for (let i = width; i < plain.length; i += room) out.push(`${pre}${marker}${plain.slice(i, i + room)}${post}`);
  return out;
}

/** The screen rows from logical line `scroll` on: long diff lines wrap (the change is often at
 *  the end of a long manifest line), until `size` rows are used. */
function visibleRows(diff: string[], tail: TailLine[], scroll: number, size: number, width: number): Row[] {
  const rows: Row[] = [];
  for (let i = scroll; i < diff.length + tail.length && rows.length < size; i++) {
    if (i < diff.length) {
      for (const piece of hardWrap(diff[i]!, Math.max(20, width))) if (rows.length < size) rows.push({ kind: 'diff', text: piece });
    } else {
      const t = tail[i - diff.length]!;
      for (const piece of wordWrap(t.text, Math.max(20, width))) if (rows.length < size) rows.push({ kind: 'tail', text: piece, tone: t.tone });
    }
  }
  return rows;
}

/** Prose cut at spaces into lines of at most `width` columns; continuations indented. */
export function wordWrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const indent = ' '.repeat(Math.min(6, (/^\s*/.exec(text)![0].length) + 4));
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/(?<=\s)/)) {
    if (line && (line + word).trimEnd().length > width) {
      out.push(line.trimEnd());
      line = indent + word.trimStart();
    } else line += word;
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = indent + line.slice(width);
    }
  }
  if (line.trim()) out.push(line.trimEnd());
  return out;
}
