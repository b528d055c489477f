// Title line, body, key help: the frame every screen shares.
import React from 'react';
import { Box } from 'ink';
import { Paint } from '../theme.js';

const STEPS = ['Where', 'Scan', 'Channels', 'Choose', 'Preview', 'Apply'];

/** The title line's three parts, cut to `width` columns: the screen's name gives way first (cut
 *  with "…"), then "wizard"; "step n/6" stays whole. (Ink would otherwise shrink every part of the
 *  row, cutting them mid-word.) */
export function headerParts(step: number, title: string, width: number): [string, string, string] {
  const len = (x: string) => [...x].length;
  const cut = (x: string, room: number) => (len(x) <= room ? x : `${[...x].slice(0, room - 1).join('')}…`);
  const stepText = `  step ${step}/6  `;
  const full = 'codex-mitm wizard';
  const room = width - len(full) - len(stepText);
  if (len(title) <= room || room >= 12) return [full, stepText, cut(title, room)];
  const short = 'codex-mitm';
  const left = width - len(short) - len(stepText);
  if (left >= 2) return [short, stepText, cut(title, left)];
  return [short, `  ${step}/6`, ''];
}

export function Frame(props: { step: number; title?: string; keys: string; width: number; children?: React.ReactNode }) {
  const [tool, stepText, name] = headerParts(props.step, props.title ?? STEPS[props.step - 1]!, props.width);
  return (
    <Box flexDirection="column" width={props.width}>
      <Box>
        <Paint tone="head" fixed>{tool}</Paint>
        <Paint tone="dim" fixed>{stepText}</Paint>
        {name ? <Paint tone="bold">{name}</Paint> : null}
      </Box>
      <Box flexDirection="column" marginTop={1}>
        {props.children}
      </Box>
      <Box marginTop={1}>
        {/* Wraps rather than cut: the last key (q quit) must stay readable on a narrow terminal. */}
        <Paint tone="dim" wrap="wrap">{props.keys}</Paint>
      </Box>
    </Box>
  );
}

/** A one-line error with the way back. */
export function ErrorLine(props: { error?: string }) {
  if (!props.error) return null;
  return <Paint tone="bad" wrap="wrap">{`✗ ${props.error}`}</Paint>;
}
