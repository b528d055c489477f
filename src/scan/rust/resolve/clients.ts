// Client sites with their TLS facts: builder calls of the site plus those of the helpers the
// builder is handed to (transitively), custom-CA env vars of the files that add roots.
import type { ClientSite, ClientTls } from '../../../model.js';
import type { RawHelper } from '../facts.js';
import { words } from '../facts.js';
import type { RustRules } from '../rules.js';
import type { ResolveContext } from './context.js';

export function clientsOf(ctx: ResolveContext): ClientSite[] {
  const { entries, crates, rules, crateFor, isTest, envByFile } = ctx;
  const helpers = new Map<string, (RawHelper & { file: string; crate: string })[]>();
  for (const e of entries) {
    for (const h of e.facts?.helpers ?? []) {
      const l = helpers.get(h.name) ?? [];
      l.push({ ...h, file: e.file, crate: crateFor(e.file) });
      helpers.set(h.name, l);
    }
  }
  const helperFor = (name: string, file: string): (RawHelper & { file: string; crate: string }) | undefined => {
    const l = helpers.get(name);
    if (!l?.length) return undefined;
    return l.find((h) => h.file === file) ?? l.find((h) => h.crate === crateFor(file)) ?? (l.length === 1 ? l[0] : l.find((h) => !h.test));
  };
  const c = rules.data.clients;
  // crate ident (`codex_client`) -> crate name, for calls written with their crate's path
  const crateByIdent = new Map(crates.map((k) => [k.name.replace(/-/g, '_'), k.name]));
  const clients: ClientSite[] = [];
  for (const e of entries) {
    for (const raw of e.facts?.clients ?? []) {
      const calls = [...raw.calls];
      const via: string[] = [];
      const caEnv: string[] = [];
      const addCaEnv = (file: string): void => {
        for (const n of envByFile.get(file) ?? []) if (rules.caEnv.test(n) && !caEnv.includes(n)) caEnv.push(n);
      };
      if (raw.calls.some((m) => c.roots_added.includes(m))) addCaEnv(e.file);
      // methods applied on some path without a condition (the rest of `calls` are conditional)
      const always = new Set(raw.calls.filter((m) => !raw.condCalls?.includes(m)));
      const queue = raw.via.map((v) => ({ name: v, from: e.file, cond: raw.condVia?.includes(v) === true }));
      const visited = new Set<string>();
      while (queue.length) {
        const { name, from, cond } = queue.shift()!;
        const h = helperFor(name, from);
        if (!h) continue;
        const key = `${h.file}#${h.name}`;
        if (visited.has(`${key}#${cond}`) || visited.has(`${key}#false`)) continue;
        visited.add(`${key}#${cond}`);
        if (!via.includes(h.name)) via.push(h.name);
        for (const m of h.calls) if (!calls.includes(m)) calls.push(m);
        if (!cond) for (const m of h.calls) if (!h.condCalls?.includes(m)) always.add(m);
        if (h.calls.some((m) => c.roots_added.includes(m))) addCaEnv(h.file);
        for (const v of h.via) queue.push({ name: v, from: h.file, cond: cond || h.condVia?.includes(v) === true });
      }
      const conditionalCalls = calls.filter((m) => !always.has(m));
      const has = (l: string[]): boolean => calls.some((m) => l.includes(m));
      // a preconfigured TLS config built, in the same function, by a custom-CA function: the CA env
      // vars read in that function's crate (named by the call's path, else the client's own)
      let preconfiguredCa = false;
      if (has(c.preconfigured) && raw.function) {
        const fn = e.facts?.functions?.filter((f) => f.name === raw.function && raw.line >= f.line && raw.line <= f.endLine).pop();
        const uses = e.facts?.uses ?? {};
        for (const written of words(fn?.calls)) {
          const head = written.split('::')[0]!;
          const call = uses[head] ? `${uses[head]}${written.slice(head.length)}` : written;
          const segs = call.split('::');
          if (!rules.caConfigFunction.test(segs[segs.length - 1]!)) continue;
          const crate = (segs.length > 1 ? crateByIdent.get(segs[0]!) : undefined) ?? crateFor(e.file);
          // the crate's library: its binaries (src/main.rs, src/bin/) are not what the call reaches
          for (const f of envByFile.keys()) if (crateFor(f) === crate && !/(^|\/)src\/(bin\/|main\.rs$)/.test(f)) addCaEnv(f);
          preconfiguredCa = caEnv.length > 0;
        }
      }
      const tls = tlsOf(calls, rules, { customCaEnv: has(c.roots_added) || preconfiguredCa ? caEnv : [] });
      const websocket = (rules.data.factories?.websocket_connect ?? []).includes(raw.constructor);
      clients.push({
        file: e.file,
        line: raw.line,
        crate: crateFor(e.file),
        // handed to a helper that exists for tests (directly or through other helpers): test tooling
        test: isTest(e.file, raw.test) || via.some((v) => rules.testHelpers.some((r) => r.test(v))),
        constructor: raw.constructor,
        ...(websocket ? { kind: 'websocket' as const } : {}),
        calls,
        tls,
        noProxy: has(c.no_proxy),
        proxy: has(c.proxy),
        ...(raw.function ? { function: raw.function } : {}),
        ...(via.length ? { via } : {}),
        ...(conditionalCalls.length ? { conditionalCalls } : {}),
        ...(raw.fallback ? { fallback: true } : {}),
      });
    }
  }

  return clients;

}

/** The TLS facts of a builder that had `calls` applied (rules/rust.toml [clients] lists). */
export function tlsOf(calls: readonly string[], rules: RustRules, o: { customCaEnv: string[]; preconfiguredTls?: boolean }): ClientTls {
  const c = rules.data.clients;
  const has = (l: string[]): boolean => calls.some((m) => l.includes(m));
  return {
    useRustls: has(c.use_rustls),
    useNativeTls: has(c.use_native_tls),
    rootsAdded: has(c.roots_added),
    builtInRootsDisabled: has(c.builtin_roots),
    acceptsInvalidCerts: has(c.accept_invalid),
    preconfiguredTls: o.preconfiguredTls ?? has(c.preconfigured),
    customCaEnv: o.customCaEnv,
  };
}
