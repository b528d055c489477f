// 5. Preview: the unified diff of every file the plan changes, then what it will not capture.
import React from 'react';
import { Box, Text } from 'ink';
import { previewLines, previewRows, previewWarning, type State } from '../state.js';
import { Paint } from '../theme.js';
import { ErrorLine, Frame } from './frame.js';

// The line breaking lives in ../wrap.ts (the reducer pages over the same rows); kept here by name.
export { hardWrap, wordWrap } from '../wrap.js';

const APPROACH = { a: 'A', b: 'B', ca: 'CA' } as const;

export function PreviewScreen({ s }: { s: State }) {
  const p = s.preview;
  const size = previewRows(s);
  const files = p.plan ? p.plan.files.filter((f) => f.oldText !== f.newText) : [];
  const keys =
    p.status === 'ready'
      ? `↑↓/j k scroll · space/PgDn page · Enter ${files.length ? 'apply…' : 'next steps…'} · Esc/b back · q quit`
      : 'Esc/b back · q quit';
  // Rows already cut to the width: one entry is one screen row, so the page and the
  // "lines a-b of n" below count what is on the screen.
  const rows = previewLines(s);
  const total = rows.length;
  const shown = rows.slice(p.scroll, p.scroll + size);
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
          {previewWarning(s).map((w, i) => (
            <Paint key={`w${i}`} tone="warn">
              {w}
            </Paint>
          ))}
          <Paint tone="bold">
            {files.length
              ? `Approach ${APPROACH[p.plan.approach]} changes ${files.length} file${files.length === 1 ? '' : 's'} in ${p.plan.target}`
              : `Approach ${APPROACH[p.plan.approach]}: nothing to change in ${p.plan.target} (already applied)`}
          </Paint>
          {shown.map((r, i) =>
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
            <Paint tone="dim">{`  lines ${p.scroll + 1}-${p.scroll + shown.length} of ${total}`}</Paint>
          ) : null}
        </Box>
      ) : null}
    </Frame>
  );
}
