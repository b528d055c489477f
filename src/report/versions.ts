// The versions table of docs/channels.md: one row per scanned codex version (scan --json files).
import type { ScanResult, Verdict } from '../model.js';
import { diffScans } from '../diff/index.js';
import { renderDiffMarkdown } from '../diff/render.js';
import { shipped } from './labels.js';
import { versionKey } from '../util/versions.js';
import { mdCell } from './markdown.js';
import { approachARules } from '../rules/files.js';

export interface VersionScan {
  /** Row label; defaults to capabilities.version. */
  label?: string;
  result: ScanResult;
}

const code = (s: string) => `\`${s}\``;

function label(v: VersionScan): string {
  const ver = v.result.capabilities?.version;
  return v.label ?? (ver && ver !== '0.0.0' ? ver : v.result.root.replace(/\\/g, '/'));
}


function compareLabels(a: string, b: string): number {
  const ka = versionKey(a);
  const kb = versionKey(b);
  if (ka && kb) return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  if (ka) return -1;
  if (kb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function count(r: ScanResult, k: 'a' | 'b' | 'ca'): string {
  // links and codex's own loopback listeners are listed but never contacted: they are not counted
  const chs = (r.channels ?? []).filter((c) => c.contacted !== false);
  const n = (v: Verdict) => chs.filter((c) => c.coverage[k] === v).length;
  const partial = n('partial');
  return `${n('yes')}/${chs.length}${partial ? ` (+${partial} partial)` : ''}`;
}

/** `codex | files | OPENAI_BASE_URL env | openai_base_url key | custom CA env | CLI TLS | reqwest webpki roots (shipped) | channels A · B · CA | endpoints traced | recommended` */
export function renderVersionsTable(scans: VersionScan[]): string {
  const rows = scans
    .map((v) => ({ v, l: label(v) }))
    .sort((x, y) => compareLabels(x.l, y.l))
    .map(({ v, l }) => {
      const r = v.result;
      const cap = r.capabilities;
      const yn = (b: boolean | undefined) => (b === undefined ? '?' : b ? 'yes' : 'no');
      const webpki = [
        ...new Set(r.tlsFeatures.filter((t) => t.dependency === 'reqwest' && t.roots === 'webpki' && shipped(t)).map((t) => t.manifest)),
      ].sort();
      return [
        mdCell(l),
        String(r.summary.rustFiles),
        yn(cap?.openaiBaseUrlEnv),
        yn(cap?.openaiBaseUrlKey),
        cap ? (cap.customCaEnv.length ? cap.customCaEnv.map(code).join(', ') : 'none') : '?',
        cap ? (cap.nativeTlsDefault ? 'native-tls' : 'rustls') : '?',
        webpki.length ? `${webpki.length}: ${webpki.map((m) => code(m.replace(/\/?Cargo\.toml$/, '') || '.')).join(', ')}` : '0',
        `${count(r, 'a')} · ${count(r, 'b')} · ${count(r, 'ca')}`,
        r.tracing ? `${r.tracing.endpoints.traced}/${r.tracing.endpoints.total} (${r.tracing.level})` : '?',
        r.recommendation ? r.recommendation.approach.toUpperCase() : '?',
      ];
    });
  const api = approachARules().model_api;
  const header = [
    'codex',
    '.rs files',
    `\`${api.env_var}\` env`,
    `\`${api.config_key}\` key`,
    'custom CA env',
    'CLI TLS',
    'reqwest webpki roots (shipped)',
    'channels captured A · B · CA',
    'endpoints traced',
    'recommended',
  ];
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n') + '\n';
}

/** "What changed" between consecutive versions of the table (rows labelled by a version only:
 *  a development tree has no place in the sequence), newest last. */
export function renderVersionChanges(scans: VersionScan[], limit = 12): string {
  const ordered = scans
    .map((v) => ({ v, l: label(v) }))
    .filter(({ l }) => versionKey(l))
    .sort((x, y) => compareLabels(x.l, y.l));
  const out: string[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1]!;
    const b = ordered[i]!;
    out.push(renderDiffMarkdown(diffScans(a.v.result, b.v.result, { a: a.l, b: b.l }), '###', limit).trimEnd());
  }
  return out.join('\n\n');
}
