// 2. Scan: progress while the scanner runs, then what it found.
import React from 'react';
import { Box } from 'ink';
import type { ScanResult } from '../../model.js';
import { tracingBanner } from '../../report/labels.js';
import { webpkiManifests } from '../webpki.js';
import type { State } from '../state.js';
import { Paint, pad } from '../theme.js';
import { ErrorLine, Frame } from './frame.js';

export function summaryRows(r: ScanResult): [string, string][] {
  const channels = r.channels ?? [];
  const webpki = webpkiManifests(r);
  const local = webpki.local.length ? `; ${webpki.local.length} local only, left alone (${webpki.local.join(', ')})` : '';
  const overrides = new Set(channels.flatMap((c) => c.overrides.map((o) => `${o.kind}:${o.name}`)));
  const prod = r.clients.filter((c) => !c.test);
  return [
    ['codex version', r.capabilities?.version ?? 'unknown'],
    ['channels found', String(channels.length)],
    ['clients', `${prod.length} (${r.clients.length - prod.length} in test code)`],
    // Only the manifests approach B switches count; webpki roots that never reach the network are named apart.
    ['webpki to patch', `${webpki.network.length}${webpki.network.length ? ` (${webpki.network.join(', ')})` : ''}${local}`],
    ['overrides', overrides.size ? `${overrides.size} (${[...overrides].map((o) => o.split(':')[1]).join(', ')})` : '0'],
    ['files', `${r.summary.rustFiles} Rust, ${r.summary.manifests} manifests, ${r.summary.parseErrors} parse errors`],
    ...(r.tracing
      ? ([['traced', `${r.tracing.endpoints.traced} of ${r.tracing.endpoints.total} endpoints to a client, ${r.tracing.factories} factories (${r.tracing.level})`]] as [string, string][])
      : []),
  ];
}

function bar(done: number, total: number, width: number): string {
  const w = Math.max(10, width);
  const filled = total > 0 ? Math.round((done / total) * w) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(w - filled)}]`;
}

export function ScanScreen({ s }: { s: State }) {
  const sc = s.scan;
  const keys =
    sc.status === 'done'
      ? 'Enter channels · Esc/b back · q quit'
      : sc.status === 'error'
        ? 'r retry · Esc/b back · q quit'
        : 'Esc/b back · q quit';
  return (
    <Frame step={2} keys={keys} width={s.columns}>
      <Paint tone="dim">{s.where.root}</Paint>
      {sc.status === 'running' ? (
        <Box marginTop={1}>
          <Paint>{`${bar(sc.done, sc.total, Math.min(40, s.columns - 30))} `}</Paint>
          <Paint>{sc.total ? `${sc.done}/${sc.total} files parsed` : 'finding files…'}</Paint>
        </Box>
      ) : null}
      {sc.status === 'error' ? (
        <Box marginTop={1} flexDirection="column">
          <Paint tone="bad">scan failed, nothing was written:</Paint>
          <ErrorLine error={sc.error} />
        </Box>
      ) : null}
      {sc.status === 'done' && sc.result ? (
        <Box marginTop={1} flexDirection="column">
          <Paint tone="good">{`✓ scanned in ${Math.round(sc.result.summary.durationMs)} ms`}</Paint>
          {sc.result.tracing && tracingBanner(sc.result.tracing) ? (
            <Paint tone="warn" wrap="wrap">{`! ${tracingBanner(sc.result.tracing)}`}</Paint>
          ) : null}
          {summaryRows(sc.result).map(([k, v]) => (
            <Box key={k}>
              <Paint fixed>{`  ${pad(k, 18)}`}</Paint>
              <Paint tone="bold" wrap="wrap">{v}</Paint>
            </Box>
          ))}
        </Box>
      ) : null}
    </Frame>
  );
}
