// A client's TLS calls resolved once into meanings (always / conditional / never) from the method
// lists of rules/rust.toml, aliases included: the report's flags and the verdicts read these.
import { describe, expect, it } from 'vitest';
import { forcesRustls, tlsMeanings } from '../../src/channels/tls-meaning.js';
import type { ClientSite } from '../../src/model.js';
import { clientFlags } from '../../src/report/labels.js';

const site = (tls: Partial<ClientSite['tls']>, conditionalCalls: string[] = [], more: Partial<ClientSite> = {}): ClientSite =>
  ({
    file: 'x.rs',
    line: 1,
    crate: 'codex-x',
    test: false,
    kind: 'builder',
    calls: [],
    conditionalCalls,
    proxy: false,
    noProxy: false,
    tls: { useRustls: false, useNativeTls: false, rootsAdded: false, builtInRootsDisabled: false, acceptsInvalidCerts: false, preconfiguredTls: false, customCaEnv: [], ...tls },
    ...more,
  }) as unknown as ClientSite;

describe('TLS meanings', () => {
  it('the alias tls_backend_rustls under a condition is conditional, like use_rustls_tls', () => {
    for (const call of ['use_rustls_tls', 'tls_backend_rustls']) {
      const c = site({ useRustls: true }, [call]);
      expect(tlsMeanings(c).rustls).toBe('conditional');
      expect(forcesRustls(c)).toBe(false);
      expect(clientFlags(c)).toEqual(['rustls?']);
    }
    expect(forcesRustls(site({ useRustls: true }))).toBe(true);
  });
  it('preconfigured variants match by prefix; facts not called are never', () => {
    const c = site({ preconfiguredTls: true, rootsAdded: true, customCaEnv: ['CODEX_CA_CERTIFICATE'] }, ['tls_backend_preconfigured_with_roots']);
    expect(tlsMeanings(c)).toMatchObject({ preconfigured: 'conditional', rootsAdded: 'always', rustls: 'never', noProxy: 'never' });
    expect(clientFlags(c)).toEqual(['preconfigured-tls?', 'roots+ (CODEX_CA_CERTIFICATE)']);
    expect(tlsMeanings(undefined).rustls).toBe('never');
  });
  it('no_proxy only in a sandbox branch is conditional: the proxy is honoured otherwise', () => {
    expect(tlsMeanings(site({}, ['no_proxy'], { noProxy: true })).noProxy).toBe('conditional');
    expect(tlsMeanings(site({}, [], { noProxy: true })).noProxy).toBe('always');
  });
});
