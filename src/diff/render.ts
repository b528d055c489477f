// A ScanDiff for people (terminal), for docs (Markdown) and for machines (JSON).
import type { ScanDiff, SetChange } from './index.js';
import { unchanged } from './index.js';

const SECTIONS: [keyof ScanDiff, string][] = [
  ['hosts', 'Hosts'],
  ['urls', 'URLs'],
  ['paths', 'URL paths (appended to a base URL)'],
  ['envVars', 'Environment variables read'],
  ['configKeys', 'Config keys'],
  ['overrides', 'Overrides of contacted channels'],
  ['tlsRoots', 'TLS features and their roots'],
  ['reqwestFeatures', 'reqwest features of codex-cli'],
];

function title(d: ScanDiff): string {
  const side = (s: ScanDiff['a']) => (s.version && s.version !== '0.0.0' && !s.label.includes(s.version) ? `${s.label} (${s.version})` : s.label);
  return `${side(d.a)} → ${side(d.b)}`;
}

export function renderDiffText(d: ScanDiff): string {
  const out: string[] = [`codex-mitm diff: ${title(d)}`, ''];
  if (unchanged(d)) return `${out[0]}\nno differences in channels, hosts, URLs, env vars, config keys, overrides or TLS roots\n`;
  if (d.recommendation) out.push(`Recommendation: ${d.recommendation.from?.toUpperCase() ?? '—'} → ${d.recommendation.to?.toUpperCase() ?? '—'}`, '');
  const ch = d.channels;
  if (ch.added.length || ch.removed.length || ch.changed.length) {
    out.push('Channels');
    for (const c of ch.added) out.push(`  + ${c.name} (${c.hosts.join(', ') || 'no host'})`);
    for (const c of ch.removed) out.push(`  − ${c.name} (${c.hosts.join(', ') || 'no host'})`);
    for (const c of ch.changed) {
      out.push(`  ~ ${c.name}`);
      for (const w of c.what) out.push(`      ${w}`);
    }
    out.push('');
  }
  if (d.capabilities.length) {
    out.push('Capabilities');
    for (const c of d.capabilities) out.push(`  ~ ${c.name}: ${c.from} → ${c.to}`);
    out.push('');
  }
  for (const [key, name] of SECTIONS) {
    const s = d[key] as SetChange;
    if (!s.added.length && !s.removed.length) continue;
    out.push(`${name} (+${s.added.length} −${s.removed.length})`);
    for (const x of s.added) out.push(`  + ${x}`);
    for (const x of s.removed) out.push(`  − ${x}`);
    out.push('');
  }
  return out.join('\n');
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/`/g, "'");

/** `limit`: at most that many items per list (the rest counted), for docs. */
export function renderDiffMarkdown(d: ScanDiff, heading = '###', limit = Infinity): string {
  const out: string[] = [`${heading} ${md(title(d))}`, ''];
  if (unchanged(d)) return `${out.join('\n')}No differences.\n`;
  if (d.recommendation) out.push(`- Recommendation: ${d.recommendation.from?.toUpperCase() ?? '—'} → ${d.recommendation.to?.toUpperCase() ?? '—'}`);
  for (const c of d.channels.added) out.push(`- Channel added: ${md(c.name)} (${c.hosts.map((h) => `\`${h}\``).join(', ') || 'no host'})`);
  for (const c of d.channels.removed) out.push(`- Channel removed: ${md(c.name)} (${c.hosts.map((h) => `\`${h}\``).join(', ') || 'no host'})`);
  for (const c of d.channels.changed) out.push(`- ${md(c.name)}: ${c.what.map(md).join('; ')}`);
  for (const c of d.capabilities) out.push(`- ${c.name}: ${md(c.from)} → ${md(c.to)}`);
  for (const [key, name] of SECTIONS) {
    const s = d[key] as SetChange;
    if (!s.added.length && !s.removed.length) continue;
    const list = (xs: string[]) => xs.slice(0, limit).map((x) => `\`${md(x)}\``).join(', ') + (xs.length > limit ? ` and ${xs.length - limit} more` : '');
    out.push(`- ${name}: ${s.added.length ? `added ${list(s.added)}` : ''}${s.added.length && s.removed.length ? '; ' : ''}${s.removed.length ? `removed ${list(s.removed)}` : ''}`);
  }
  return out.join('\n') + '\n';
}

export function renderDiffJson(d: ScanDiff): string {
  return JSON.stringify(d, null, 2) + '\n';
}
