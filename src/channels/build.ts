// Endpoints + overrides + clients -> channels with per-approach coverage and reasons.
import type { Channel, ClientFactory, ClientSite, Endpoint, Override, PlatformVerdicts, TlsFeature, Trace, Verdict } from '../model.js';
import { configPathOf } from '../model.js';
import type { ProductionFacts } from './capabilities.js';
import { crateOf } from '../scan/crates.js';
import { loadChannelRules, matchChannel, splitUrl, type ChannelRule } from './rules.js';
import { caEnvOf, clientTrust, combine, combinePlatforms, describeTrust, nameOf, verdictB, verdictCa, type TrustContext } from './trust.js';

interface Group {
  rule?: ChannelRule;
  id: string;
  endpoints: Endpoint[];
  overrides: Override[];
}

function addOverride(list: Override[], o: Override): void {
  if (!list.some((x) => x.kind === o.kind && x.name === o.name)) list.push(o);
}

/** A client the verdicts read: a construction site, or a factory that reaches sites. */
export type Carrier = ClientSite | ClientFactory;
const factoryKey = (x: { file: string; line: number; name: string }) => `${x.file}:${x.line}:${x.name}`;

/**
 * The client most endpoints are traced to: codex's shared client. Factories first (0.143+ trees
 * build every client through one), else sites with their same-function siblings. Score = distinct
 * crates whose endpoints it carries, then distinct files (a tie-breaker).
 */
function sharedClients(f: ProductionFacts): Carrier[] {
  const crates = new Map<string, Set<string>>();
  const files = new Map<string, Set<string>>();
  const count = (k: string, e: Endpoint) => {
    crates.set(k, (crates.get(k) ?? new Set()).add(e.crate));
    files.set(k, (files.get(k) ?? new Set()).add(e.file));
  };
  for (const e of f.endpoints) for (const x of e.factories ?? []) count(factoryKey(x), e);
  const score = (k: string) => (crates.get(k)?.size ?? 0) * 1000 + (files.get(k)?.size ?? 0);
  const byFactory = new Map(f.factories.map((x) => [factoryKey(x), x]));
  const fmax = Math.max(0, ...[...crates.keys()].map(score));
  if (fmax > 0) {
    const top = [...crates.keys()].filter((k) => score(k) === fmax).map((k) => byFactory.get(k)).filter((x): x is ClientFactory => Boolean(x));
    if (top.length) return top;
  }
  crates.clear();
  files.clear();
  for (const e of f.endpoints) for (const c of e.carriers ?? []) count(`${c.file}:${c.line}`, e);
  const max = Math.max(0, ...[...crates.keys()].map(score));
  if (max === 0) return [];
  const top = f.clients.filter((c) => score(`${c.file}:${c.line}`) === max);
  return f.clients.filter((c) => top.some((t) => t.file === c.file && t.function === c.function));
}

export function buildChannels(f: ProductionFacts, ctx: TrustContext): Channel[] {
  const rules = loadChannelRules();
  const shared = sharedClients(f);
  const groups = new Map<string, Group>();
  const group = (rule: ChannelRule | undefined, host: string): Group => {
    const id = rule?.id ?? `host:${host}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { rule, id, endpoints: [], overrides: [] }));
    return g;
  };
  // A `config` override is only one when the name is a field of the serde config structs; other
  // `*base_url` names are function parameters or struct fields a user cannot set.
  const configNames = new Set(f.configKeys.map((k) => k.key));
  const realOverrides = (os: Override[]) => os.filter((o) => o.kind !== 'config' || configNames.has(o.name));
  // An endpoint carried both by websocket connections and by HTTP clients (the Responses API's
  // base URL) makes two channels: one per transport, each with its own carriers.
  const wsFactory = new Set(f.factories.filter((x) => x.kind === 'websocket').map(factoryKey));
  const wsSite = new Set(f.clients.filter((c) => c.kind === 'websocket').map((c) => `${c.file}:${c.line}`));
  const wsSiteOfFactory = new Set(f.factories.filter((x) => x.kind === 'websocket').flatMap((x) => x.sites.map((s) => `${s.file}:${s.line}`)));
  const byTransport = (e: Endpoint): { e: Endpoint; ws: boolean }[] => {
    const fx = e.factories ?? [];
    const sites = e.carriers ?? [];
    const wsFx = fx.filter((x) => wsFactory.has(factoryKey(x)));
    const wsSites = sites.filter((s) => wsSite.has(`${s.file}:${s.line}`));
    if (wsFx.length === 0 && wsSites.length === 0) return [{ e, ws: false }];
    const httpFx = fx.filter((x) => !wsFactory.has(factoryKey(x)));
    const httpSites = sites.filter((s) => !wsSite.has(`${s.file}:${s.line}`) && !wsSiteOfFactory.has(`${s.file}:${s.line}`));
    const out = [{ e: { ...e, factories: wsFx, carriers: wsSites }, ws: true }];
    if (httpFx.length || httpSites.length) out.push({ e: { ...e, factories: httpFx, carriers: httpSites }, ws: false });
    return out;
  };
  for (const e0 of f.endpoints.flatMap(byTransport)) {
    const e = { ...e0.e, overrides: realOverrides(e0.e.overrides) };
    const names = e.overrides.map((o) => o.name);
    const rule = matchChannel(e.url, names, e.crate, e0.ws, e.file);
    const g = group(rule, e.host || splitUrl(e.url).host);
    // carriers traced only through appended paths: the base is sent by those of its own channel's paths
    const subRule = (p: string) => matchChannel(`${e.url.replace(/\/+$/, '')}${p.startsWith('/') ? '' : '/'}${p}`, names, e.crate, e0.ws, e.file);
    const samePaths = e.fromPaths ? (e.pathSites ?? []).filter((s) => (s.carriers || s.factories) && (subRule(s.path) ?? rule) === rule) : [];
    if (samePaths.length) {
      const fx = samePaths.flatMap((s) => s.factories ?? []);
      const cs = samePaths.flatMap((s) => s.carriers ?? []);
      g.endpoints.push({ ...e, factories: fx.filter((x, i) => fx.findIndex((y) => factoryKey(y) === factoryKey(x)) === i), carriers: cs.filter((x, i) => cs.findIndex((y) => y.file === x.file && y.line === x.line) === i) });
    } else g.endpoints.push(e);
    for (const o of e.overrides) addOverride(g.overrides, o);
    // Paths appended to this base (`format!("{base}/wham/apps")`) can be channels of their own.
    for (const p of e.paths ?? []) {
      const url = `${e.url.replace(/\/+$/, '')}${p.startsWith('/') ? '' : '/'}${p}`;
      const sub = matchChannel(url, names, e.crate, e0.ws, e.file);
      if (!sub || sub === rule) continue;
      const h = group(sub, e.host);
      const site = e.pathSites?.find((s) => s.path === p);
      // the path is sent by the clients traced from where it is appended, when there are any
      const own = site?.carriers || site?.factories ? { carriers: site.carriers ?? [], factories: site.factories ?? [], trace: 'function' as const } : {};
      h.endpoints.push({ ...e, url, paths: [], pathSites: [], ...(site ? { file: site.file, line: site.line } : {}), ...own });
      for (const o of e.overrides) addOverride(h.overrides, o);
    }
  }
  // A websocket channel riding on another's base URL (the Responses API over wss): its websocket
  // factories, found by file, carry that channel's endpoints when no endpoint of its own was traced.
  const carriedWs = new Set([...groups.values()].flatMap((g) => g.endpoints.flatMap((e) => (e.factories ?? []).map(factoryKey))));
  for (const rule of rules.channels) {
    if (!rule.ridesOn || !rule.websocket || groups.has(rule.id)) continue;
    const base = groups.get(rule.ridesOn);
    const fx = f.factories.filter((x) => x.kind === 'websocket' && !x.test && !carriedWs.has(factoryKey(x)) && rule.files.some((p) => x.file.includes(p)));
    if (!base || fx.length === 0) continue;
    const g = group(rule, '');
    const refs = fx.map((x) => ({ name: x.name, file: x.file, line: x.line }));
    for (const e of base.endpoints) g.endpoints.push({ ...e, factories: refs, carriers: [], trace: 'function' });
    for (const o of base.overrides) addOverride(g.overrides, o);
  }
  // Overrides found by name anywhere in production code belong to their channels too.
  for (const rule of rules.channels) {
    const found: Override[] = [
      ...f.envVars.filter((v) => rule.env.includes(v.name)).map((v) => ({ kind: 'env' as const, name: v.name, file: v.file, line: v.line })),
      ...f.configKeys.filter((k) => rule.config.includes(k.key)).map((k) => {
        const path = configPathOf(k.key, f.configKeys);
        return { kind: 'config' as const, name: k.key, file: k.file, line: k.line, ...(path && path !== k.key ? { path } : {}) };
      }),
      ...f.flags.filter((x) => rule.flags.includes(x.name)).map((x) => ({ kind: 'flag' as const, name: x.name, file: x.file, line: x.line })),
    ];
    if (found.length === 0) continue;
    const g = groups.get(rule.id) ?? (rule.hosts.length === 0 || rule.env.some((n) => rules.uniqueOverrides.has(n)) ? group(rule, '') : undefined);
    if (!g) continue;
    for (const o of found) addOverride(g.overrides, o);
  }
  const order = new Map(rules.channels.map((c, i) => [c.id, i]));
  return [...groups.values()]
    .sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9) || a.id.localeCompare(b.id))
    .map((g) => toChannel(g, f, ctx, shared));
}

function toChannel(g: Group, f: ProductionFacts, ctx: TrustContext, shared: Carrier[]): Channel {
  const rules = loadChannelRules();
  const hosts = [...new Set(g.endpoints.map((e) => e.host).filter(Boolean))].sort();
  const urls = [...new Set(g.endpoints.map((e) => e.url))].sort();
  const sites = g.endpoints.length > 0 ? g.endpoints : g.overrides.map((o) => ({ file: o.file, crate: crateOf(o.file, f.crates) }));
  const bySite = new Map(f.clients.map((c) => [`${c.file}:${c.line}`, c]));
  const byFactory = new Map(f.factories.map((x) => [factoryKey(x), x]));
  // The scanner's carriers: the factories nearest to where the endpoint is used, else the sites it
  // traced (same function, factories called there, or only the same file); else, for a channel
  // the rules say goes through codex's shared client, that one (an assumption, said so); else none.
  const trace = new Set<'traced' | 'file' | 'assumed' | 'unknown'>();
  const carried = (e: { file: string } & Partial<Pick<Endpoint, 'carriers' | 'factories' | 'trace'>>): Carrier[] => {
    const fx = (e.factories ?? []).map((x) => byFactory.get(factoryKey(x))).filter((x): x is ClientFactory => Boolean(x));
    const known = (e.carriers ?? []).map((c) => bySite.get(`${c.file}:${c.line}`)).filter((c): c is ClientSite => Boolean(c));
    if (fx.length || known.length) {
      trace.add(e.trace === 'file' ? 'file' : 'traced');
      // a site a factory already accounts for is read through the factory
      const covered = new Set(fx.flatMap((x) => x.sites.map((s) => `${s.file}:${s.line}`)));
      return [...fx, ...known.filter((c) => !covered.has(`${c.file}:${c.line}`))];
    }
    if (g.rule?.shared && shared.length > 0) {
      trace.add('assumed');
      return shared;
    }
    trace.add('unknown');
    return [];
  };
  const clients = [...new Set(sites.flatMap(carried))].sort(
    (x, y) => x.file.localeCompare(y.file) || x.line - y.line,
  );
  const evidence = dedupe([...g.endpoints.map((e) => ({ file: e.file, line: e.line })), ...g.overrides.map((o) => ({ file: o.file, line: o.line }))]);

  // A: a plain-HTTP reverse proxy needs a base-URL override. When the rule names the channel's own
  // overrides, only those move it (chatgpt_base_url never moves the model API, for instance).
  const own =
    g.rule && g.rule.env.length + g.rule.config.length + g.rule.flags.length > 0
      ? g.overrides.filter((o) => g.rule!.env.includes(o.name) || g.rule!.config.includes(o.name) || g.rule!.flags.includes(o.name))
      : [];
  if (own.length > 0) g.overrides = own;
  const sets = (rules.approaches.a as unknown as { sets?: string[] }).sets ?? [];
  const managed = g.overrides.filter((o) => sets.includes(o.name)).sort((x, y) => sets.indexOf(x.name) - sets.indexOf(y.name));
  const whyA: string[] = [];
  let a: Verdict;
  // A host moves when one of its endpoints carries the override, or when the rule names the
  // channel's overrides (found by name anywhere): a bare GitHub API URL next to chatgpt_base_url
  // paths does not move with them.
  const byName = own.length > 0;
  const stuck = hosts.filter(
    (h) => !byName && !g.endpoints.some((e) => e.host === h && e.overrides.some((o) => sets.includes(o.name))),
  );
  if (managed.length > 0) {
    a = stuck.length === 0 ? 'yes' : 'partial';
    // `sets` is in order of preference: the first one present is the one the patch uses
    const [use, ...also] = managed;
    whyA.push(`patch --approach a sets ${use!.kind} ${use!.path ?? use!.name} (read at ${use!.file}:${use!.line})`);
    if (a === 'partial') whyA.push(`but nothing overrides ${stuck.join(', ')}: those requests still go to the internet`);
    for (const o of also) whyA.push(`also read: ${o.kind} ${o.path ?? o.name} (${o.file}:${o.line}); used instead where ${use!.name} does not exist`);
  } else if (g.overrides.length > 0) {
    a = 'partial';
    whyA.push(
      ...g.overrides.map((o) =>
        o.kind === 'flag'
          ? `redirect by hand: start it with ${o.name} pointing at a loopback proxy (the flag is declared at ${o.file}:${o.line}); patch --approach a cannot pass flags`
          : `redirect by hand: set ${o.kind} ${o.path ?? o.name} (${o.file}:${o.line}) to a loopback proxy`,
      ),
    );
  } else {
    a = 'no';
    // the URLs, not only their hosts: another channel on the same host may well be redirectable
    const shown = urls.length > 0 ? urls.slice(0, 3).join(', ') + (urls.length > 3 ? `, and ${urls.length - 3} more` : '') : hosts.join(', ');
    whyA.push(`no env var, config key or flag overrides ${shown || 'this channel'}`);
  }

  const loopback = hosts.length > 0 && hosts.every((h) => rules.localHosts.has(h));
  const plainHttp = urls.length > 0 && urls.every((u) => u.startsWith('http://'));
  const transport = g.rule?.transport;
  // A client built only when building the configured one failed does not set the channel's verdict.
  const isFallback = (c: Carrier) => c.fallback === true;
  const primary = clients.filter((c) => !isFallback(c));
  const fallbackNote = clients
    .filter(isFallback)
    .map((c) => `${c.file}:${c.line} is only built when building the configured client fails (not counted)`);
  const how: Trace = trace.has('traced') ? 'traced' : trace.has('file') ? 'file' : trace.has('assumed') ? 'assumed' : 'unknown';
  const noCarrier = primary.length === 0 && !transport && !loopback && !plainHttp && g.endpoints.length > 0;
  const trusts = transport || noCarrier ? [] : (primary.length ? primary : [undefined]).map((c) => clientTrust(c, ctx, g.endpoints[0]?.crate));
  const traceNote =
    how === 'assumed'
      ? `carrier assumed, not traced: no use of these endpoints leads to a client, so codex's shared client (${shared
          .slice(0, 2)
          .map((c) => ('name' in c ? `${c.name}, ${c.file}:${c.line}` : `${c.file}:${c.line}`))
          .join('; ')}) is assumed; codex-mitm verify shows what really happens`
      : how === 'file'
        ? 'carrier found only by sharing a file with a client (no call from where the endpoint is used was traced)'
        : undefined;
  let platforms: PlatformVerdicts | undefined;
  const whyB: string[] = [];
  const whyCa: string[] = [];
  let b: Verdict;
  let ca: Verdict;
  let tls: string;
  if (loopback) {
    b = ca = 'no';
    const names = [...new Set(g.overrides.map((o) => o.path ?? o.name))];
    const msg = `local endpoint: traffic stays on this machine and does not go through HTTPS_PROXY${
      names.length > 0 ? `; point its override (${names.join(', ')}) at a reverse proxy` : '; nothing redirects it'
    }`;
    whyB.push(msg);
    whyCa.push(msg);
    tls = 'plain HTTP (local)';
  } else if (transport) {
    const t = rules.transports[transport];
    b = t?.b ?? 'unknown';
    ca = t?.ca ?? 'unknown';
    const feats = f.tlsFeatures.filter((x: TlsFeature) => x.dependency === transport && !x.test);
    const note = `${t?.note ?? `carried by ${transport}, which this scan cannot see`}${feats.length ? `; ${transport} is declared in ${feats[0]!.manifest} line ${feats[0]!.line}` : ''}`;
    whyB.push(note);
    whyCa.push(note);
    tls = `${transport} (not a reqwest client of this tree)`;
  } else if (noCarrier) {
    b = ca = 'unknown';
    const msg = `no client site or factory is linked to ${urls.slice(0, 2).join(', ') || 'this channel'}: the scan did not understand which client sends it, so its TLS is unknown; run codex-mitm verify to see what happens`;
    whyB.push(msg);
    whyCa.push(msg);
    tls = 'unknown (no carrier traced)';
  } else {
    const vb = trusts.map(verdictB);
    const vc = trusts.map(verdictCa);
    b = plainHttp ? 'yes' : combine(vb.map((v) => v.verdict));
    ca = plainHttp ? 'yes' : combine(vc.map((v) => v.verdict));
    if (!plainHttp) platforms = combinePlatforms(vc.map((v) => v.platforms));
    // The verdicts' own reasons first, then the facts behind them (client, feature, manifest line).
    // with several clients, each verdict says whose it is (one may add the CA, another not)
    const differ = (vs: { verdict: Verdict; why: string }[]) => new Set(vs.map((v) => `${v.verdict}:${v.why}`)).size > 1;
    const label = (vs: { verdict: Verdict; why: string }[]) => (i: number): string =>
      differ(vs) ? `${nameOf(primary[i]!)}: ` : '';
    const whoseB = label(vb);
    const whoseCa = label(vc);
    whyB.push(...new Set(vb.map((v, i) => `${whoseB(i)}${v.why}`)));
    if (traceNote) whyB.push(traceNote);
    for (const t of trusts) whyB.push(...t.reasons);
    whyB.push(...fallbackNote);
    whyCa.push(...new Set(vc.map((v, i) => `${whoseCa(i)}${v.why}`)));
    if (traceNote) whyCa.push(traceNote);
    for (const t of trusts) whyCa.push(...t.reasons);
    whyCa.push(...fallbackNote);
    tls = [...new Set(trusts.map(describeTrust))].join('; ');
    if (plainHttp) tls = 'plain HTTP';
  }
  return {
    id: g.id,
    name: g.rule?.name ?? `Unclassified: ${hosts[0] ?? g.id.replace(/^host:/, '')}`,
    hosts,
    urls,
    overrides: g.overrides,
    authMode: g.rule?.auth ?? 'any',
    coverage: { a, b, ca },
    why: { a: dedupeStr(whyA), b: dedupeStr(whyB), ca: dedupeStr(whyCa) },
    tls,
    ...(!loopback && !transport && !plainHttp && !noCarrier ? { caEnv: trusts.map(caEnvOf) } : {}),
    ...(platforms ? { platforms } : {}),
    ...(!loopback && !transport && g.endpoints.length > 0 ? { trace: how } : {}),
    // construction sites (a factory's sites), then the factories themselves
    clients: dedupeSites(
      clients.flatMap((c) => ('name' in c ? c.sites.map((s) => ({ ...s, crate: crateOf(s.file, f.crates) })) : [{ file: c.file, line: c.line, crate: c.crate }])),
    ),
    ...(clients.some((c) => 'name' in c)
      ? { factories: clients.filter((c): c is ClientFactory => 'name' in c).map((c) => ({ name: c.name, file: c.file, line: c.line })) }
      : {}),
    evidence,
    unclassified: !g.rule,
    contacted: g.rule?.contacted ?? true,
  };
}

const dedupe = (xs: { file: string; line: number }[]) => {
  const seen = new Set<string>();
  return xs
    .filter((x) => (seen.has(`${x.file}:${x.line}`) ? false : (seen.add(`${x.file}:${x.line}`), true)))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
};
const dedupeStr = (xs: string[]) => [...new Set(xs)];
const dedupeSites = <T extends { file: string; line: number }>(xs: T[]): T[] => {
  const seen = new Set<string>();
  return xs
    .filter((x) => (seen.has(`${x.file}:${x.line}`) ? false : (seen.add(`${x.file}:${x.line}`), true)))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
};
