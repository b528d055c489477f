// Colour that switches off with NO_COLOR: every screen paints through <Paint>.
import React, { createContext, useContext } from 'react';
import { Box, Text } from 'ink';
import type { Approach, Channel, Verdict } from '../model.js';
import type { Tone } from './state.js';

export const ColorContext = createContext(true);

const TONE: Record<Tone, { color?: string; bold?: boolean; dim?: boolean }> = {
  good: { color: 'green' },
  bad: { color: 'red' },
  warn: { color: 'yellow' },
  dim: { dim: true },
  bold: { bold: true },
  head: { color: 'cyan', bold: true },
  plain: {},
};

/** Text in a tone. `fixed` keeps it from shrinking when a long neighbour shares the row. */
export function Paint(props: { tone?: Tone; inverse?: boolean; wrap?: 'truncate-end' | 'wrap'; fixed?: boolean; children?: React.ReactNode }) {
  const color = useContext(ColorContext);
  const t = TONE[props.tone ?? 'plain'];
  if (props.fixed) return <Box flexShrink={0}>{<Paint {...props} fixed={false} />}</Box>;
  return (
    <Text
      color={color ? t.color : undefined}
      bold={t.bold}
      dimColor={color ? t.dim : undefined}
      inverse={color ? props.inverse : undefined}
      wrap={props.wrap ?? 'truncate-end'}
    >
      {props.children}
    </Text>
  );
}

/** Glyphs that stay readable without colour. */
export const GLYPH: Record<Verdict, string> = { yes: '✓', no: '✗', partial: '~', unknown: '?' };
export const VERDICT_TONE: Record<Verdict, Tone> = { yes: 'good', no: 'bad', partial: 'warn', unknown: 'dim' };
/** Channels codex never contacts (its own listeners, links): `·` under every approach, as the
 *  scan report prints them; never a miss. */
export const NOT_CONTACTED = '·';

/** A channel's mark under approach `a`: its verdict, or `·` when codex never contacts it. */
export function coverageMark(c: Pick<Channel, 'contacted' | 'coverage'>, a: Approach): { glyph: string; tone: Tone } {
  if (c.contacted === false) return { glyph: NOT_CONTACTED, tone: 'dim' };
  return { glyph: GLYPH[c.coverage[a]], tone: VERDICT_TONE[c.coverage[a]] };
}

export function pad(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width > 1 ? `${text.slice(0, width - 1)}…` : text.slice(0, width);
  return text + ' '.repeat(width - text.length);
}

/** The slice of `count` items to show so that `cursor` stays visible. */
export function windowOf(count: number, cursor: number, size: number): [number, number] {
  if (count <= size) return [0, count];
  const start = Math.max(0, Math.min(cursor - Math.floor(size / 2), count - size));
  return [start, start + size];
}
