// Renderers for a verify report: a table for people, Markdown for docs, JSON for machines.
import type { VerifyReport } from './index.js';
import type { Observation, Route } from './observe.js';
import { layout, wrap } from '../report/style.js';

const ROUTE_TEXT: Record<Route, string> = {
  reverse: 'reverse listener',
  intercepted: 'forward proxy, TLS intercepted',
  refused: 'forward proxy, TLS refused',
  escaped: 'went around the proxy',
  'not-seen': 'not seen',
};

const ROUTE_ORDER: Route[] = ['reverse', 'intercepted', 'refused', 'escaped', 'not-seen'];

function sorted(observations: Observation[]): Observation[] {
  return [...observations].sort(
    (a, b) =>
      ROUTE_ORDER.indexOf(a.route) - ROUTE_ORDER.indexOf(b.route) ||
      a.host.localeCompare(b.host) ||
      a.path.localeCompare(b.path) ||
      a.method.localeCompare(b.method),
  );
}

function routeText(o: Observation): string {
  let text = ROUTE_TEXT[o.route];
  if (o.route === 'intercepted' && o.scheme === 'http') text = 'forward proxy, plain HTTP';
  if (o.error) text += ` (${o.error})`;
  return text;
}

function extras(o: Observation): string {
  const parts: string[] = [];
  if (o.upgrade) parts.push(`[upgrade: ${o.upgrade}]`);
  if (o.count > 1) parts.push(`(x${o.count})`);
  return parts.join(' ');
}

function pathText(o: Observation): string {
  return [o.path, extras(o)].filter(Boolean).join(' ');
}

/** Loopback ports change every run: docs show them as PORT. */
function stablePorts(text: string): string {
  return text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
}

function channelText(o: Observation): string {
  if (o.channel) return o.channel;
  if (o.candidates?.length) return `one of ${o.candidates.join(', ')}`;
  return '-';
}

/** codex made no request and opened no connection at all (it failed early, or hung). */
export function nothingSeen(r: VerifyReport): boolean {
  return r.observations.every((o) => o.route === 'not-seen');
}

function header(r: VerifyReport): string {
  const version = r.codex.version ? `codex-cli ${r.codex.version}` : r.codex.versionText || 'codex (version unknown)';
  const ca = r.approach === 'ca' ? `, CA env ${r.caEnv}` : '';
  return `${version}, approach ${r.approach}${ca}, auth ${r.auth}`;
}

function outcome(r: VerifyReport): string {
  const c = r.codex;
  const how = c.timedOut ? 'stopped at the timeout' : c.signal ? `ended by ${c.signal}` : `exited with ${c.exitCode}`;
  return `codex ${how}; ${r.observations.filter((o) => o.route !== 'not-seen').length} distinct requests/connections seen`;
}

/** The table for people; `width` (the terminal's columns) shortens the wide columns to fit, and
 *  TLS errors go below the table, one line each, instead of widening it. */
export function renderTable(r: VerifyReport, width?: number): string {
  const obs = sorted(r.observations);
  const rows = obs.map((o) => [o.host, o.method, pathText(o), ROUTE_TEXT[o.route] + (o.route === 'intercepted' && o.scheme === 'http' ? ' (plain HTTP)' : ''), channelText(o), o.predicted ?? '']);
  // the approach is in the first line; the column says what it predicts
  const head = ['HOST', 'METHOD', 'PATH', 'ROUTE', 'CHANNEL', r.root ? 'PREDICTED' : ''];
  const out: string[] = [`codex-mitm verify: ${header(r)}`];
  const w = width ?? 10_000;
  // `env A/B/C=value` as words a narrow terminal can wrap between
  for (const s of r.settings) out.push(...wrap(s.replace(/^env ([A-Za-z0-9_/]+)=/, (_m, names: string) => `env ${names.split('/').join(' ')} = `), w, '  ', '    '));
  for (const n of r.notes) out.push(...wrap(`note: ${n}`, w, '  ', '    '));
  out.push('');
  if (rows.length === 0) out.push('No request reached any listener.');
  else {
    out.push(...layout(head, rows, { width: width ?? 10_000, indent: 0, color: false, shrink: [2, 4, 0, 3], minWidths: [12, 7, 12, 18, 12, 7] }));
    const errors = obs.filter((o) => o.error);
    if (errors.length) {
      out.push('');
      for (const o of errors) out.push(...wrap(`${o.host} ${o.method}${o.path ? ` ${o.path}` : ''}: ${o.error}`, width ?? 10_000, '  ! ', '    '));
    }
  }
  out.push('', outcome(r));
  if (nothingSeen(r) && r.codex.stderrTail.trim()) {
    out.push('codex said (last lines of its stderr):', ...r.codex.stderrTail.trimEnd().split('\n').map((l) => `  ${l}`));
  }
  if (r.approach === 'b') {
    out.push(
      'note: verify does not rebuild codex or touch the OS store, so with approach b the run CA is not trusted and refusals are expected; the PREDICTED column is for a rebuilt codex with the CA installed.',
    );
  }
  if (r.failures.length > 0) {
    out.push(`FAIL: ${r.failures.length} channel(s) predicted as captured were refused:`);
    for (const f of r.failures) out.push(`  ${f.channel} (${f.host}): ${f.error ?? 'TLS refused'}`);
  }
  return out.join('\n') + '\n';
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function renderMarkdown(r: VerifyReport): string {
  const out: string[] = [`### ${header(r)} (${r.date.slice(0, 10)})`, ''];
  out.push(`Ran \`codex exec --skip-git-repo-check\` offline against loopback listeners; ${outcome(r)}.`, '');
  out.push('Set for the run:', '');
  for (const s of r.settings.map(stablePorts)) out.push(`- ${s.replace(/^(config\.toml: |env |auth\.json: )(.*)$/, (_m, a: string, b: string) => `${a}\`${b}\``)}`);
  for (const n of r.notes.filter((n) => !n.startsWith('config copied') && !n.startsWith('no user config'))) out.push(`- ${n}`);
  out.push('');
  const predicted = Boolean(r.root);
  out.push(
    `| host | method | path | route | channel |${predicted ? ` predicted (${r.approach}) |` : ''}`,
    `| --- | --- | --- | --- | --- |${predicted ? ' --- |' : ''}`,
  );
  for (const o of sorted(r.observations)) {
    const path = [o.path ? `\`${o.path}\`` : '', extras(o)].filter(Boolean).join(' ');
    const cells = [o.host, o.method, path, routeText(o), channelText(o)];
    if (predicted) cells.push(o.predicted ?? '');
    out.push(`| ${cells.map(md).join(' | ')} |`);
  }
  if (r.observations.length === 0) out.push(`| (nothing seen) | | | | |${predicted ? ' |' : ''}`);
  out.push('');
  return out.join('\n');
}

export function renderJson(r: VerifyReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
