// Title line, body, key help: the frame every screen shares.
import React from 'react';
import { Box } from 'ink';
import { Paint } from '../theme.js';

const STEPS = ['Where', 'Scan', 'Channels', 'Choose', 'Preview', 'Apply'];

export function Frame(props: { step: number; title?: string; keys: string; width: number; children?: React.ReactNode }) {
  const name = props.title ?? STEPS[props.step - 1];
  return (
    <Box flexDirection="column" width={props.width}>
      <Box>
        <Paint tone="head">codex-mitm wizard</Paint>
        <Paint tone="dim">{`  step ${props.step}/6  `}</Paint>
        <Paint tone="bold">{name}</Paint>
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
