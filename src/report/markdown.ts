// Markdown: the full report, and the channel table that docs/channels.md embeds.
import type { Channel, Override, ScanResult } from '../model.js';
import { APPROACH_LABEL, captureHowTo, clientFlags, codexVersion, featureNotes, missLabel, platformNote, plural, seconds, shipped, shipsLabel, tracingBanner, tracingLine, warningText } from './labels.js';
import { byLocation, loc, uniqBy } from './style.js';
import { approachARules } from '../rules/files.js';

/** How many evidence sites a channel row lists before "+N more". */
const EVIDENCE_MAX = 6;

export function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const code = (s: string) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

function mdTable(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`),
  ];
}

export function overrideMd(overrides: Override[]): string {
  if (!overrides.length) return 'none';
  return uniqBy(overrides, (o) => `${o.kind} ${o.path ?? o.name}`)
    .map((o) => `${o.kind} ${code(o.path ?? o.name)}`)
    .join(', ');
}

function evidenceMd(ch: Channel): string {
  const sites = uniqBy(ch.evidence.slice().sort(byLocation), (e) => loc(e.file, e.line)).map((e) => code(loc(e.file, e.line)));
  if (sites.length <= EVIDENCE_MAX) return sites.join(', ');
  return `${sites.slice(0, EVIDENCE_MAX).join(', ')} +${sites.length - EVIDENCE_MAX} more`;
}

function defaultEndpoint(ch: Channel): string {
  if (ch.urls.length) return ch.urls.map(code).join(', ');
  if (ch.hosts.length) return ch.hosts.map(code).join(', ');
  return '-';
}

/** `channel | default endpoint | override (env / config / none) | A | B | CA | evidence` */
export function renderChannelTable(r: ScanResult): string {
  const rows = (r.channels ?? []).map((ch) => [
    mdCell(ch.name + (ch.unclassified && !/unclassified/i.test(ch.name) ? ' (unclassified)' : '')),
    mdCell(defaultEndpoint(ch)),
    mdCell(overrideMd(ch.overrides)),
    // links and codex's own listeners are listed, never fetched: no verdict to give
    ch.contacted === false ? 'n/a' : ch.coverage.a,
    ch.contacted === false ? 'n/a' : ch.coverage.b,
    ch.contacted === false ? 'n/a' : ch.coverage.ca + (platformNote(ch) ? ` (${platformNote(ch)})` : ''),
    mdCell(evidenceMd(ch)),
  ]);
  return mdTable(['channel', 'default endpoint', 'override (env / config / none)', 'A', 'B', 'CA', 'evidence'], rows).join('\n') + '\n';
}

export function renderMarkdown(r: ScanResult): string {
  const out: string[] = [];
  const version = codexVersion(r);
  out.push(`# codex-mitm scan${version ? ` of codex ${version}` : ''}`, '');
  out.push(`Root: ${code(r.root.replace(/\\/g, '/'))} · codex-mitm ${r.tool.version}`, '');

  const banner = r.tracing ? tracingBanner(r.tracing) : undefined;
  if (banner) out.push(`> **Warning.** ${mdCell(banner)}`, '');
  if (r.recommendation) {
    const rec = r.recommendation;
    const how = captureHowTo(r)!;
    out.push('## Recommendation', '', `**Approach ${APPROACH_LABEL[rec.approach] ?? rec.approach}.** ${how.sentence}`, '');
    if (how.misses.length) out.push('It misses:', '', ...how.misses.map((m) => `- ${mdCell(m)}`), '');
    if (how.next.length) out.push('Next:', '', '```sh', ...how.next.map((n) => (n.startsWith('then ') ? `# ${n}` : n)), '```', '');
    out.push(`Why this approach: ${rec.reason}`, '');
  }
  if (r.capabilities) {
    const cap = r.capabilities;
    const yn = (b: boolean) => (b ? 'yes' : 'no');
    out.push('## What this tree can do', '');
    const { model_api: api, ca } = approachARules();
    out.push(`- ${code(api.config_key)} config key: ${yn(cap.openaiBaseUrlKey)}`);
    out.push(`- ${code(api.env_var)} read from the environment: ${yn(cap.openaiBaseUrlEnv)}`);
    out.push(`- custom CA env: ${cap.customCaEnv.length ? cap.customCaEnv.map(code).join(', ') : 'none'}`);
    out.push(`- CLI reqwest TLS: ${cap.nativeTlsDefault ? `native-tls by default (OS store, ${code(ca.fallback_env)})` : 'rustls by default'}`);
    if (cap.reqwestFeatures.length) out.push(`- CLI reqwest features: ${cap.reqwestFeatures.map(code).join(', ')}`);
    if (cap.proxyEnv?.length) out.push(`- proxy env read by codex itself: ${cap.proxyEnv.map(code).join(', ')}`);
    if (cap.systemProxy) out.push(`- system proxy option: ${code(cap.systemProxy.key)} (${code(loc(cap.systemProxy.file, cap.systemProxy.line))}): when on, system / PAC settings come before \`HTTPS_PROXY\``);
    if (r.tracing) out.push(`- tracing (${r.tracing.level}): ${mdCell(tracingLine(r.tracing))}`);
    out.push('');
  }
  if (r.channels) {
    out.push('## Channels', '', renderChannelTable(r));
    const why = r.channels.filter((ch) => ch.why.a.length || ch.why.b.length || ch.why.ca.length || ch.tls);
    if (why.length) {
      out.push('### Why', '');
      for (const ch of why) {
        out.push(`- **${mdCell(ch.name)}**${ch.tls ? ` (TLS: ${ch.tls})` : ''}`);
        for (const [k, label] of [['a', 'A'], ['b', 'B'], ['ca', 'CA']] as const) {
          for (const reason of ch.why[k]) out.push(`  - ${label} ${ch.coverage[k]}: ${reason}`);
        }
      }
      out.push('');
    }
  }

  out.push(`## Clients (${r.clients.length})`, '');
  if (r.clients.length) {
    out.push(
      ...mdTable(
        ['at', 'crate', 'constructor', 'TLS / proxy', 'test'],
        r.clients
          .slice()
          .sort(byLocation)
          .map((c) => [code(loc(c.file, c.line)), mdCell(c.crate), code(c.constructor), mdCell(clientFlags(c).join(', ')), yesNo(c.test)]),
      ),
      '',
    );
  } else out.push('None.', '');

  out.push(`## TLS features (${r.tlsFeatures.length})`, '');
  if (r.tlsFeatures.length) {
    out.push(
      ...mdTable(
        ['manifest', 'dependency', 'feature', 'roots', 'ships', 'table', 'notes'],
        r.tlsFeatures
          .slice()
          .sort((a, b) => Number(!shipped(a)) - Number(!shipped(b)) || byLocation(a, b))
          .map((t) => [
            code(t.implicit ? t.manifest : loc(t.manifest, t.line)),
            code(t.dependency),
            code(t.feature),
            t.roots,
            shipsLabel(t),
            code(t.table),
            mdCell(featureNotes(t).join(', ')),
          ]),
      ),
      '',
    );
  } else out.push('None.', '');
  if (r.lockedWebpki?.length) {
    out.push('Cargo.lock pulls `webpki-roots` through:', '');
    for (const lw of r.lockedWebpki) out.push(`- ${code(`${lw.package} ${lw.version}`)}: ${lw.reason}`);
    out.push('');
  }

  out.push(`## Endpoints (${r.endpoints.length})`, '');
  if (r.endpoints.length) {
    out.push(
      ...mdTable(
        ['host', 'url', 'symbol', 'at', 'overrides', 'test'],
        r.endpoints
          .slice()
          .sort(byLocation)
          .map((e) => [
            code(e.host),
            code(e.url),
            e.symbol ? code(e.symbol) : '',
            code(loc(e.file, e.line)),
            mdCell(e.overrides.map((o) => `${o.kind} ${code(o.path ?? o.name)} (${code(loc(o.file, o.line))})`).join(', ')),
            yesNo(e.test),
          ]),
      ),
      '',
    );
  } else out.push('None.', '');

  out.push(`## Env vars (${r.envVars.length})`, '');
  if (r.envVars.length) {
    out.push(
      ...mdTable(
        ['name', 'via', 'at', 'crate', 'test'],
        r.envVars
          .slice()
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : byLocation(a, b)))
          .map((e) => [code(e.name), e.via === 'literal' ? 'literal' : code(e.via), code(loc(e.file, e.line)), mdCell(e.crate), yesNo(e.test)]),
      ),
      '',
    );
  } else out.push('None.', '');

  out.push(`## Config keys (${r.configKeys.length})`, '');
  if (r.configKeys.length) {
    out.push(
      ...mdTable(
        ['key', 'struct', 'type', 'at', 'test'],
        r.configKeys
          .slice()
          .sort(byLocation)
          .map((k) => [code(k.key), code(k.struct), k.type ? code(k.type) : '', code(loc(k.file, k.line)), yesNo(k.test)]),
      ),
      '',
    );
  } else out.push('None.', '');

  const s = r.summary;
  out.push('## Summary', '');
  out.push(
    `Scanned ${plural(s.rustFiles, '.rs file')}, ${plural(s.manifests, 'manifest')}, ${plural(s.crates, 'crate')} in ` +
      `${seconds(s.durationMs)}: ${plural(s.parseErrors, 'parse error')}, ${plural(s.warnings.length, 'warning')}.`,
    '',
  );
  for (const w of s.warnings) out.push(`- ${w.file ? `${code(loc(w.file, w.line))}: ` : ''}${mdCell(warningText(w))} (${w.kind})`);
  if (s.warnings.length) out.push('');
  return out.join('\n');
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
