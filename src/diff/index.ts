// What changed in codex's networking between two scans (two trees, two saved `scan --json`
// reports, two versions): channels, hosts, URLs and appended paths, env vars, config keys,
// overrides, compiled-in TLS roots, reqwest features, capabilities and the recommendation.
// Production code only (test findings are left out on both sides).
import type { Approach, Channel, ScanResult, Verdict } from '../model.js';

export interface SetChange {
  added: string[];
  removed: string[];
}

export interface ChannelChange {
  id: string;
  name: string;
  /** One line per difference: `coverage ca: no → yes`, `host + chatgpt.com`, … */
  what: string[];
}

export interface ScanDiff {
  schemaVersion: 1;
  a: { label: string; version?: string };
  b: { label: string; version?: string };
  channels: { added: { id: string; name: string; hosts: string[] }[]; removed: { id: string; name: string; hosts: string[] }[]; changed: ChannelChange[] };
  hosts: SetChange;
  urls: SetChange;
  paths: SetChange;
  envVars: SetChange;
  configKeys: SetChange;
  overrides: SetChange;
  /** `crate: dependency/feature (roots)` for every TLS feature of production manifests. */
  tlsRoots: SetChange;
  reqwestFeatures: SetChange;
  capabilities: { name: string; from: string; to: string }[];
  recommendation?: { from?: Approach; to?: Approach };
}

function setChange(a: Iterable<string>, b: Iterable<string>): SetChange {
  const sa = new Set(a);
  const sb = new Set(b);
  return { added: [...sb].filter((x) => !sa.has(x)).sort(), removed: [...sa].filter((x) => !sb.has(x)).sort() };
}

/** Every set of a scan the diff compares, production findings only. */
export function facets(r: ScanResult) {
  const prod = <T extends { test?: boolean }>(xs: T[] | undefined): T[] => (xs ?? []).filter((x) => !x.test);
  const endpoints = prod(r.endpoints);
  const channels = (r.channels ?? []).filter((c) => c.contacted !== false);
  return {
    hosts: new Set([...channels.flatMap((c) => c.hosts), ...endpoints.map((e) => e.host).filter(Boolean)]),
    urls: new Set(endpoints.map((e) => e.url)),
    paths: new Set(endpoints.flatMap((e) => e.paths ?? [])),
    envVars: new Set(prod(r.envVars).filter((e) => !e.debugOnly).map((e) => e.name)),
    configKeys: new Set(prod(r.configKeys).map((k) => k.path ?? k.key)),
    overrides: new Set(channels.flatMap((c) => c.overrides.map((o) => `${o.kind} ${o.name}`))),
    tlsRoots: new Set(prod(r.tlsFeatures).map((t) => `${t.crate || "workspace"}: ${t.dependency}/${t.feature} (${t.roots})`)),
    reqwestFeatures: new Set(r.capabilities?.reqwestFeatures ?? []),
  };
}

const VERDICT_KEYS: Approach[] = ['a', 'b', 'ca'];

function channelChanges(a: Channel, b: Channel): string[] {
  const what: string[] = [];
  for (const k of VERDICT_KEYS) {
    const from: Verdict = a.coverage[k];
    const to: Verdict = b.coverage[k];
    if (from !== to) what.push(`coverage ${k.toUpperCase()}: ${from} → ${to}`);
  }
  const hosts = setChange(a.hosts, b.hosts);
  for (const h of hosts.added) what.push(`host + ${h}`);
  for (const h of hosts.removed) what.push(`host − ${h}`);
  const ov = setChange(
    a.overrides.map((o) => `${o.kind} ${o.name}`),
    b.overrides.map((o) => `${o.kind} ${o.name}`),
  );
  for (const o of ov.added) what.push(`override + ${o}`);
  for (const o of ov.removed) what.push(`override − ${o}`);
  if (a.tls !== b.tls) what.push(`TLS: ${a.tls} → ${b.tls}`);
  if ((a.contacted !== false) !== (b.contacted !== false)) what.push(b.contacted === false ? 'no longer contacted (a link or identifier only)' : 'now contacted');
  return what;
}

function capabilityChanges(a: ScanResult, b: ScanResult): ScanDiff['capabilities'] {
  const ca = a.capabilities;
  const cb = b.capabilities;
  const text = (v: unknown): string => (v === undefined ? '—' : Array.isArray(v) ? (v.length ? v.join(', ') : 'none') : typeof v === 'object' && v !== null ? ((v as { key?: string }).key ?? JSON.stringify(v)) : String(v));
  const out: ScanDiff['capabilities'] = [];
  for (const name of ['openaiBaseUrlKey', 'openaiBaseUrlEnv', 'customCaEnv', 'nativeTlsDefault', 'proxyEnv', 'systemProxy'] as const) {
    const from = text(ca?.[name]);
    const to = text(cb?.[name]);
    if (from !== to) out.push({ name, from, to });
  }
  return out;
}

export function diffScans(a: ScanResult, b: ScanResult, labels: { a: string; b: string }): ScanDiff {
  const fa = facets(a);
  const fb = facets(b);
  const chA = new Map((a.channels ?? []).map((c) => [c.id, c]));
  const chB = new Map((b.channels ?? []).map((c) => [c.id, c]));
  const brief = (c: Channel) => ({ id: c.id, name: c.name, hosts: c.hosts });
  const out: ScanDiff = {
    schemaVersion: 1,
    a: { label: labels.a, ...(a.capabilities?.version ? { version: a.capabilities.version } : {}) },
    b: { label: labels.b, ...(b.capabilities?.version ? { version: b.capabilities.version } : {}) },
    channels: {
      added: [...chB.values()].filter((c) => !chA.has(c.id)).map(brief),
      removed: [...chA.values()].filter((c) => !chB.has(c.id)).map(brief),
      changed: [...chB.values()]
        .filter((c) => chA.has(c.id))
        .map((c) => ({ id: c.id, name: c.name, what: channelChanges(chA.get(c.id)!, c) }))
        .filter((c) => c.what.length > 0),
    },
    hosts: setChange(fa.hosts, fb.hosts),
    urls: setChange(fa.urls, fb.urls),
    paths: setChange(fa.paths, fb.paths),
    envVars: setChange(fa.envVars, fb.envVars),
    configKeys: setChange(fa.configKeys, fb.configKeys),
    overrides: setChange(fa.overrides, fb.overrides),
    tlsRoots: setChange(fa.tlsRoots, fb.tlsRoots),
    reqwestFeatures: setChange(fa.reqwestFeatures, fb.reqwestFeatures),
    capabilities: capabilityChanges(a, b),
  };
  const ra = a.recommendation?.approach;
  const rb = b.recommendation?.approach;
  if (ra !== rb) out.recommendation = { ...(ra ? { from: ra } : {}), ...(rb ? { to: rb } : {}) };
  return out;
}

/** Nothing at all changed. */
export function unchanged(d: ScanDiff): boolean {
  const sets = [d.hosts, d.urls, d.paths, d.envVars, d.configKeys, d.overrides, d.tlsRoots, d.reqwestFeatures];
  return sets.every((s) => !s.added.length && !s.removed.length) && !d.channels.added.length && !d.channels.removed.length && !d.channels.changed.length && !d.capabilities.length && !d.recommendation;
}
