// 4. Choose: approach, auth mode and ports; defaults from the recommendation.
import React from 'react';
import { Box } from 'ink';
import type { Approach } from '../../model.js';
import { loadChannelRules } from '../../channels/rules.js';
import { APPROACH_SHORT } from '../../report/labels.js';
import { chooseFields, type ChooseField, type State } from '../state.js';
import { Paint, pad } from '../theme.js';
import { ErrorLine, Frame } from './frame.js';

/** The rules' label after the letter, as every reporter words it. */
const LABEL: Record<Approach, string> = Object.fromEntries(
  (['a', 'b', 'ca'] as const).map((k) => [k, `${APPROACH_SHORT[k].padEnd(3)}${loadChannelRules().approaches[k].label}`]),
) as Record<Approach, string>;
const AUTH_LABEL = { apikey: 'API key', chatgpt: 'ChatGPT sign-in' } as const;

/** Where the auth mode shown comes from: this screen, auth.json, or the API key assumed without one. */
function authHint(s: State): string {
  const { auth, authChosen } = s.choose;
  const found = s.where.auth;
  if (authChosen && auth !== found) return found ? `chosen here (auth.json says ${AUTH_LABEL[found]})` : 'chosen here';
  if (found) return 'from auth.json';
  return s.where.authSource === 'no auth.json' ? 'assumed (no auth.json): choose' : 'assumed (auth mode unknown): choose';
}

export function ChooseScreen({ s }: { s: State }) {
  const c = s.choose;
  const fields = chooseFields(c.approach);
  const focused: ChooseField = fields[Math.min(c.focus, fields.length - 1)]!;
  const rec = s.scan.result?.recommendation?.approach;
  const field = (f: ChooseField, name: string, value: string, hint: string) => {
    const on = focused === f;
    const editing = c.editing === f;
    const room = s.columns - 24 - (editing ? c.draft.length + 1 : value.length);
    return (
      <Box key={f}>
        <Paint tone={on ? 'bold' : 'plain'} fixed>{`${on ? '›' : ' '} ${pad(name, 22)}`}</Paint>
        {editing ? <Paint inverse tone="bold">{`${c.draft}█`}</Paint> : <Paint inverse={on}>{value}</Paint>}
        {/* The value stays whole: the hint beside it is cut to the room left, or left out. */}
        {room >= 12 ? <Paint tone="dim">{`  ${hint.length > room - 2 ? pad(hint, room - 2) : hint}`}</Paint> : null}
      </Box>
    );
  };
  const keys = c.editing
    ? `type ${c.editing === 'caFile' ? 'a file path (empty = default)' : 'a port'} · Enter accept · Esc cancel`
    : '↑↓ move · Enter choose · space select · 1/2/3 A/B/CA · Esc/b back · q quit';
  return (
    <Frame step={4} keys={keys} width={s.columns}>
      <Paint tone="bold">Approach</Paint>
      {c.options.map((o) => {
        const sel = o.approach === c.approach;
        const on = focused === o.approach;
        // the label is cut to the room the row has beside the mark and the recommendation badge
        const room = Math.max(20, s.columns - 6 - (o.approach === rec ? 15 : 0) - 1);
        const label = LABEL[o.approach].length > room ? `${LABEL[o.approach].slice(0, room - 1)}…` : LABEL[o.approach];
        return (
          <Box key={o.approach} flexDirection="column">
            <Box>
              <Paint tone={!o.ok ? 'dim' : on ? 'bold' : 'plain'} inverse={on} fixed>
                {`${on ? '›' : ' '} ${sel ? '(•)' : '( )'} ${label}`}
              </Paint>
              {o.approach === rec ? <Paint tone="good" fixed>{'  ★ recommended'}</Paint> : null}
            </Box>
            <Box paddingLeft={8}>
              <Paint tone={o.ok ? 'dim' : 'warn'} wrap="wrap">{`${o.ok ? '' : 'not available: '}${o.why}`}</Paint>
            </Box>
          </Box>
        );
      })}
      <Box marginTop={1} flexDirection="column">
        {fields.includes('auth') ? field('auth', 'Auth mode', AUTH_LABEL[c.auth], authHint(s)) : null}
        {fields.includes('modelPort') ? field('modelPort', 'Model API proxy port', c.modelPort, 'reverse proxy for the model API') : null}
        {fields.includes('backendPort') ? field('backendPort', 'Backend proxy port', c.backendPort, 'reverse proxy for chatgpt.com backend') : null}
        {fields.includes('proxyPort') ? field('proxyPort', 'Forward proxy port', c.proxyPort, 'mitmproxy listen port') : null}
        {fields.includes('caFile') ? field('caFile', 'CA certificate', c.caFile || '~/.mitmproxy/mitmproxy-ca-cert.pem', c.caFile ? 'PEM file' : 'default (mitmproxy creates it on first start)') : null}
        {c.approach === 'b' ? <Paint tone="dim">{`  patches Cargo.toml files under ${s.where.root}`}</Paint> : null}
      </Box>
      <Box marginTop={1}>
        <Paint tone={focused === 'continue' ? 'bold' : 'plain'} inverse={focused === 'continue'}>
          {`${focused === 'continue' ? '›' : ' '} Preview the changes →`}
        </Paint>
      </Box>
      <ErrorLine error={c.error} />
    </Frame>
  );
}
