// Cross-file resolution of per-file facts: consts (same file, same crate, then unique across the
// tree), builder helpers (transitively), test modules (`#[cfg(test)] mod x;` → x.rs / x/mod.rs /
// `#[path]`), crate of each finding. Pure.
import path from 'node:path/posix';
import type { ClientSite, ClientTls, ConfigKey, CrateInfo, Endpoint, EnvVar, Override } from '../../model.js';
import { configPathOf } from '../../model.js';
import { crateOf } from '../crates.js';
import type { FileFacts, RawBaseArg, RawConst, RawHelper, RawOverride } from './facts.js';
import type { RustRules } from './rules.js';

export interface FileEntry {
  file: string;
  /** Facts of a parsed file; undefined when the prefilter skipped it. */
  facts?: FileFacts;
  /** Consts and module declarations of every file (from the text pass). */
  consts: RawConst[];
  modDecls: FileFacts['modDecls'];
  /** Base URLs handed to calls, of a file that is not parsed (a parsed file has them in `facts`). */
  baseArgs?: RawBaseArg[];
}

export interface Resolved {
  clients: ClientSite[];
  endpoints: Endpoint[];
  envVars: EnvVar[];
  configKeys: ConfigKey[];
  testFiles: Set<string>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Files that hold only test code: by path, `#![cfg(test)]`, or as (descendants of) cfg(test) file modules. */
export function testFilesOf(entries: FileEntry[], rules: RustRules): Set<string> {
  const files = new Set(entries.map((e) => e.file));
  const test = new Set<string>();
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const e of entries) {
    if (rules.testPaths.some((r) => r.test(e.file)) || e.facts?.fileTest) roots.push(e.file);
    const dir = path.dirname(e.file);
    const base = path.basename(e.file);
    const modDir = ['mod.rs', 'lib.rs', 'main.rs'].includes(base) || /(^|\/)src\/bin$/.test(dir) ? dir : path.join(dir, base.replace(/\.rs$/, ''));
    for (const d of e.modDecls) {
      const cands = d.path
        ? [path.normalize(path.join(dir, d.path))]
        : [path.join(modDir, `${d.name}.rs`), path.join(modDir, d.name, 'mod.rs')];
      const target = cands.find((c) => files.has(c));
      if (!target) continue;
      const list = children.get(e.file) ?? [];
      list.push(target);
      children.set(e.file, list);
      if (d.test) roots.push(target);
    }
  }
  const stack = [...roots];
  const testDirs: string[] = [];
  while (stack.length) {
    const f = stack.pop()!;
    if (test.has(f)) continue;
    test.add(f);
    const base = path.basename(f);
    if (base === 'mod.rs') testDirs.push(`${path.dirname(f)}/`);
    else if (!['lib.rs', 'main.rs'].includes(base)) testDirs.push(`${f.replace(/\.rs$/, '')}/`);
    for (const c of children.get(f) ?? []) stack.push(c);
  }
  if (testDirs.length) for (const f of files) if (testDirs.some((d) => f.startsWith(d))) test.add(f);
  return test;
}

/**
 * Crates of the workspace that other crates use only as dev-dependencies (test helpers such as
 * codex-test-binary-support): their code runs in tests only. A crate with a binary, or one no
 * crate depends on, is not one of them.
 */
export function devOnlyCrates(crates: readonly CrateInfo[]): Set<string> {
  const tables = new Map<string, Set<string>>();
  for (const c of crates)
    for (const d of c.deps) {
      if (d.path === undefined) continue;
      const t = tables.get(d.package) ?? new Set<string>();
      t.add(d.table);
      tables.set(d.package, t);
    }
  const out = new Set<string>();
  for (const c of crates) {
    const t = tables.get(c.name);
    if (t && c.bins.length === 0 && [...t].every((x) => x === 'dev-dependencies')) out.add(c.name);
  }
  return out;
}

interface ConstDef extends RawConst {
  file: string;
  crate: string;
}

export function resolveFacts(entries: FileEntry[], crates: CrateInfo[], rules: RustRules): Resolved {
  const testFiles = testFilesOf(entries, rules);
  const crateCache = new Map<string, string>();
  const crateFor = (f: string): string => {
    let c = crateCache.get(f);
    if (c === undefined) {
      c = crateOf(f, crates);
      crateCache.set(f, c);
    }
    return c;
  };

  // ---- const table ------------------------------------------------------------------------
  const byName = new Map<string, ConstDef[]>();
  for (const e of entries) {
    const list = e.facts ? e.facts.consts : e.consts;
    for (const c of list) {
      const d: ConstDef = { ...c, file: e.file, crate: crateFor(e.file) };
      const l = byName.get(c.name) ?? [];
      l.push(d);
      byName.set(c.name, l);
    }
  }
  const resolveConst = (name: string, file: string): ConstDef | undefined => {
    const defs = byName.get(name);
    if (!defs?.length) return undefined;
    const prod = (l: ConstDef[]): ConstDef | undefined => l.find((d) => !d.test && !testFiles.has(d.file)) ?? l[0];
    const same = defs.filter((d) => d.file === file);
    if (same.length) return prod(same);
    const crate = crateFor(file);
    const inCrate = defs.filter((d) => d.crate === crate);
    if (inCrate.length) return prod(inCrate);
    const values = new Set(defs.map((d) => d.value));
    return values.size === 1 ? prod(defs) : undefined;
  };
  const overrideOut = (o: RawOverride, file: string): Override | undefined => {
    if (o.kind === 'config' || o.kind === 'flag') return o.name ? { kind: o.kind, name: o.name, file, line: o.line } : undefined;
    const name = o.name ?? (o.constRef ? resolveConst(o.constRef, file)?.value : undefined);
    if (!name || !ENV_NAME.test(name)) return undefined;
    return { kind: 'env', name, file, line: o.line };
  };

  const devOnly = devOnlyCrates(crates);
  const isTest = (file: string, t: boolean): boolean => t || testFiles.has(file) || devOnly.has(crateFor(file));

  // ---- env vars ---------------------------------------------------------------------------
  const envVars: EnvVar[] = [];
  const envByFile = new Map<string, string[]>();
  for (const e of entries) {
    if (!e.facts) continue;
    const seen = new Set<string>();
    for (const r of e.facts.envReads) {
      let name = r.name;
      let via = 'literal';
      if (!name && r.constRef) {
        const d = resolveConst(r.constRef, e.file);
        if (!d || !/^[A-Z][A-Z0-9_]*$/.test(d.value)) continue;
        name = d.value;
        via = r.constRef;
      }
      if (!name || !ENV_NAME.test(name)) continue;
      const k = `${r.line}:${name}`;
      if (seen.has(k)) continue;
      seen.add(k);
      envVars.push({
        file: e.file,
        line: r.line,
        crate: crateFor(e.file),
        test: isTest(e.file, r.test),
        name,
        via,
        ...(r.function ? { function: r.function } : {}),
      });
      const l = envByFile.get(e.file) ?? [];
      if (!l.includes(name)) l.push(name);
      envByFile.set(e.file, l);
    }
  }

  // ---- endpoints --------------------------------------------------------------------------
  const endpoints: Endpoint[] = [];
  const refsByName = new Map<string, { file: string; crate: string; overrides: RawOverride[]; test: boolean }[]>();
  for (const e of entries) {
    for (const r of e.facts?.constRefs ?? []) {
      const l = refsByName.get(r.name) ?? [];
      l.push({ file: e.file, crate: crateFor(e.file), overrides: r.overrides, test: isTest(e.file, r.test) });
      refsByName.set(r.name, l);
    }
  }
  for (const e of entries) {
    if (!e.facts) continue;
    const crate = crateFor(e.file);
    const seen = new Set<string>();
    for (const u of e.facts.urls) {
      const k = `${u.line}:${u.url}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const overrides: Override[] = [];
      const add = (o: Override | undefined): void => {
        if (o && !overrides.some((x) => x.kind === o.kind && x.name === o.name && x.file === o.file && x.line === o.line)) overrides.push(o);
      };
      for (const o of u.overrides) add(overrideOut(o, e.file));
      const test = isTest(e.file, u.test);
      if (u.symbol) {
        const unique = (byName.get(u.symbol) ?? []).length === 1;
        for (const r of refsByName.get(u.symbol) ?? []) {
          if (r.crate !== crate && !unique) continue;
          if (r.test && !test) continue;
          for (const o of r.overrides) add(overrideOut(o, r.file));
        }
      }
      endpoints.push({
        file: e.file,
        line: u.line,
        crate,
        test,
        url: u.url,
        host: u.host,
        ...(u.symbol ? { symbol: u.symbol } : {}),
        overrides,
        ...(u.function ? { function: u.function } : {}),
      });
    }
  }

  // ---- path fragments appended to bases ------------------------------------------------------
  // A fragment joins an endpoint when its statement names the endpoint's const, when its function
  // reads a specific config key that overrides the endpoint (`chatgpt_base_url`, not the generic
  // `base_url`) or is handed one (`f(&config.chatgpt_base_url)`, `Type::new(…, chatgpt_base_url)`
  // for the file defining Type), or when it sits in the only file of the endpoint with one base URL.
  const GENERIC = new Set(['base_url', 'url']);
  const prodEndpointsByFile = new Map<string, Endpoint[]>();
  for (const ep of endpoints) {
    if (ep.test) continue;
    const l = prodEndpointsByFile.get(ep.file) ?? [];
    l.push(ep);
    prodEndpointsByFile.set(ep.file, l);
  }
  // config names handed to a function, or to a type's associated function, by production code
  const handedTo = new Map<string, Set<string>>();
  const hand = (key: string, name: string): void => {
    const set = handedTo.get(key) ?? new Set<string>();
    set.add(name);
    handedTo.set(key, set);
  };
  const deny = rules.denyFactories;
  for (const e of entries) {
    for (const b of e.facts?.baseArgs ?? e.baseArgs ?? []) {
      if (isTest(e.file, b.test)) continue;
      if (b.type) hand(`type:${b.type}`, b.configName);
      else if (!deny.has(b.callee)) hand(`fn:${b.callee}`, b.configName);
    }
  }
  for (const e of entries) {
    const typeNames = (e.facts?.types ?? []).flatMap((t) => [...(handedTo.get(`type:${t}`) ?? [])]);
    for (const p of e.facts?.paths ?? []) {
      if (isTest(e.file, p.test)) continue;
      const configNames = new Set([...p.configNames, ...typeNames, ...(p.function ? (handedTo.get(`fn:${p.function}`) ?? []) : [])]);
      const targets = new Set<Endpoint>();
      const byConfig: Endpoint[] = [];
      for (const ep of endpoints) {
        if (ep.test) continue;
        if (ep.symbol && p.refs.includes(ep.symbol) && (ep.crate === crateFor(e.file) || (byName.get(ep.symbol) ?? []).length === 1)) targets.add(ep);
        else if (ep.overrides.some((o) => o.kind === 'config' && !GENERIC.has(o.name) && configNames.has(o.name))) byConfig.push(ep);
      }
      // by config key: the defaults of the fragment's own crate when it has any (its base comes
      // from there), else every default that key overrides
      const own = byConfig.filter((ep) => ep.crate === crateFor(e.file));
      for (const ep of own.length ? own : byConfig) targets.add(ep);
      const local = prodEndpointsByFile.get(e.file) ?? [];
      if (targets.size === 0 && local.length === 1) targets.add(local[0]!);
      for (const ep of targets) {
        const paths = ep.paths ?? [];
        if (paths.includes(p.path)) continue;
        paths.push(p.path);
        ep.paths = paths;
        (ep.pathSites ??= []).push({ path: p.path, file: e.file, line: p.line });
      }
    }
  }

  // ---- clients ----------------------------------------------------------------------------
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
        const scope = e.facts?.scopes?.find((sc) => sc.function === raw.function);
        for (const call of scope?.calls ?? []) {
          const segs = call.split('::');
          if (!rules.caConfigFunction.test(segs[segs.length - 1]!)) continue;
          const crate = (segs.length > 1 ? crateByIdent.get(segs[0]!) : undefined) ?? crateFor(e.file);
          // the crate's library: its binaries (src/main.rs, src/bin/) are not what the call reaches
          for (const f of envByFile.keys()) if (crateFor(f) === crate && !/(^|\/)src\/(bin\/|main\.rs$)/.test(f)) addCaEnv(f);
          preconfiguredCa = caEnv.length > 0;
        }
      }
      const tls: ClientTls = {
        useRustls: has(c.use_rustls),
        useNativeTls: has(c.use_native_tls),
        rootsAdded: has(c.roots_added),
        builtInRootsDisabled: has(c.builtin_roots),
        acceptsInvalidCerts: has(c.accept_invalid),
        preconfiguredTls: has(c.preconfigured),
        customCaEnv: has(c.roots_added) || preconfiguredCa ? caEnv : [],
      };
      clients.push({
        file: e.file,
        line: raw.line,
        crate: crateFor(e.file),
        // handed to a helper that exists for tests (directly or through other helpers): test tooling
        test: isTest(e.file, raw.test) || via.some((v) => rules.testHelpers.some((r) => r.test(v))),
        constructor: raw.constructor,
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

  carriersOf(entries, endpoints, clients, byName, crateFor, isTest, rules, crates);

  // ---- config keys ------------------------------------------------------------------------
  const configKeys: ConfigKey[] = [];
  for (const e of entries) {
    for (const f of e.facts?.configFields ?? []) {
      const table = rules.data.config.tables?.[f.struct];
      configKeys.push({
        file: e.file,
        line: f.line,
        crate: crateFor(e.file),
        test: isTest(e.file, f.test),
        key: f.key,
        struct: f.struct,
        ...(table !== undefined ? { path: `${table}${f.key}` } : {}),
        type: f.type,
      });
    }
  }

  // config overrides named as a user writes them (`model_providers.<id>.base_url`); a `*base_url`
  // that is no field of the config structs (a function parameter, some other struct's field) is
  // not one a user can set, so it is not reported as an override
  const keyNames = new Set(configKeys.map((k) => k.key));
  for (const ep of endpoints) {
    ep.overrides = ep.overrides.flatMap((o) => {
      if (o.kind !== 'config') return [o];
      if (!keyNames.has(o.name)) return [];
      const p = configPathOf(o.name, configKeys);
      return [p && p !== o.name ? { ...o, path: p } : o];
    });
  }

  return { clients, endpoints, envVars, configKeys, testFiles };
}

// ---- carriers: which client construction sites carry an endpoint ------------------------------

interface Site {
  file: string;
  line: number;
}
interface Factory {
  name: string;
  file: string;
  crate: string;
  sites: Site[];
}

/**
 * Sets `Endpoint.carriers`: for each place the endpoint is used (its literal's function, or each
 * function naming its const), the clients constructed in that function plus the client factories it
 * calls; when that finds none, the clients of the same file plus the factories the file calls.
 * Factories are the functions holding a production client site, and functions returning a client
 * that call one. Factory names resolve in the same file, then the same crate, then any crate.
 */
function carriersOf(
  entries: FileEntry[],
  endpoints: Endpoint[],
  clients: ClientSite[],
  consts: Map<string, ConstDef[]>,
  crateFor: (f: string) => string,
  isTest: (file: string, t: boolean) => boolean,
  rules: RustRules,
  crates: CrateInfo[],
): void {
  const deny = rules.denyFactories;
  const crateByIdent = new Map(crates.map((c) => [c.name.replace(/-/g, '_'), c.name]));
  const depsOf = new Map(crates.map((c) => [c.name, new Set(c.deps.map((d) => d.package))]));
  const prod = clients.filter((c) => !c.test);
  const sitesByFile = new Map<string, ClientSite[]>();
  for (const c of prod) {
    const l = sitesByFile.get(c.file) ?? [];
    l.push(c);
    sitesByFile.set(c.file, l);
  }
  const scopesByFile = new Map<string, NonNullable<FileFacts['scopes']>>();
  for (const e of entries) if (e.facts?.scopes?.length) scopesByFile.set(e.file, e.facts.scopes);

  // factories: functions with a production client site ...
  const factories = new Map<string, Factory[]>();
  const factoryKey = new Map<string, Factory>();
  const addFactory = (name: string, file: string, sites: Site[]): boolean => {
    if (deny.has(name) || sites.length === 0) return false;
    const k = `${file}#${name}`;
    let f = factoryKey.get(k);
    if (!f) {
      f = { name, file, crate: crateFor(file), sites: [] };
      factoryKey.set(k, f);
      const l = factories.get(name) ?? [];
      l.push(f);
      factories.set(name, l);
    }
    let grew = false;
    for (const s of sites) if (!f.sites.some((x) => x.file === s.file && x.line === s.line)) {
      f.sites.push({ file: s.file, line: s.line });
      grew = true;
    }
    return grew;
  };
  for (const c of prod) if (c.function) addFactory(c.function, c.file, [c]);
  /** Factories a call (`name` or `path::name`) in `file` may reach: the crate its path names,
   *  else the same file, the same crate, the crates this one depends on, any crate. */
  const lookup = (call: string, file: string): Factory[] => {
    const segs = call.split('::');
    const name = segs[segs.length - 1]!;
    const l = factories.get(name);
    if (!l?.length || deny.has(name)) return [];
    const crate = crateFor(file);
    if (segs.length > 1) {
      const head = segs[0]!;
      const hinted = ['crate', 'self', 'super'].includes(head) ? crate : crateByIdent.get(head);
      const inHinted = hinted !== undefined ? l.filter((f) => f.crate === hinted) : [];
      if (inHinted.length) return inHinted;
    }
    const same = l.filter((f) => f.file === file);
    if (same.length) return same;
    const inCrate = l.filter((f) => f.crate === crate);
    if (inCrate.length) return inCrate;
    const deps = depsOf.get(crate);
    const inDeps = deps ? l.filter((f) => deps.has(f.crate)) : [];
    return inDeps.length ? inDeps : l;
  };
  // ... and functions that return a client and call a factory (a few rounds: wrappers of wrappers)
  for (let round = 0; round < 3; round++) {
    let grew = false;
    for (const [file, scopes] of scopesByFile) {
      if (isTest(file, false)) continue;
      for (const s of scopes) {
        if (!s.returnsClient || !s.function || s.test) continue;
        for (const n of s.calls) {
          if (n === s.function || n.endsWith(`::${s.function}`)) continue;
          for (const f of lookup(n, file)) if (addFactory(s.function, file, f.sites)) grew = true;
        }
      }
    }
    if (!grew) break;
  }

  /** Carriers of a use in `file`, in function `fn` (file level when undefined or not found). */
  const carriersAt = (file: string, fn: string | undefined, out: Map<string, Site>): void => {
    const add = (s: Site): void => {
      out.set(`${s.file}:${s.line}`, { file: s.file, line: s.line });
    };
    const scopes = scopesByFile.get(file) ?? [];
    const viaCalls = (calls: Iterable<string>): number => {
      let n = 0;
      for (const c of calls) for (const f of lookup(c, file)) for (const s of f.sites) {
        add(s);
        n++;
      }
      return n;
    };
    if (fn) {
      const own = scopes.filter((s) => s.function === fn && !s.test);
      let n = 0;
      for (const c of sitesByFile.get(file) ?? []) if (c.function === fn) {
        add(c);
        n++;
      }
      for (const s of own) n += viaCalls(s.calls);
      if (n > 0) return;
    }
    for (const c of sitesByFile.get(file) ?? []) add(c);
    viaCalls(new Set(scopes.filter((s) => !s.test).flatMap((s) => s.calls)));
  };

  for (const ep of endpoints) {
    if (ep.test) continue;
    const out = new Map<string, Site>();
    if (!ep.symbol) carriersAt(ep.file, ep.function, out);
    else {
      // every production function that names the const (same crate, or anywhere when the name is unique)
      const unique = (consts.get(ep.symbol) ?? []).length === 1;
      let uses = 0;
      for (const [file, scopes] of scopesByFile) {
        if (isTest(file, false)) continue;
        if (file !== ep.file && !unique && crateFor(file) !== ep.crate) continue;
        for (const s of scopes) {
          if (s.test || !s.consts.includes(ep.symbol)) continue;
          uses++;
          carriersAt(file, s.function, out);
        }
      }
      if (uses === 0) carriersAt(ep.file, undefined, out);
    }
    if (out.size) {
      ep.carriers = [...out.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    }
  }
}
