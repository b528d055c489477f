// The exact mitmproxy commands to run (bound to loopback), and what a scanned tree says stays
// uncaptured.
import { join } from 'node:path';
import type { Channel } from '../../model.js';
import { compareVersions } from '../../util/versions.js';
import { shQuote } from './envfile.js';
import { homeRules } from './rules.js';

export interface ProxyCommand {
  id: string;
  /** `reverse:https://api.openai.com/` or `regular`. */
  mode: string;
  host: string;
  port: number;
  flow: string;
  command: string;
}

export function proxyCommands(
  approach: 'a' | 'ca',
  o: {
    home: string;
    host: string;
    modelPort: number;
    backendPort: number;
    proxyPort: number;
    auth: 'apikey' | 'chatgpt';
    confdir?: string;
    /** Upstream origins the user had configured instead of the defaults (per port: model / backend). */
    upstreams?: Partial<Record<'model' | 'backend', string>>;
  },
): ProxyCommand[] {
  const r = homeRules();
  const flows = join(o.home, r.files.flows_dir);
  if (approach === 'ca') {
    const flow = join(flows, r.forward.flow);
    return [
      {
        id: r.forward.id,
        mode: 'regular',
        host: o.host,
        port: o.proxyPort,
        flow,
        // a CA outside ~/.mitmproxy: mitmproxy must sign with that CA's key, from that folder
        command: saving(`mitmdump${o.confdir ? ` --set confdir=${shQuote(o.confdir)}` : ''} --listen-host ${o.host} --listen-port ${o.proxyPort}`, flow),
      },
    ];
  }
  return r.reverse
    .filter((p) => p.auth.includes(o.auth))
    .map((p) => {
      const port = p.port === 'model' ? o.modelPort : o.backendPort;
      const flow = join(flows, p.flow);
      const upstream = o.upstreams?.[p.port as 'model' | 'backend'] ?? p.upstream;
      return {
        id: p.id,
        mode: `reverse:${upstream}`,
        host: o.host,
        port,
        flow,
        command: saving(`mitmdump --mode reverse:${shQuote(upstream)} --listen-host ${o.host} --listen-port ${port}`, flow),
      };
    });
}

/**
 * A mitmdump command that appends to its flow file (`-w +FILE`: a restart keeps earlier flows) and
 * creates it readable by you only (`umask 077`: flows hold bearer tokens and API keys).
 */
function saving(command: string, flow: string): string {
  return `(umask 077 && ${command} -w ${shQuote(`+${flow}`)})`;
}

/** Per-channel coverage for the approach, from the scan's channel model. */
export function coverageNotes(all: Channel[], approach: 'a' | 'ca'): string[] {
  // Links and identifiers codex shows or compares but never fetches are never a miss.
  const channels = all.filter((c) => (c as { contacted?: boolean }).contacted !== false);
  const yes = channels.filter((c) => c.coverage[approach] === 'yes');
  const out = [`coverage (scanned tree): ${yes.length} of ${channels.length} channels captured by approach ${approach}`];
  for (const c of channels) {
    const v = c.coverage[approach];
    if (v === 'yes') continue;
    const label = v === 'no' ? 'not captured' : v === 'partial' ? 'partly captured' : 'unknown';
    const why = c.why[approach][0];
    out.push(`  ${label}: ${c.name} (${c.hosts.join(', ') || 'no fixed host'})${why ? ` — ${why}` : ''}`);
  }
  return out;
}

/**
 * What was measured going straight out under approach A for this codex version (rules/approach-a.toml
 * [[direct]]): past the reverse proxies, so absent from their flow files.
 */
export function directNotes(version: string | undefined): string[] {
  if (!version) return [];
  const hits = (homeRules().direct ?? []).filter((d) => compareVersions(version, d.since) >= 0);
  if (hits.length === 0) return [];
  return [
    `goes straight out, not through the proxies (measured on real codex ${hits.map((d) => d.since).sort(compareVersions)[0]}+ with approach a; \`--approach ca\` records it, and so does \`codex-mitm capture\`, which picks ca for these versions):`,
    ...hits.map((d) => `  ${d.host}: ${d.what}`),
  ];
}
