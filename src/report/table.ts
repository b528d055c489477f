// Terminal report: recommendation and channel coverage first, then the facts behind them.
import type { ConfigKey, EnvVar, ScanResult, TlsFeature, Verdict } from '../model.js';
import { APPROACH_LABEL, captureHowTo, clientFlags, codexVersion, featureNotes, missLabel, platformLetters, platformNote, plural, seconds, shipped, shipsLabel, tracingBanner, tracingLine, warningText } from './labels.js';
import { byLocation, layout, loc, overrideLabel, paint, uniqBy, VERDICT_GLYPH, verdictCell, wrap, type Cell } from './style.js';
import { approachARules } from '../rules/files.js';

export interface TableOptions {
  color: boolean;
  includeTests: boolean;
  width?: number;
}

export function renderTable(r: ScanResult, opts: TableOptions): string {
  const w = Math.max(60, opts.width ?? 100);
  const c = opts.color;
  const keep = <T extends { test: boolean }>(xs: T[]) => (opts.includeTests ? xs : xs.filter((x) => !x.test));
  const testMark = (t: boolean) => (t ? ' (test)' : '');
  const out: string[] = [];
  const section = (title: string, count?: number) => {
    out.push('', paint(count === undefined ? title : `${title} (${count})`, 'head', c));
  };

  const version = codexVersion(r);
  out.push(paint(`codex-mitm ${r.tool.version}`, 'bold', c) + ` — ${r.root} (${version ? `codex ${version}` : 'codex version unknown: the workspace says 0.0.0 or nothing, as development trees do'})`);

  // When the scan did not follow this tree's client code, that comes first.
  const banner = r.tracing ? tracingBanner(r.tracing) : undefined;
  if (banner) {
    out.push('');
    for (const l of wrap(banner, w, '! ', '  ')) out.push(paint(l, 'warn', c));
  }

  // Recommendation: how to capture this codex, in plain words, and the next command; the scoring
  // behind it is in the Why section
  const how = captureHowTo(r);
  if (r.recommendation && how) {
    const rec = r.recommendation;
    section('Recommendation');
    for (const l of wrap(`Approach ${APPROACH_LABEL[rec.approach] ?? rec.approach}`, w, '  ', '    ')) out.push(paint(l, 'bold', c));
    out.push(...wrap(how.sentence, w, '  '));
    if (how.misses.length) {
      out.push(`  ${paint('It misses:', 'warn', c)}`);
      for (const m of how.misses) out.push(...wrap(m, w, '    - ', '      '));
    }
    if (how.next.length) {
      out.push(`  ${paint('Next:', 'bold', c)}`);
      for (const n of how.next) out.push(...wrap(n, w, '    ', '      '));
    }
  }
  if (r.capabilities) {
    const cap = r.capabilities;
    const yn = (b: boolean) => (b ? 'yes' : 'no');
    section('What this tree can do');
    const { model_api: api, ca } = approachARules();
    const facts = [
      `${api.config_key} config key: ${yn(cap.openaiBaseUrlKey)}`,
      `${api.env_var} read from env: ${yn(cap.openaiBaseUrlEnv)}`,
      `custom CA env: ${cap.customCaEnv.length ? cap.customCaEnv.join(', ') : `none${cap.nativeTlsDefault ? ` (${ca.fallback_env} still reaches native-tls through OpenSSL, on Linux only)` : ''}`}`,
      `CLI reqwest TLS: ${cap.nativeTlsDefault ? `native-tls by default (OS store, ${ca.fallback_env})` : 'rustls by default'}`,
    ];
    for (const f of facts) out.push(...wrap(f, w, '  ', '    '));
    if (cap.reqwestFeatures.length) out.push(...wrap(`CLI reqwest features: ${cap.reqwestFeatures.join(', ')}`, w, '  ', '    '));
    if (cap.proxyEnv?.length) out.push(...wrap(`proxy env read by codex itself: ${cap.proxyEnv.join(', ')}`, w, '  ', '    '));
    if (cap.systemProxy)
      out.push(...wrap(`system proxy option: ${cap.systemProxy.key} (${loc(cap.systemProxy.file, cap.systemProxy.line)}): when on, system / PAC settings come before HTTPS_PROXY`, w, '  ', '    '));
    if (r.tracing) out.push(...wrap(`Tracing (${r.tracing.level}): ${tracingLine(r.tracing)}`, w, '  ', '    '));
  }

  // Channels: a compact table (fits 80 columns), then per channel its overrides and the reasons.
  if (r.channels) {
    section('Channels', r.channels.length);
    const AUTH: Record<string, string> = { apikey: 'API key', chatgpt: 'ChatGPT', any: 'any' };
    const rows: (string | Cell)[][] = r.channels.map((ch) => [
      (ch.unclassified ? '* ' : '') + ch.name,
      AUTH[ch.authMode] ?? ch.authMode,
      ch.contacted ? verdictCell(ch.coverage.a) : '·',
      ch.contacted ? verdictCell(ch.coverage.b) : '·',
      ch.contacted ? { ...verdictCell(ch.coverage.ca), text: verdictCell(ch.coverage.ca).text + platformLetters(ch) } : '·',
      ch.hosts.join(', ') || '-',
    ]);
    out.push(...layout(['channel', 'auth', 'A', 'B', 'CA', 'hosts'], rows, { width: w, color: c, shrink: [0, 5], minWidths: [30, 7, 1, 1, 3, 14] }));
    const legend = (['yes', 'partial', 'no', 'unknown'] as Verdict[]).map((v) => `${VERDICT_GLYPH[v]} ${v}`).join('  ');
    out.push(paint(`  ${legend}  · not contacted`, 'dim', c));
    if (r.channels.some((ch) => platformLetters(ch))) out.push(paint('  CA ~L: fully captured only on the platforms named (L Linux, M macOS, W Windows); Why says per platform', 'dim', c));
    if (r.channels.some((ch) => ch.unclassified)) out.push(paint('  * no rule in rules/channels.toml names this host', 'dim', c));

    section('Why (per channel: overrides, then the reasons for A / B / CA)');
    if (r.recommendation) out.push(...wrap(`Why approach ${r.recommendation.approach.toUpperCase()}: ${r.recommendation.reason}`, w, '  ', '    '));
    for (const ch of r.channels.filter((x) => x.contacted)) {
      out.push(paint(`  ${ch.name}`, 'bold', c));
      const ov = ch.overrides.length ? uniqBy(ch.overrides, overrideLabel).map((o) => `${overrideLabel(o)} (${o.file}:${o.line})`).join(', ') : 'none';
      out.push(...wrap(`override: ${ov}`, w, '    ', '      '));
      // the verdict's own reason, then the fact it rests on (client, feature, manifest line),
      // each fact once per channel: B and CA often rest on the same one
      const facts = new Set<string>();
      for (const a of ['a', 'b', 'ca'] as const) {
        const [reason, fact] = ch.why[a];
        const glyph = VERDICT_GLYPH[ch.coverage[a]];
        const per = a === 'ca' ? platformNote(ch) : undefined;
        if (reason !== undefined) out.push(...wrap(`${a.toUpperCase().padEnd(2)} ${glyph} ${per ? `(${per}) ` : ''}${reason}`, w, '    ', '         '));
        if (fact !== undefined && !facts.has(fact)) {
          facts.add(fact);
          out.push(...wrap(fact, w, '         ', '         '));
        }
      }
    }
  }

  // Clients
  const clients = keep(r.clients).slice().sort(byLocation);
  section('Clients', clients.length);
  if (clients.length) {
    const rows = clients.map((cl) => [loc(cl.file, cl.line) + testMark(cl.test), cl.constructor, clientFlags(cl, true).join(', ') || '-']);
    const lines = layout(['at', 'constructor', 'TLS / proxy'], rows, {
      width: w,
      color: c,
      shrink: [2, 1, 0],
      minWidths: [24, 20, 16],
      keepEnd: [0],
    });
    out.push(lines[0]);
    clients.forEach((cl, i) => {
      out.push(lines[i + 1]);
      if (cl.tls.customCaEnv.length) out.push(...wrap(`roots added from env ${cl.tls.customCaEnv.join(', ')}`, w, '      ↳ ', '        '));
    });
    if (clients.some((cl) => cl.conditionalCalls?.length || cl.fallback)) {
      for (const l of wrap('? only under a condition (if / match / closure); fallback: built only when the configured client fails', w, '  ')) out.push(paint(l, 'dim', c));
    }
  } else out.push('  none');

  // TLS features, grouped by manifest and table: line | dependency | feature | roots | notes
  const tableRank = (t: TlsFeature) => ['shipped', 'workspace', 'dev'].indexOf(shipsLabel(t));
  const feats = r.tlsFeatures
    .slice()
    .sort((a, b) => byLocation({ file: a.manifest }, { file: b.manifest }) || tableRank(a) - tableRank(b) || cmp(a.table, b.table) || a.line - b.line);
  section('TLS features', feats.length);
  if (feats.length) {
    const rows: (string | Cell)[][] = feats.map((t) => {
      const notes = featureNotes(t, true);
      if (t.test && !/dev-dependencies$/.test(t.table)) notes.unshift('dev only');
      return [
        String(t.line),
        t.dependency,
        t.feature,
        { text: t.roots, tone: t.roots === 'webpki' && shipped(t) ? 'warn' : 'plain' },
        notes.join(', '),
      ];
    });
    const lines = layout(['line', 'dependency', 'feature', 'roots', 'notes'], rows, {
      width: w,
      indent: 4,
      color: c,
      shrink: [4, 2, 1],
      minWidths: [0, 12, 22, 0, 19],
    });
    out.push(lines[0]);
    feats.forEach((t, i) => {
      const prev = feats[i - 1];
      if (!prev || prev.manifest !== t.manifest || prev.table !== t.table) {
        const ships = shipsLabel(t);
        const head = `${t.manifest} [${t.table}]`;
        const tail = [t.crate, ships === 'shipped' ? '' : ships === 'dev' ? 'dev only' : 'template'].filter(Boolean).join(', ');
        out.push(`  ${paint(head, ships === 'dev' ? 'dim' : 'bold', c)}${tail ? paint(` (${tail})`, 'dim', c) : ''}`);
      }
      out.push(lines[i + 1]);
    });
  } else out.push('  none');
  if (r.lockedWebpki?.length) {
    out.push(`  ${paint('Cargo.lock pulls webpki-roots through:', 'bold', c)}`);
    for (const lw of r.lockedWebpki) out.push(...wrap(`${lw.package} ${lw.version}: ${lw.reason}`, w, '    - ', '      '));
  }

  // Endpoints
  const eps = keep(r.endpoints)
    .slice()
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : byLocation(a, b)));
  section('Endpoints', eps.length);
  if (eps.length) {
    // grouped by host: a host line, then url | symbol | at rows, each with its overrides below
    const rows = eps.map((e) => [e.url, e.symbol ?? '-', loc(e.file, e.line) + testMark(e.test)]);
    const lines = layout(['url', 'symbol', 'at'], rows, {
      width: w,
      indent: 4,
      color: c,
      shrink: [1, 2, 0],
      minWidths: [28, 10, 30],
      keepEnd: [2],
    });
    out.push(lines[0]);
    eps.forEach((e, i) => {
      if (i === 0 || eps[i - 1].host !== e.host) out.push(`  ${paint(e.host, 'bold', c)}`);
      out.push(lines[i + 1]);
      for (const o of e.overrides) out.push(...wrap(`override ${overrideLabel(o)} (${loc(o.file, o.line)})`, w, '      ↳ ', '        '));
    });
  } else out.push('  none');

  // Env vars and config keys: one row per name, first sites listed.
  const sites = (xs: (EnvVar | ConfigKey)[]) => {
    const s = uniqBy(xs.slice().sort(byLocation), (x) => loc(x.file, x.line));
    const first = s.slice(0, 2).map((x) => loc(x.file, x.line) + testMark(x.test));
    return s.length > 2 ? `${first.join(', ')} +${s.length - 2}` : first.join(', ');
  };
  const envs = group(keep(r.envVars), (e) => e.name);
  out.push('', paint(`Env vars (${envs.length} names, ${keep(r.envVars).length} reads)`, 'head', c));
  if (envs.length) {
    const rows = envs.map(([name, xs]) => [name, uniqBy(xs, (x) => x.via).map((x) => x.via).join(', '), sites(xs)]);
    out.push(...layout(['name', 'via', 'read at'], rows, { width: w, color: c, shrink: [1, 2, 0], minWidths: [28, 12, 24], keepEnd: [2] }));
  } else out.push('  none');

  const keys = group(keep(r.configKeys), (k) => `${k.struct}.${k.key}`);
  section('Config keys', keys.length);
  if (keys.length) {
    const rows = keys.map(([, xs]) => [xs[0].key, xs[0].struct, xs[0].type ?? '', sites(xs)]);
    out.push(...layout(['key', 'struct', 'type', 'declared at'], rows, { width: w, color: c, shrink: [2, 1, 3, 0], minWidths: [24, 12, 10, 22], keepEnd: [3] }));
  } else out.push('  none');

  // Summary
  const s = r.summary;
  const hidden = opts.includeTests
    ? 0
    : [r.clients, r.endpoints, r.envVars, r.configKeys].reduce((n, xs) => n + xs.filter((x) => x.test).length, 0);
  out.push('');
  const parts = [
    plural(s.rustFiles, '.rs file'),
    plural(s.manifests, 'manifest'),
    plural(s.crates, 'crate'),
    plural(s.parseErrors, 'parse error'),
    plural(s.warnings.length, 'warning'),
  ];
  const cached = s.cached ? `, ${s.cached} from cache` : '';
  out.push(...wrap(`Scanned ${parts.join(', ')} in ${seconds(s.durationMs)}${cached}.`, w, '', ''));
  if (hidden) out.push(paint(`${plural(hidden, 'finding')} in test code hidden (--include-tests shows them).`, 'dim', c));
  for (const wn of s.warnings) {
    const where = wn.file ? `${loc(wn.file, wn.line)}: ` : '';
    out.push(...wrap(`${paint('warning', 'warn', c)} ${where}${warningText(wn)} [${wn.kind}]`, w, '  ', '    '));
  }
  return out.join('\n') + '\n';
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function group<T>(xs: T[], key: (x: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
