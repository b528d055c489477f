// Effective TLS of each client in the codex CLI binary, from unified Cargo features and the
// builder calls the scanner saw. Reasons are sentences a user can check against the tree.
import type { Capabilities, ClientFactory, ClientSite, Platform, PlatformVerdicts, Roots, TlsFeature, Verdict } from '../model.js';
import { forcesRustls, tlsMeanings } from './tls-meaning.js';
import { approachARules } from '../rules/files.js';
import { CLI_PACKAGE } from '../scan/cargo/closure.js';

/** What the verdicts read of a client: a construction site or a factory. */
type Carrier = ClientSite | ClientFactory;
const isWebsocket = (c: Carrier | undefined): boolean => c?.kind === 'websocket';
/** How reasons cite a carrier: its site (a factory that is just the function around one site), or the factory. */
export const nameOf = (c: Carrier): string =>
  'name' in c && !c.at ? `${c.file}:${c.line} (${c.kind === 'websocket' ? 'websocket factory' : 'client factory'} ${c.name})` : 'name' in c ? `${c.at!.file}:${c.at!.line}` : `${c.file}:${c.line}`;

export interface ClientTrust {
  backend: 'native-tls' | 'rustls' | 'unknown';
  roots: Roots[];
  customCa: string[];
  honoursProxy: boolean;
  reasons: string[];
}

export interface TrustContext {
  capabilities: Capabilities;
  /** TlsFeature facts that enable the unified reqwest features of the CLI binary. */
  evidence: TlsFeature[];
  /** The same for the websocket transport (tokio-tungstenite). */
  wsEvidence?: TlsFeature[];
}

/** Where a TLS feature comes from; `transport` is the client's own crate (reqwest, or
 *  tokio-tungstenite for a websocket): another crate's entry is one that turns its features on. */
const where = (f: TlsFeature, transport = 'reqwest') =>
  f.dependency !== transport
    ? `${f.dependency} in ${f.manifest} line ${f.line} (a registry crate that turns on ${transport}'s ${f.feature}: an inference from its published features)`
    : f.implicit
    ? `${f.dependency} in ${f.manifest} line ${f.line} keeps its default features (implicit ${f.feature}${f.inherited ? ', through workspace = true' : ''})`
    : `feature ${f.feature} of ${f.dependency} in ${f.declared?.manifest ?? f.manifest} line ${f.declared?.line ?? f.line}`;

/** Cite the entry a reader finds first: the workspace root's, then a member's own, then inherited ones. */
const citeOrder = (f: TlsFeature) => (f.table === 'workspace.dependencies' ? 0 : f.inherited ? 2 : 1);

function rootsOf(ctx: TrustContext, crate?: string): { webpki: TlsFeature[]; native: TlsFeature[]; nativeTls: TlsFeature[] } {
  // The client's own crate first: that manifest line is what a reader checks.
  // reqwest's own entries before features another crate turns on in it (e.g. sentry's native-tls).
  const own = (f: TlsFeature) => (f.dependency === 'reqwest' ? 0 : 2) + (f.crate === crate ? 0 : 1);
  const sorted = [...ctx.evidence].sort(
    (a, b) => own(a) - own(b) || citeOrder(a) - citeOrder(b) || a.manifest.localeCompare(b.manifest) || a.line - b.line,
  );
  return {
    webpki: sorted.filter((f) => f.roots === 'webpki'),
    native: sorted.filter((f) => f.roots === 'native'),
    nativeTls: sorted.filter((f) => f.roots === 'native-tls' || f.roots === 'platform'),
  };
}

/**
 * TLS backend and roots a reqwest client built at `client` (or an unseen default client of
 * `crate`, the crate of the channel's endpoints) uses.
 */
export function clientTrust(client: Carrier | undefined, ctx: TrustContext, crate?: string): ClientTrust {
  const own = client?.crate ?? crate;
  const ws = isWebsocket(client);
  const dep = ws ? 'tokio-tungstenite' : 'reqwest';
  const r = rootsOf(ws ? { ...ctx, evidence: ctx.wsEvidence ?? [] } : ctx, own);
  const reasons: string[] = [];
  const site = client ? nameOf(client) : 'the client (no construction site is linked to this channel)';
  if (client && 'name' in client && !client.at) reasons.push(`${site} reaches ${client.sites.map((s) => `${s.file}:${s.line}`).join(', ')}${client.via?.length ? ` through ${client.via.join(', ')}` : ''}`);
  // a feature another crate turns on holds for every crate of the binary: say so when citing one
  const unified = (f: TlsFeature) => (f.crate !== own ? ' (Cargo unifies features across the binary)' : '');
  const t = tlsMeanings(client);
  const honoursProxy = t.noProxy !== 'always';
  if (!honoursProxy) reasons.push(`${site} calls no_proxy(): HTTPS_PROXY is ignored`);
  else if (client?.noProxy) reasons.push(`${site} calls no_proxy() only under a condition (e.g. inside a sandbox); otherwise HTTPS_PROXY is honoured`);
  const customCa = client?.tls.rootsAdded || client?.tls.preconfiguredTls ? client.tls.customCaEnv : [];
  if (customCa.length > 0)
    reasons.push(
      `${site} adds roots from ${customCa.join(' / ')}${t.rustls === 'conditional' ? ' (switching to rustls only when one of them is set)' : ''}`,
    );
  const forcedRustls = ws || forcesRustls(client);
  if (ws) reasons.push(`${site} opens a websocket: rustls with the roots of tokio-tungstenite's features${customCa.length ? ', or a rustls config holding the custom CA' : ''}`);
  if (!forcedRustls && r.nativeTls.length > 0) {
    const rustlsWhen = t.rustls === 'conditional' ? 'calls use_rustls_tls only under a condition' : 'does not call use_rustls_tls';
    reasons.push(`native-tls (OS store) because ${where(r.nativeTls[0]!, dep)} reaches ${CLI_PACKAGE}${unified(r.nativeTls[0]!)} and ${site} ${rustlsWhen}`);
    return { backend: 'native-tls', roots: ['native-tls'], customCa, honoursProxy, reasons };
  }
  if (client?.tls.preconfiguredTls) reasons.push(`${site} uses use_preconfigured_tls: roots are whatever that config holds`);
  const roots: Roots[] = [];
  if (t.builtinRootsOff === 'always') {
    reasons.push(`${site} disables built-in roots (tls_built_in_root_certs(false))`);
  } else {
    if (r.webpki.length > 0) {
      roots.push('webpki');
      reasons.push(`rustls with compiled-in webpki roots from ${where(r.webpki[0]!, dep)}${unified(r.webpki[0]!)}`);
    }
    if (r.native.length > 0) {
      roots.push('native');
      reasons.push(`rustls with OS roots from ${where(r.native[0]!, dep)}${unified(r.native[0]!)}`);
    }
  }
  if (roots.length === 0 && customCa.length === 0 && !client?.tls.preconfiguredTls) {
    reasons.push(`no TLS feature of ${ws ? 'tokio-tungstenite' : 'reqwest'} reaches ${CLI_PACKAGE} in this tree`);
    return { backend: 'unknown', roots, customCa, honoursProxy, reasons };
  }
  return { backend: 'rustls', roots, customCa, honoursProxy, reasons };
}

/** The variable OpenSSL and rustls-native-certs read a CA bundle from (rules/approach-a.toml [ca] fallback_env). */
const sslCertFile = (): string => approachARules().ca.fallback_env;

/** B: rebuilt with native roots, CA in the OS store, forward proxy. */
export function verdictB(t: ClientTrust): { verdict: Verdict; why: string } {
  if (!t.honoursProxy) return { verdict: 'no', why: 'bypasses the forward proxy (no_proxy)' };
  if (t.backend === 'native-tls') return { verdict: 'yes', why: 'native-tls trusts the OS store, where B installs the CA (the rebuild is not what makes it work)' };
  if (t.backend === 'rustls') {
    if (t.roots.length === 0 && t.customCa.length === 0) return { verdict: 'no', why: 'built-in roots disabled: the OS store is not consulted' };
    return { verdict: 'yes', why: 'after the rebuild rustls loads OS roots, where B installs the CA' };
  }
  return { verdict: 'unknown', why: 'TLS backend unknown' };
}

const all = (v: Verdict): PlatformVerdicts => ({ linux: v, macos: v, windows: v });

/** CA: forward proxy + CA through the environment, no rebuild; per platform, and their summary. */
export function verdictCa(t: ClientTrust): { verdict: Verdict; why: string; platforms: PlatformVerdicts } {
  if (!t.honoursProxy) return { verdict: 'no', why: 'bypasses the forward proxy (no_proxy)', platforms: all('no') };
  if (t.customCa.length > 0) return { verdict: 'yes', why: `the client adds the CA from ${t.customCa.join(' / ')} (on every platform)`, platforms: all('yes') };
  if (t.backend === 'native-tls')
    return {
      verdict: 'partial',
      why: `native-tls: Linux yes (OpenSSL reads ${sslCertFile()}); macOS and Windows no (Security.framework / SChannel use the OS store only)`,
      platforms: { linux: 'yes', macos: 'no', windows: 'no' },
    };
  if (t.backend === 'rustls' && t.roots.includes('native'))
    return { verdict: 'yes', why: `rustls OS roots (rustls-native-certs) honour ${sslCertFile()} on every platform`, platforms: all('yes') };
  if (t.backend === 'rustls') return { verdict: 'no', why: 'rustls with compiled-in webpki roots only: no environment variable adds a CA', platforms: all('no') };
  return { verdict: 'unknown', why: 'TLS backend unknown', platforms: all('unknown') };
}

/** Per-platform verdicts of several clients of one channel. */
export function combinePlatforms(ps: PlatformVerdicts[]): PlatformVerdicts {
  const of = (p: Platform) => combine(ps.map((x) => x[p]));
  return { linux: of('linux'), macos: of('macos'), windows: of('windows') };
}

/** The env vars that make this client trust an added CA behind the forward proxy (see Channel.caEnv). */
export function caEnvOf(t: ClientTrust): string[] {
  if (!t.honoursProxy) return [];
  const out = [...t.customCa];
  if (t.backend === 'native-tls') out.push(`${sslCertFile()}@linux`);
  else if (t.backend === 'rustls' && t.roots.includes('native')) out.push(sslCertFile());
  return [...new Set(out)];
}

/** Combines per-client verdicts of one channel. */
export function combine(verdicts: Verdict[]): Verdict {
  if (verdicts.length === 0) return 'unknown';
  if (verdicts.every((v) => v === verdicts[0])) return verdicts[0]!;
  if (verdicts.includes('yes') || verdicts.includes('partial')) return 'partial';
  return verdicts.includes('unknown') ? 'unknown' : 'no';
}

export function describeTrust(t: ClientTrust): string {
  const parts: string[] =
    t.backend === 'native-tls'
      ? [`native-tls (OS store; OpenSSL on Linux honours ${sslCertFile()})`]
      : t.backend === 'rustls'
        ? [`rustls (${t.roots.length ? t.roots.join(' + ') : 'no built-in'} roots)`]
        : ['unknown'];
  if (t.customCa.length) parts.push(`+ CA from ${t.customCa.join('/')}`);
  if (!t.honoursProxy) parts.push('no proxy');
  return parts.join(' ');
}
