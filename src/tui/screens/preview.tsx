// 5. Preview: the unified diff of every file the plan changes, then what it will not capture.
import React from 'react';
import { Box, Text } from 'ink';
import { previewRows, type State } from '../state.js';
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
          {p.diff.slice(p.scroll, p.scroll + size).map((l, i) => (
            <DiffLine key={`d${p.scroll + i}`} line={l} color={s.color} />
          ))}
          {p.tail
            .slice(Math.max(0, p.scroll - p.diff.length), Math.max(0, p.scroll + size - p.diff.length))
            .map((t, i) => (
              <Paint key={`t${i}`} tone={t.tone}>{t.text || ' '}</Paint>
            ))}
          {total > size ? (
            <Paint tone="dim">{`  lines ${p.scroll + 1}-${Math.min(total, p.scroll + size)} of ${total}`}</Paint>
          ) : null}
        </Box>
      ) : null}
    </Frame>
  );
}

/** Diff lines arrive coloured by the engine's renderer when colour is on; monochrome otherwise. */
function DiffLine({ line }: { line: string; color: boolean }) {
  return <Text wrap="truncate-end">{line || ' '}</Text>;
}
