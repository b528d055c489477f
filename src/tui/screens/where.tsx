// 1. Where: codex source tree and codex home, with the version and auth mode found there.
import React from 'react';
import { Box } from 'ink';
import type { State } from '../state.js';
import { Paint, pad } from '../theme.js';
import { ErrorLine, Frame } from './frame.js';

const HOME_SOURCE = { flag: 'from --codex-home', env: 'from $CODEX_HOME', default: 'default ~/.codex' } as const;
const AUTH = { apikey: 'API key', chatgpt: 'ChatGPT sign-in' } as const;

export function WhereScreen({ s }: { s: State }) {
  const w = s.where;
  const label = 14;
  const row = (i: number, name: string, value: string, note: string, field: 'root' | 'home') => {
    const focused = w.focus === i;
    const editing = w.editing === field;
    const shown = value || '(none)';
    // A long path pushes its note onto a line of its own instead of cutting it off.
    const noteInline = label + 2 + shown.length + 2 + note.length <= s.columns;
    return (
      <Box flexDirection="column">
        <Box>
          <Paint tone={focused ? 'bold' : 'plain'} fixed>{`${focused ? '›' : ' '} ${pad(name, label)}`}</Paint>
          {editing ? (
            <Paint tone="bold" inverse>{`${w.draft}█`}</Paint>
          ) : (
            <Paint inverse={focused}>{shown}</Paint>
          )}
          {!editing && note && noteInline ? <Paint tone="dim">{`  ${note}`}</Paint> : null}
        </Box>
        {!editing && note && !noteInline ? (
          <Box paddingLeft={label + 2}>
            <Paint tone="dim">{note}</Paint>
          </Box>
        ) : null}
      </Box>
    );
  };
  const rootNote = w.detecting ? 'looking…' : w.rootError ? '' : w.rootDetected ? 'detected under the current directory' : '';
  const keys = w.editing
    ? 'type a path · Tab complete · Enter accept · Esc cancel · Ctrl-C quit'
    : `↑↓/j k move · Enter edit/continue${w.installed && (!w.root || w.rootError) ? ' · f fetch source' : ''} · q quit`;
  const authValue = w.detecting ? '…' : w.auth ? AUTH[w.auth] : 'unknown (API key assumed)';
  const source = !w.detecting && w.authSource ? w.authSource : '';
  // A known mode's source fits beside it; anything else (why it is unknown) goes below, whole.
  const sourceInline = Boolean(source) && Boolean(w.auth) && label + 4 + authValue.length + 2 + source.length <= s.columns;
  const sourceBelow = Boolean(source) && !sourceInline;
  const offerFetch = !w.detecting && w.fetching === undefined && Boolean(w.installed) && (!w.root || Boolean(w.rootError)) && w.editing === null;
  const mismatch = !w.detecting && w.version && w.installed && w.version !== '0.0.0' && w.version !== w.installed;
  const more = w.completions.length > 6 ? ` (+${w.completions.length - 6} more)` : '';
  return (
    <Frame step={1} keys={keys} width={s.columns}>
      {row(0, 'Source tree', w.root, rootNote, 'root')}
      {w.editing === 'root' || w.editing === 'home' ? (
        w.completions.length ? (
          <Paint tone="dim">{`    ${w.completions.slice(0, 6).join('  ')}${more}`}</Paint>
        ) : null
      ) : null}
      {row(1, 'Codex home', w.home, HOME_SOURCE[w.homeSource], 'home')}
      <Box marginTop={1} flexDirection="column">
        <Box>
          <Paint fixed>{`  ${pad('tree version', label)}`}</Paint>
          <Paint tone={w.version ? 'good' : 'dim'}>{w.detecting ? '…' : (w.version ?? 'unknown')}</Paint>
        </Box>
        <Box>
          <Paint fixed>{`  ${pad('installed', label)}`}</Paint>
          <Paint tone={w.installed ? 'good' : 'dim'}>{w.detecting && w.installed === undefined ? '…' : w.installed ? `codex ${w.installed} (on PATH)` : 'no codex on PATH'}</Paint>
        </Box>
        {mismatch ? (
          <Box paddingLeft={label + 3}>
            <Paint tone="warn" wrap="wrap">
              {`the tree is codex ${w.version} but the installed codex is ${w.installed}: the findings may not match what it sends; point at the source of ${w.installed} (git tag rust-v${w.installed})`}
            </Paint>
          </Box>
        ) : null}
        <Box>
          <Paint fixed>{`  ${pad('auth mode', label)}`}</Paint>
          <Paint tone={w.auth ? 'good' : 'dim'} fixed>
            {authValue}
          </Paint>
          {sourceInline ? <Paint tone="dim">{`  ${w.authSource}`}</Paint> : null}
        </Box>
        {/* Why the auth mode is unknown (often an error naming auth.json): a line of its own. */}
        {sourceBelow ? (
          <Box paddingLeft={label + 3}>
            <Paint tone={w.auth ? 'dim' : 'warn'} wrap="wrap">
              {w.authSource}
            </Paint>
          </Box>
        ) : null}
        {w.rootError ? <ErrorLine error={w.rootError} /> : null}
        {w.fetching !== undefined ? <Paint tone="dim" wrap="truncate-end">{`  ${w.fetching}`}</Paint> : null}
        {offerFetch ? (
          <Box flexDirection="column" marginTop={1}>
            <Paint wrap="wrap">{`No codex source tree yet. Press f to fetch the source of the installed codex ${w.installed} (git tag rust-v${w.installed}, codex-rs only, once), or Enter on Source tree to type a path.`}</Paint>
            <Paint tone="dim" wrap="wrap">{`Or without source: codex-mitm scan --binary "$(command -v codex)" reads its hosts and URLs from the binary.`}</Paint>
          </Box>
        ) : null}
      </Box>
      <Box marginTop={1}>
        <Paint tone={w.focus === 2 ? 'bold' : 'plain'} inverse={w.focus === 2}>
          {`${w.focus === 2 ? '›' : ' '} Scan the source tree →`}
        </Paint>
      </Box>
      {w.error ? <ErrorLine error={w.error} /> : null}
    </Frame>
  );
}
