// What a client's builder calls mean for trust, resolved once from the method lists of
// rules/rust.toml [clients] (aliases such as `tls_backend_rustls` included): for each fact,
// `always` (called unconditionally), `conditional` (only inside an if / match / closure) or `never`.
// Reporters, verdicts and the patcher read these, never method names.
import type { ClientFactory, ClientSite } from '../model.js';
import { loadRules } from '../scan/rust/rules-load.js';

export type Meaning = 'always' | 'conditional' | 'never';

export interface TlsMeanings {
  rustls: Meaning;
  nativeTls: Meaning;
  preconfigured: Meaning;
  rootsAdded: Meaning;
  builtinRootsOff: Meaning;
  acceptsInvalid: Meaning;
  proxy: Meaning;
  noProxy: Meaning;
}

type Carrier = Pick<ClientSite | ClientFactory, 'tls' | 'conditionalCalls' | 'noProxy'> & { proxy?: boolean };

export function tlsMeanings(c: Carrier | undefined): TlsMeanings {
  const m = loadRules().data.clients;
  const cond = c?.conditionalCalls ?? [];
  // `tls_backend_preconfigured…` variants take arguments in their name: matched by prefix
  const meaning = (flag: boolean | undefined, names: readonly string[], prefix = false): Meaning =>
    !flag ? 'never' : cond.some((call) => names.some((n) => call === n || (prefix && call.startsWith(n)))) ? 'conditional' : 'always';
  return {
    rustls: meaning(c?.tls.useRustls, m.use_rustls),
    nativeTls: meaning(c?.tls.useNativeTls, m.use_native_tls),
    preconfigured: meaning(c?.tls.preconfiguredTls, m.preconfigured, true),
    rootsAdded: meaning(c?.tls.rootsAdded, m.roots_added),
    builtinRootsOff: meaning(c?.tls.builtInRootsDisabled, m.builtin_roots),
    acceptsInvalid: meaning(c?.tls.acceptsInvalidCerts, m.accept_invalid),
    proxy: meaning(c?.proxy, m.proxy),
    noProxy: meaning(c?.noProxy, m.no_proxy),
  };
}

/** The client always switches to rustls (itself or through a preconfigured rustls config). */
export function forcesRustls(c: Carrier | undefined): boolean {
  const t = tlsMeanings(c);
  return t.rustls === 'always' || t.preconfigured === 'always';
}
