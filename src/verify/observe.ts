// Turn what the listeners saw into observations: one per host/method/path and route, with the
// channel it belongs to and, when a scan is given, what the static analysis predicted.
import type { Approach, Channel, Verdict } from '../model.js';
import type { Escape } from '../proxy/traffic.js';
import type { SeenRequest, Sighting } from './sightings.js';
import type { CaEnvChoice } from './home.js';
import { loadVerifyRules } from './rules.js';

export type Route = 'reverse' | 'intercepted' | 'refused' | 'escaped' | 'not-seen';

export interface Observation {
  host: string;
  method: string;
  path: string;
  route: Route;
  /** Channel id (rules/channels.toml), null when no rule matched or no classifier is available. */
  channel: string | null;
  /** Static prediction for the run's approach (needs --root), else null. */
  predicted: Verdict | null;
  /** How many times it was seen. */
  count: number;
  /** Human name of the channel. */
  channelName?: string;
  /** Reverse listener that took it (reverse route). */
  listener?: string;
  /** `http` for requests that were in clear through the proxy. */
  scheme?: 'http' | 'https';
  /** Why TLS was refused (refused route). */
  error?: string;
  /** HTTP Upgrade asked for (e.g. websocket). */
  upgrade?: string;
  /** For a connection with no request to tell the path (refused TLS): the channels using its host. */
  candidates?: string[];
}

export type Classify = (url: string, websocket?: boolean) => { id: string; name: string } | undefined;
/** Channels known to use a host (from the scan, else from rules/channels.toml). */
export type HostChannels = (host: string) => { id: string; name: string }[];

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) || host === pattern.slice(2);
  return pattern === host;
}

/** A channel codex actually contacts: `contacted: false` marks links and identifiers it shows or
 *  compares but never fetches. A scan report from before the field existed counts as contacted. */
export function isContacted(c: { contacted?: boolean }): boolean {
  return c.contacted !== false;
}

/** HostChannels over a list of channels with `hosts` patterns. Channels codex never contacts are
 *  never candidates for what it was seen doing. */
export function hostChannelsOf(channels: { id: string; name: string; hosts: string[]; contacted?: boolean }[]): HostChannels {
  return (host) =>
    channels
      .filter((c) => isContacted(c) && c.hosts.some((h) => hostMatches(h.toLowerCase(), host.toLowerCase())))
      .map((c) => ({ id: c.id, name: c.name }));
}

export interface ObserveInput {
  sightings: Sighting[];
  /** Names codex looked up inside the sandbox: it tried to go around the proxy. */
  escapes?: Escape[];
  /** Reverse listener name → upstream origin it stands for (e.g. model-api → https://api.openai.com). */
  upstreamOf: Record<string, string>;
  /** Reverse listener name → its loopback port (absolute-form proxy requests to it count as reverse). */
  portOf: Record<string, number>;
  classify?: Classify;
  hostChannels?: HostChannels;
  channels?: Channel[];
  approach: Approach;
  /** Approach ca: which CA variables the run set (the prediction is made for exactly those). */
  caEnv?: CaEnvChoice;
  /** Defaults to process.platform. */
  platform?: NodeJS.Platform;
}

/**
 * The channel's prediction for this run. For approach ca it is specialised to the CA variables the
 * run set and to this platform, from Channel.caEnv; otherwise the scan's coverage verdict.
 */
export function predictionFor(ch: Channel, input: Pick<ObserveInput, 'approach' | 'caEnv' | 'platform'>): Verdict {
  if (input.approach !== 'ca' || !ch.caEnv || !input.caEnv) return ch.coverage[input.approach];
  const rules = loadVerifyRules();
  const set = input.caEnv === 'both' ? [rules.caEnv, rules.fallbackCaEnv] : input.caEnv === 'none' ? [] : [input.caEnv];
  const linux = (input.platform ?? process.platform) === 'linux';
  const trusts = (vias: string[]) =>
    vias.some((v) => {
      const [name, only] = v.split('@');
      return set.includes(name!) && (only !== 'linux' || linux);
    });
  const per = ch.caEnv.map(trusts);
  if (per.length === 0) return ch.coverage.ca;
  return per.every(Boolean) ? 'yes' : per.some(Boolean) ? 'partial' : 'no';
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q >= 0 ? path.slice(0, q) : path;
}

export function observe(input: ObserveInput): Observation[] {
  const byKey = new Map<string, Observation>();
  const channelById = new Map((input.channels ?? []).map((c) => [c.id, c]));
  const listenerByPort = new Map(Object.entries(input.portOf).map(([name, port]) => [port, name]));

  const add = (o: Omit<Observation, 'channel' | 'predicted' | 'count'>, url: string): void => {
    const key = [o.route, o.host, o.method, o.path, o.listener ?? '', o.upgrade ?? ''].join('\u0000');
    const seen = byKey.get(key);
    if (seen) {
      seen.count++;
      return;
    }
    // a websocket upgrade is the websocket channel of that URL when the scan has one
    const ws = o.upgrade?.toLowerCase() === 'websocket' ? input.classify?.(url, true) : undefined;
    const hit = ws && (!input.channels || channelById.has(ws.id)) ? ws : input.classify?.(url);
    const channel = hit?.id ?? null;
    const known = channel ? channelById.get(channel) : undefined;
    const predicted: Verdict | null = input.channels ? (known ? predictionFor(known, input) : 'unknown') : null;
    const obs: Observation = { ...o, channel, predicted, count: 1 };
    if (hit) obs.channelName = hit.name;
    byKey.set(key, obs);
  };

  /** A connection without a request: the path is unknown, so name every channel of the host. */
  const addHostOnly = (o: Omit<Observation, 'channel' | 'predicted' | 'count'>, bareHost: string): void => {
    const key = [o.route, o.host, o.method, o.path].join('\u0000');
    const seen = byKey.get(key);
    if (seen) {
      seen.count++;
      return;
    }
    // Channels codex never contacts are dropped here too, whatever HostChannels was given.
    const cands = (input.hostChannels?.(bareHost) ?? []).filter((c) => {
      const ch = channelById.get(c.id);
      return !ch || isContacted(ch);
    });
    let predicted: Verdict | null = null;
    if (input.channels) {
      const verdicts = cands.map((c) => {
        const ch = channelById.get(c.id);
        return ch ? predictionFor(ch, input) : 'unknown';
      });
      predicted = verdicts.length === 0 ? 'unknown' : verdicts.every((v) => v === verdicts[0]) ? verdicts[0]! : 'partial';
    }
    const obs: Observation = { ...o, channel: cands.length === 1 ? cands[0]!.id : null, predicted, count: 1 };
    if (cands.length === 1) obs.channelName = cands[0]!.name;
    if (cands.length > 0) obs.candidates = cands.map((c) => c.id);
    byKey.set(key, obs);
  };

  const reverse = (listener: string, req: SeenRequest): void => {
    const upstream = input.upstreamOf[listener] ?? '';
    const path = pathOnly(req.path);
    const o: Omit<Observation, 'channel' | 'predicted' | 'count'> = {
      host: upstream ? new URL(upstream).host : listener,
      method: req.method,
      path,
      route: 'reverse',
      listener,
      scheme: 'http',
    };
    if (req.upgrade) o.upgrade = req.upgrade;
    add(o, `${upstream}${path}`);
  };

  for (const s of input.sightings) {
    if (s.kind === 'reverse') {
      reverse(s.listener, s);
    } else if (s.kind === 'proxy-http') {
      const own = s.host === '127.0.0.1' || s.host === 'localhost' ? listenerByPort.get(s.port) : undefined;
      if (own) {
        reverse(own, s);
        continue;
      }
      const path = pathOnly(s.path);
      const o: Omit<Observation, 'channel' | 'predicted' | 'count'> = { host: s.host, method: s.method, path, route: 'intercepted', scheme: 'http' };
      if (s.upgrade) o.upgrade = s.upgrade;
      add(o, `http://${s.host}${path}`);
    } else {
      const host = s.port === 443 ? s.host : `${s.host}:${s.port}`;
      const origin = `https://${host}`;
      if (s.tls === 'accepted') {
        for (const req of s.requests) {
          const path = pathOnly(req.path);
          const o: Omit<Observation, 'channel' | 'predicted' | 'count'> = {
            host,
            method: req.method,
            path,
            route: 'intercepted',
            scheme: 'https',
          };
          if (req.upgrade) o.upgrade = req.upgrade;
          add(o, `${origin}${path}`);
        }
      } else {
        const error = s.error ?? 'TLS refused';
        addHostOnly({ host, method: 'CONNECT', path: '', route: 'refused', scheme: 'https', error }, s.host);
      }
    }
  }

  for (const e of input.escapes ?? []) {
    addHostOnly({ host: e.target, method: e.how === 'dns' ? 'DNS' : 'CONNECT', path: '', route: 'escaped', error: 'went around the proxy (blocked by the sandbox)' }, e.target);
  }

  const out = [...byKey.values()];
  if (input.channels) {
    const seenChannels = new Set(out.flatMap((o) => (o.channel ? [o.channel] : (o.candidates ?? []))));
    for (const ch of input.channels) {
      // links and codex's own loopback listeners are never fetched: "not seen" would say nothing
      if (seenChannels.has(ch.id) || !isContacted(ch)) continue;
      const o: Observation = {
        host: ch.hosts[0] ?? '',
        method: '',
        path: '',
        route: 'not-seen',
        channel: ch.id,
        predicted: predictionFor(ch, input),
        count: 0,
        channelName: ch.name,
      };
      out.push(o);
    }
  }
  return out;
}

/** Observations that fail the run: a channel predicted as captured ('yes') was seen refused.
 *  Only when the run applied the approach in full (a; ca with a CA env): b needs a rebuilt binary
 *  and the OS store, which verify does not do, so there refusals are expected and only reported. */
export function failures(observations: Observation[], applied = true): Observation[] {
  if (!applied) return [];
  return observations.filter((o) => o.route === 'refused' && o.predicted === 'yes');
}
