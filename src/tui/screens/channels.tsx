// 3. Channels: one row per channel (hosts, override, coverage per approach); Enter shows evidence.
import { captureHowTo } from '../../report/labels.js';
import React from 'react';
import { Box } from 'ink';
import type { Approach, Channel } from '../../model.js';
import { EVIDENCE_KEYS, evidenceMaxScroll, evidencePage, evidenceRows, listRows, type State } from '../state.js';
import { coverageMark, NOT_CONTACTED, Paint, pad, windowOf } from '../theme.js';
import { Frame } from './frame.js';

const APPROACHES: Approach[] = ['a', 'b', 'ca'];
const SHORT: Record<Approach, string> = { a: 'A', b: 'B', ca: 'CA' };

/** Column widths: hosts as wide as the widest (up to 30); the channel name as wide as the widest
 *  too, while the overrides keep room for theirs (up to 28); the overrides take what is left. */
export function widths(columns: number, channels: Channel[]) {
  const cov = 4 * 3;
  const widest = (texts: string[], min: number) => Math.max(min, ...texts.map((t) => t.length));
  const hosts = Math.min(widest(channels.map(hostText), 5), 30, Math.max(12, Math.floor((columns - 22 - cov - 5) / 2)));
  const available = columns - 2 - cov - 3 - hosts;
  const overrideWanted = Math.min(widest(channels.map(overrideText), 8), 28);
  const name = Math.max(14, Math.min(widest(channels.map((c) => c.name), 7), Math.max(22, available - overrideWanted)));
  const override = Math.max(8, available - name);
  return { name, hosts, override };
}

function overrideText(c: Channel): string {
  if (c.overrides.length === 0) return '—';
  return [...new Set(c.overrides.map((o) => o.name))].join(', ');
}

function hostText(c: Channel): string {
  if (c.hosts.length === 0) return '—';
  return c.hosts.length > 1 ? `${c.hosts[0]} +${c.hosts.length - 1}` : c.hosts[0]!;
}

/** The recommendation in at most two lines (the approach in plain words) + one (what it misses, by
 *  name), so the table keeps its rows at 80x24. The scoring is for the report's Why section. */
export function Recommendation({ s }: { s: State }) {
  const r = s.scan.result;
  const rec = r?.recommendation;
  if (!r || !rec) return <Paint tone="dim">no recommendation</Paint>;
  const how = captureHowTo(r)!;
  const badge = ` ★ Recommended: ${SHORT[rec.approach]} `;
  const room = Math.max(20, 2 * (s.columns - badge.length - 2));
  const reason = how.sentence.length > room ? `${how.sentence.slice(0, room - 1)}…` : how.sentence;
  const misses = how.misses.join(', ');
  const missRoom = Math.max(20, s.columns - 12);
  return (
    <Box flexDirection="column">
      <Box>
        <Paint tone="good" inverse fixed>{badge}</Paint>
        <Paint wrap="wrap">{` ${reason}`}</Paint>
      </Box>
      {how.misses.length ? <Paint tone="warn">{`  misses: ${misses.length > missRoom ? `${misses.slice(0, missRoom - 1)}…` : misses}`}</Paint> : null}
    </Box>
  );
}

export function ChannelsScreen({ s }: { s: State }) {
  const channels = s.scan.result?.channels ?? [];
  const rec = s.scan.result?.recommendation?.approach;
  const w = widths(s.columns, channels);
  const size = listRows(s, 14);
  const [from, to] = windowOf(channels.length, s.channels.cursor, size);
  const covHead = APPROACHES.map((a) => pad(a === rec ? `${SHORT[a]}★` : SHORT[a], 4)).join('');
  return (
    <Frame step={3} keys="↑↓/j k move · Enter evidence · c choose approach → · Esc/b back · q quit" width={s.columns}>
      <Recommendation s={s} />
      <Box marginTop={1}>
        <Paint tone="bold">{`  ${pad('channel', w.name)} ${pad('hosts', w.hosts)} ${pad('override', w.override)} ${covHead}`}</Paint>
      </Box>
      {channels.length === 0 ? <Paint tone="dim">  no channels found</Paint> : null}
      {channels.slice(from, to).map((c, i) => {
        const idx = from + i;
        const on = idx === s.channels.cursor;
        return (
          <Box key={c.id}>
            <Paint tone={on ? 'bold' : 'plain'} inverse={on} fixed>
              {`${on ? '›' : ' '} ${pad(c.name, w.name)} ${pad(hostText(c), w.hosts)} ${pad(overrideText(c), w.override)} `}
            </Paint>
            {APPROACHES.map((a) => {
              const m = coverageMark(c, a);
              return (
                <Paint key={a} tone={m.tone} fixed>
                  {pad(m.glyph, 4)}
                </Paint>
              );
            })}
          </Box>
        );
      })}
      <Paint tone="dim">
        {channels.length > size ? `  ${from + 1}-${to} of ${channels.length}` : `  ${channels.length} channels`}
        {`  ✓ captured  ~ partly  ✗ not  ? unknown${channels.some((c) => c.contacted === false) ? `  ${NOT_CONTACTED} not contacted` : ''}`}
      </Paint>
    </Frame>
  );
}

export function EvidenceScreen({ s }: { s: State }) {
  const c = s.scan.result?.channels?.[s.channels.cursor];
  // Rows already cut to the width (reasons word-wrapped, none dropped): one entry is one screen
  // row, so the page and the "lines a-b of n" below count what is on the screen.
  const rows = evidenceRows(s);
  const size = evidencePage(s);
  const from = Math.min(s.evidence.scroll, evidenceMaxScroll(s));
  const shown = rows.slice(from, from + size);
  return (
    <Frame step={3} title={`Evidence: ${c?.name ?? ''}`} keys={EVIDENCE_KEYS} width={s.columns}>
      {c ? (
        <Box flexDirection="column">
          {shown.map((r, i) =>
            r.mark ? (
              <Box key={from + i}>
                <Paint tone={r.mark.tone} fixed>{r.mark.text}</Paint>
                <Paint tone={r.tone}>{r.text}</Paint>
              </Box>
            ) : (
              <Paint key={from + i} tone={r.tone}>
                {r.text || ' '}
              </Paint>
            ),
          )}
          {rows.length > size ? <Paint tone="dim">{`  lines ${from + 1}-${from + shown.length} of ${rows.length}`}</Paint> : null}
        </Box>
      ) : (
        <Paint tone="dim">no channel</Paint>
      )}
    </Frame>
  );
}
