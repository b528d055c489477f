// How much of the network surface the scan traced: endpoints of contacted channels with a known
// carrier, client sites whose TLS is resolved, channels left unknown. The report's first lines say
// when it is poor (this codex's client code was not understood) so nobody reads a confident table
// over a tree the analyzer did not follow. Thresholds live in rules/channels.toml ([tracing]).
import type { Channel, ClientSite, Endpoint, Tracing } from '../model.js';
import { loadChannelRules } from './rules.js';
import { clientTrust, type TrustContext } from './trust.js';

export function tracingOf(channels: Channel[], endpoints: Endpoint[], clients: ClientSite[], factories: number, ctx: TrustContext): Tracing {
  const rules = loadChannelRules();
  // endpoints that make a contacted, TLS-bearing channel (links, loopback, child processes excluded)
  const relevant = channels.filter((c) => c.contacted && c.trace !== undefined);
  const urls = new Set(relevant.flatMap((c) => c.urls));
  const eps = endpoints.filter((e) => !e.test && urls.has(e.url));
  const byUrl = new Map<string, Endpoint[]>();
  for (const e of eps) byUrl.set(e.url, [...(byUrl.get(e.url) ?? []), e]);
  let traced = 0;
  let file = 0;
  let none = 0;
  for (const [, list] of byUrl) {
    if (list.some((e) => e.trace === 'function')) traced++;
    else if (list.some((e) => e.trace === 'file')) file++;
    else none++;
  }
  const prodSites = clients.filter((c) => !c.test);
  const resolved = prodSites.filter((c) => clientTrust(c, ctx).backend !== 'unknown').length;
  const count = (t: Channel['trace']) => relevant.filter((c) => c.trace === t).length;
  const total = byUrl.size;
  const share = total ? traced / total : 1;
  const unknownShare = relevant.length ? count('unknown') / relevant.length : 0;
  const t = rules.tracing;
  const level: Tracing['level'] = share < t.poor_below || unknownShare > t.poor_unknown_above ? 'poor' : share < t.good_from ? 'partial' : 'good';
  return {
    endpoints: { total, traced, file, untraced: none },
    clientSites: { total: prodSites.length, resolved },
    factories,
    channels: { total: relevant.length, traced: count('traced'), file: count('file'), assumed: count('assumed'), unknown: count('unknown') },
    level,
  };
}
