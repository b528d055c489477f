import { channelsRules, channelsSchema, type ChannelsDoc } from '../rules/files.js';
import { parseRules } from '../rules/load.js';
import type { Approach, AuthMode, Verdict } from '../model.js';

export interface ChannelRule {
  id: string;
  name: string;
  hosts: string[];
  paths: string[];
  exactPaths: string[];
  /** Exact paths that count only for one host (e.g. a bare API base URL). */
  exactPathsByHost: Record<string, string[]>;
  ports: number[];
  env: string[];
  /** Substrings of the file an endpoint sits in (for a `ridesOn` rule: its websocket factories). */
  files: string[];
  /** A websocket channel that rides on another channel's base URL (the Responses API's): made
   *  from the websocket factories in `files` when no endpoint of its own is traced to them. */
  ridesOn?: string;
  /** Matches only endpoints a websocket connection carries. */
  websocket: boolean;
  config: string[];
  /** Command-line flags (`--experimental_issuer`) that redirect the channel. */
  flags: string[];
  auth: AuthMode;
  weight: number;
  transport?: string;
  managedBy: Approach[];
  /** Packages whose endpoints this rule is limited to (empty: any). */
  crates: string[];
  /** Requests go through codex's shared client. */
  shared: boolean;
  /** false for links and identifiers codex never fetches. */
  contacted: boolean;
}

export interface TransportRule {
  b: Verdict;
  ca: Verdict;
  note: string;
}

export interface ApproachRule {
  name: string;
  /** What reporters and the wizard call it, after the letter. */
  label: string;
  cost: number;
  plain?: string;
  next?: string[];
  /** Overrides `patch --approach a` sets. */
  sets?: string[];
}

export interface ChannelRules {
  channels: ChannelRule[];
  /** Registry crates and child processes that carry some channels instead of a reqwest client. */
  transports: Record<string, TransportRule>;
  approaches: Record<Approach, ApproachRule>;
  scoring: Record<Verdict, number>;
  /** Thresholds of the tracing level ([tracing]). */
  tracing: { good_from: number; poor_below: number; poor_unknown_above: number };
  /** Hosts that are this machine ([local] hosts): their traffic never goes through HTTPS_PROXY. */
  localHosts: Set<string>;
  /** Env override names that belong to exactly one channel: they identify it regardless of host. */
  uniqueOverrides: Map<string, ChannelRule>;
}

let cached: ChannelRules | undefined;

export function loadChannelRules(): ChannelRules {
  return (cached ??= compile(channelsRules()));
}

/** The channel rules of a rules/channels.toml text (checked by the rules schema: unknown keys and wrong types refused). */
export function parseChannelRules(text: string, file: string): ChannelRules {
  return compile(parseRules(text, file, channelsSchema));
}

function compile(doc: ChannelsDoc): ChannelRules {
  const channels = doc.channel.map(
    (c): ChannelRule => ({
      id: c.id,
      name: c.name,
      hosts: c.hosts ?? [],
      paths: c.paths ?? [],
      exactPaths: c.exact_paths ?? [],
      exactPathsByHost: c.exact_paths_by_host ?? {},
      ports: c.ports ?? [],
      env: c.env ?? [],
      config: c.config ?? [],
      flags: c.flags ?? [],
      auth: c.auth ?? 'any',
      weight: c.weight ?? 1,
      transport: c.transport,
      managedBy: c.managed_by ?? [],
      contacted: c.contacted !== false,
      crates: c.crates ?? [],
      files: c.files ?? [],
      ...(c.rides_on ? { ridesOn: c.rides_on } : {}),
      shared: c.shared === true,
      websocket: c.websocket === true,
    }),
  );
  const counts = new Map<string, ChannelRule[]>();
  for (const c of channels) for (const n of c.env) counts.set(n, [...(counts.get(n) ?? []), c]);
  const uniqueOverrides = new Map<string, ChannelRule>();
  for (const [n, list] of counts) if (list.length === 1) uniqueOverrides.set(n, list[0]!);
  const t = doc.tracing ?? {};
  return {
    channels,
    transports: doc.transport,
    approaches: doc.approach,
    scoring: doc.scoring,
    tracing: { good_from: t.good_from ?? 0.6, poor_below: t.poor_below ?? 0.3, poor_unknown_above: t.poor_unknown_above ?? 0.5 },
    uniqueOverrides,
    localHosts: new Set(doc.local.hosts),
  };
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) || host === pattern.slice(2);
  return host === pattern;
}

function pathMatches(rule: ChannelRule, host: string, path: string): boolean {
  if (rule.exactPaths.includes(path) || rule.exactPathsByHost[host]?.includes(path)) return true;
  if (rule.paths.length === 0) return true;
  return rule.paths.some((p) => (p.startsWith('~') ? path.includes(p.slice(1)) : path.startsWith(p)));
}

/** Splits a URL (possibly with `{placeholders}`) into host, port and path without throwing. */
export function splitUrl(url: string): { host: string; port?: number; path: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]*)(?::(\d+))?([^?#]*)/i.exec(url);
  if (!m) {
    const bare = /^([^/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
    return { host: (bare?.[1] ?? url).toLowerCase(), port: bare?.[2] ? Number(bare[2]) : undefined, path: bare?.[3] ?? '' };
  }
  return { host: m[1]!.toLowerCase(), port: m[2] ? Number(m[2]) : undefined, path: m[3] ?? '' };
}

/** The channel rule for a URL and the override names that govern it, or undefined. */
export function matchChannel(url: string, overrideNames: readonly string[] = [], crate?: string, websocket = false, file?: string): ChannelRule | undefined {
  const rules = loadChannelRules();
  for (const n of overrideNames) {
    const unique = rules.uniqueOverrides.get(n);
    if (unique && unique.websocket === websocket) return unique;
  }
  const { host, port, path } = splitUrl(url);
  // a websocket endpoint tries the websocket rules first, then the others; an HTTP one never those
  return rules.channels.find(
    (c) =>
      (!c.websocket || websocket) &&
      (c.files.length === 0 || c.ridesOn !== undefined || (file !== undefined && c.files.some((f) => file.includes(f)))) &&
      (c.crates.length === 0 || (crate !== undefined && c.crates.includes(crate))) &&
      c.hosts.some((h) => hostMatches(h, host)) &&
      (c.ports.length === 0 || (port !== undefined && c.ports.includes(port))) &&
      pathMatches(c, host, path),
  );
}

/** Channel of a URL seen on the wire or in code: `{ id, name }`, or undefined when no rule knows it. */
export function classifyUrl(url: string, websocket = false): { id: string; name: string } | undefined {
  const rule = matchChannel(url, [], undefined, websocket);
  return rule ? { id: rule.id, name: rule.name } : undefined;
}
