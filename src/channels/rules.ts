import { InputError } from '../model.js';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
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

const APPROACH_KEYS: Record<string, 'string' | 'number' | 'strings'> = { name: 'string', label: 'string', cost: 'number', plain: 'string', next: 'strings', sets: 'strings' };

/** [approach.a|b|ca]: all three, known keys of the right types (file and line on error). */
function checkApproaches(text: string, file: string, doc: Record<string, unknown>): Record<Approach, ApproachRule> {
  const lineOf = (re: RegExp): number | undefined => {
    const i = text.split('\n').findIndex((l) => re.test(l));
    return i >= 0 ? i + 1 : undefined;
  };
  const all = (doc.approach ?? {}) as Record<string, Record<string, unknown>>;
  for (const id of ['a', 'b', 'ca']) {
    const at = lineOf(new RegExp(`^\\s*\\[approach\\.${id}\\]`));
    const t = all[id];
    if (!t) throw new InputError(`missing [approach.${id}]`, file);
    for (const [k, v] of Object.entries(t)) {
      const kind = APPROACH_KEYS[k];
      if (!kind) throw new InputError(`[approach.${id}] unknown key \`${k}\` (known: ${Object.keys(APPROACH_KEYS).join(', ')})`, file, at);
      const ok = kind === 'number' ? typeof v === 'number' : kind === 'string' ? typeof v === 'string' : Array.isArray(v) && v.every((x) => typeof x === 'string');
      if (!ok) throw new InputError(`[approach.${id}] \`${k}\` must be ${kind === 'strings' ? 'a list of strings' : `a ${kind}`}`, file, at);
    }
    for (const k of ['name', 'label', 'cost']) if (!(k in t)) throw new InputError(`[approach.${id}] needs \`${k}\``, file, at);
  }
  for (const id of Object.keys(all)) if (!['a', 'b', 'ca'].includes(id)) throw new InputError(`unknown approach [approach.${id}] (known: a, b, ca)`, file, lineOf(new RegExp(`^\\s*\\[approach\\.${id}\\]`)));
  return all as unknown as Record<Approach, ApproachRule>;
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

const RULES_URL = new URL('../../rules/channels.toml', import.meta.url);
let cached: ChannelRules | undefined;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The keys a `[[channel]]` rule may have (a misspelt key would silently change verdicts). */
const CHANNEL_KEYS = new Set([
  'id', 'name', 'hosts', 'paths', 'exact_paths', 'exact_paths_by_host', 'ports', 'env', 'config', 'flags', 'auth', 'weight',
  'transport', 'managed_by', 'contacted', 'crates', 'files', 'shared', 'websocket', 'rides_on',
]);
const CHANNEL_TYPES: Record<string, 'string' | 'strings' | 'number' | 'boolean' | 'table'> = {
  id: 'string', name: 'string', hosts: 'strings', paths: 'strings', exact_paths: 'strings', exact_paths_by_host: 'table', ports: 'strings',
  env: 'strings', config: 'strings', flags: 'strings', auth: 'string', weight: 'number', transport: 'string', managed_by: 'strings',
  contacted: 'boolean', crates: 'strings', files: 'strings', shared: 'boolean', websocket: 'boolean', rides_on: 'string',
};

/** 1-based line of the `i`-th `[[channel]]` header in `text`, and of `key` inside that entry. */
function channelLine(text: string, i: number, key?: string): number {
  const lines = text.split('\n');
  let n = -1;
  for (let l = 0; l < lines.length; l++) {
    if (lines[l]!.trim() !== '[[channel]]') continue;
    if (++n !== i) continue;
    if (!key) return l + 1;
    for (let k = l + 1; k < lines.length && !lines[k]!.trim().startsWith('['); k++) if (new RegExp(`^\\s*${key}\\s*=`).test(lines[k]!)) return k + 1;
    return l + 1;
  }
  return 1;
}

/** Unknown keys and wrong types of the `[[channel]]` rules: one-line errors naming the file and line. */
function checkChannels(text: string, file: string, list: Record<string, unknown>[]): void {
  list.forEach((c, i) => {
    for (const [k, v] of Object.entries(c)) {
      if (!CHANNEL_KEYS.has(k)) throw new InputError(`[[channel]] ${String(c.id ?? i + 1)}: unknown key "${k}"`, file, channelLine(text, i, k));
      const t = CHANNEL_TYPES[k];
      const ok =
        t === 'string' ? typeof v === 'string' : t === 'number' ? typeof v === 'number' : t === 'boolean' ? typeof v === 'boolean' : t === 'table' ? typeof v === 'object' && !Array.isArray(v) : Array.isArray(v);
      if (!ok) throw new InputError(`[[channel]] ${String(c.id ?? i + 1)}: "${k}" must be ${t === 'strings' ? 'an array' : `a ${t}`}`, file, channelLine(text, i, k));
    }
    if (typeof c.id !== 'string' || typeof c.name !== 'string') throw new InputError(`[[channel]] ${i + 1}: "id" and "name" are required`, file, channelLine(text, i));
  });
}

export function loadChannelRules(): ChannelRules {
  if (cached) return cached;
  cached = parseChannelRules(readFileSync(RULES_URL, 'utf8'), 'rules/channels.toml');
  return cached;
}

/** The channel rules of a rules/channels.toml text (validated: unknown keys and wrong types refused). */
export function parseChannelRules(text: string, file: string): ChannelRules {
  const doc = parse(text) as Record<string, unknown>;
  checkChannels(text, file, (doc.channel ?? []) as Record<string, unknown>[]);
  const channels = (doc.channel as Record<string, unknown>[]).map(
    (c): ChannelRule => ({
      id: String(c.id),
      name: String(c.name),
      hosts: strings(c.hosts),
      paths: strings(c.paths),
      exactPaths: strings(c.exact_paths),
      exactPathsByHost: Object.fromEntries(Object.entries((c.exact_paths_by_host ?? {}) as Record<string, unknown>).map(([h, v]) => [h, strings(v)])),
      ports: Array.isArray(c.ports) ? c.ports.map(Number) : [],
      env: strings(c.env),
      config: strings(c.config),
      flags: strings(c.flags),
      auth: (c.auth as AuthMode) ?? 'any',
      weight: Number(c.weight ?? 1),
      transport: c.transport ? String(c.transport) : undefined,
      managedBy: strings(c.managed_by) as Approach[],
      contacted: c.contacted !== false,
      crates: strings(c.crates),
      files: strings(c.files),
      ...(c.rides_on ? { ridesOn: String(c.rides_on) } : {}),
      shared: c.shared === true,
      websocket: c.websocket === true,
    }),
  );
  const counts = new Map<string, ChannelRule[]>();
  for (const c of channels) for (const n of c.env) counts.set(n, [...(counts.get(n) ?? []), c]);
  const uniqueOverrides = new Map<string, ChannelRule>();
  for (const [n, list] of counts) if (list.length === 1) uniqueOverrides.set(n, list[0]!);
  const approaches = checkApproaches(text, file, doc);
  const scoring = doc.scoring as Record<Verdict, number>;
  const transports = (doc.transport ?? {}) as Record<string, TransportRule>;
  const localHosts = new Set(strings((doc.local as Record<string, unknown> | undefined)?.hosts));
  const t = (doc.tracing ?? {}) as Record<string, unknown>;
  const share = (k: string, dflt: number): number => {
    const v = t[k] ?? dflt;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new InputError(`[tracing] ${k} must be a number from 0 to 1`, file);
    return v;
  };
  const tracing = { good_from: share('good_from', 0.6), poor_below: share('poor_below', 0.3), poor_unknown_above: share('poor_unknown_above', 0.5) };
  return { channels, transports, approaches, scoring, tracing, uniqueOverrides, localHosts };
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
