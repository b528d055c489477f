// Client factories, by structure: the function graph of the whole tree (fn-index.ts: every
// function with its impl type, signature types and calls), the types that hold a client (structs
// whose fields name reqwest's client or builder, or a struct holding one, transitively), and the
// functions that build, return or hold one. A factory's TLS facts are those of every client site
// it reaches and of every builder helper (a function taking a ClientBuilder) the builder is handed
// to on the way, so a custom CA added three calls down in another crate reaches the endpoint that
// calls the factory. Names of codex's own helpers play no part. Pure.
import type { ClientFactory, ClientSite } from '../../../model.js';
import { tlsOf } from './clients.js';
import type { RawFunction, RawHelper } from '../facts.js';
import { words } from '../facts.js';
import type { ResolveContext } from './context.js';

/** A function of the tree; its lists are split from the raw strings only when first read (most
 *  functions of a tree are never looked at, and a tree has tens of thousands). */
export class FnNode {
  readonly name: string;
  readonly line: number;
  readonly endLine: number;
  readonly impl?: string;
  readonly trait?: string;
  private cache: Partial<Record<'params' | 'returns' | 'calls' | 'methods' | 'refs' | 'consts', string[]>> = {};
  constructor(
    private readonly raw: RawFunction,
    readonly id: number,
    readonly file: string,
    readonly crate: string,
    readonly uses: Record<string, string>,
    readonly test: boolean,
  ) {
    this.name = raw.name;
    this.line = raw.line;
    this.endLine = raw.endLine;
    if (raw.impl) this.impl = raw.impl;
    if (raw.trait) this.trait = raw.trait;
  }
  private list(k: 'params' | 'returns' | 'calls' | 'methods' | 'refs' | 'consts'): string[] {
    return (this.cache[k] ??= words(this.raw[k]));
  }
  get params(): string[] {
    return this.list('params');
  }
  get returns(): string[] {
    return this.list('returns');
  }
  get calls(): string[] {
    return this.list('calls');
  }
  get methods(): string[] {
    return this.list('methods');
  }
  get refs(): string[] {
    return this.list('refs');
  }
  get consts(): string[] {
    return this.list('consts');
  }
  /** The raw space-separated lists, for cheap tests before a split. */
  has(k: 'returns' | 'params', word: string): boolean {
    return this.raw[k].includes(word);
  }
}

export interface FactoryGraph {
  fns: FnNode[];
  /** The functions of a file. */
  fnsIn(file: string): readonly FnNode[];
  /** The innermost function of `file` around `line`. */
  fnAt(file: string, line: number): FnNode | undefined;
  /** Functions named `name` in `file` (a finding's `function`), the innermost at `line` first. */
  fnNamed(file: string, name: string, line?: number): FnNode | undefined;
  callees(f: FnNode): FnNode[];
  /** Production functions that call `f`. */
  callers(f: FnNode): FnNode[];
  /** Production functions that take `type` as a parameter, or are its methods. */
  users(type: string): FnNode[];
  /** A struct this tree defines (production code). */
  isStruct(name: string): boolean;
  /** Factories by function id. */
  factories: Map<number, ClientFactory>;
  /** Names of types that hold a client (last path segment). */
  clientTypes: Set<string>;
  /** Client types a function returns or takes. */
  typesOf(f: FnNode, where: 'returns' | 'params'): string[];
  /** Functions (of any crate) whose return type names `type`. */
  returning(type: string): FnNode[];
  /** Factories that are methods of `type` (a type that builds or holds clients). */
  methodsOf(type: string): ClientFactory[];
  /** Types a function works with: its parameters' types, its impl type and that type's fields,
   *  types it calls into (`Type::f(..)`). Last path segments. */
  typesNear(f: FnNode): string[];
}

const last = (p: string): string => {
  const i = p.lastIndexOf('::');
  return i < 0 ? p : p.slice(i + 2);
};

export function factoryGraph(ctx: ResolveContext, clients: ClientSite[]): FactoryGraph {
  const { entries, crates, rules, crateFor, isTest, envByFile } = ctx;
  const fr = rules.data.factories;
  const seedTypes = new Set([...(fr?.client_types ?? []), ...rules.builderTypes]);
  const wsTypes = new Set(fr?.websocket_types ?? []);
  const bodyMethods = new Set(fr?.body_methods ?? []);
  const maxCandidates = fr?.max_method_candidates ?? 3;
  const deny = rules.denyFactories;
  const c = rules.data.clients;
  const crateByIdent = new Map(crates.map((k) => [k.name.replace(/-/g, '_'), k.name]));
  const depsOf = new Map(crates.map((k) => [k.name, new Set(k.deps.map((d) => d.package))]));

  // ---- the function table --------------------------------------------------------------------
  const fns: FnNode[] = [];
  const byFile = new Map<string, FnNode[]>();
  const structsByName = new Map<string, { file: string; fields: string[]; uses: Record<string, string> }[]>();
  for (const e of entries) {
    const functions = e.facts?.functions ?? e.index?.functions ?? [];
    const uses = e.facts?.uses ?? e.index?.uses ?? {};
    const crate = crateFor(e.file);
    const list: FnNode[] = [];
    for (const f of functions) {
      const n = new FnNode(f, fns.length, e.file, crate, uses, isTest(e.file, f.test));
      fns.push(n);
      list.push(n);
    }
    if (list.length) byFile.set(e.file, list);
    for (const s of e.facts?.structs ?? e.index?.structs ?? []) {
      if (isTest(e.file, s.test)) continue;
      const l = structsByName.get(s.name) ?? [];
      l.push({ file: e.file, fields: s.fields, uses });
      structsByName.set(s.name, l);
    }
  }
  const byName = new Map<string, FnNode[]>();
  const byImpl = new Map<string, FnNode[]>();
  for (const f of fns) {
    const l = byName.get(f.name) ?? [];
    l.push(f);
    byName.set(f.name, l);
    if (f.impl) {
      const k = `${f.impl}::${f.name}`;
      const m = byImpl.get(k) ?? [];
      m.push(f);
      byImpl.set(k, m);
    }
  }
  const fnAt = (file: string, line: number): FnNode | undefined => {
    let best: FnNode | undefined;
    for (const f of byFile.get(file) ?? []) if (line >= f.line && line <= f.endLine && (!best || f.line >= best.line)) best = f;
    return best;
  };
  const fnNamed = (file: string, name: string, line?: number): FnNode | undefined => {
    const l = (byFile.get(file) ?? []).filter((f) => f.name === name);
    if (line !== undefined) {
      const around = l.filter((f) => line >= f.line && line <= f.endLine).sort((a, b) => b.line - a.line)[0];
      if (around) return around;
    }
    return l[0];
  };

  // ---- types that hold a client ----------------------------------------------------------------
  /** A written type resolved through the file's `use` map: `Client` -> `reqwest::Client`. */
  const fullCache = new WeakMap<Record<string, string>, Map<string, string>>();
  const full = (t: string, uses: Record<string, string>): string => {
    let m = fullCache.get(uses);
    if (!m) fullCache.set(uses, (m = new Map()));
    let v = m.get(t);
    if (v === undefined) {
      const i = t.indexOf('::');
      const head = uses[i < 0 ? t : t.slice(0, i)];
      v = head ? (i < 0 ? head : head + t.slice(i)) : t;
      m.set(t, v);
    }
    return v;
  };
  const clientTypes = new Set<string>();
  const isSeed = (t: string, uses: Record<string, string>): boolean => seedTypes.has(full(t, uses));
  for (let round = 0, grew = true; grew && round < 12; round++) {
    grew = false;
    for (const [name, defs] of structsByName) {
      if (clientTypes.has(name)) continue;
      if (defs.some((d) => d.fields.some((t) => isSeed(t, d.uses) || clientTypes.has(last(full(t, d.uses)))))) {
        clientTypes.add(name);
        grew = true;
      }
    }
  }
  const typesOf = (f: FnNode, where: 'returns' | 'params'): string[] =>
    f[where].filter((t) => isSeed(t, f.uses) || clientTypes.has(last(full(t, f.uses))) || wsTypes.has(last(t))).map((t) => (isSeed(t, f.uses) ? full(t, f.uses) : last(t)));
  const returningIndex = new Map<string, FnNode[]>();
  for (const f of fns) {
    if (f.test) continue;
    for (const t of typesOf(f, 'returns')) {
      const l = returningIndex.get(t) ?? [];
      l.push(f);
      returningIndex.set(t, l);
    }
  }

  // ---- calls -----------------------------------------------------------------------------------
  const rank = (from: FnNode, l: FnNode[]): FnNode[] => {
    const prod = l.filter((f) => !f.test);
    const pool = prod.length ? prod : l;
    const same = pool.filter((f) => f.file === from.file);
    if (same.length) return same;
    const inCrate = pool.filter((f) => f.crate === from.crate);
    if (inCrate.length) return inCrate;
    // a call reaches its own crate or a crate it depends on, nothing else
    const deps = depsOf.get(from.crate);
    return deps ? pool.filter((f) => deps.has(f.crate)) : pool.filter((f) => f.crate === from.crate || from.crate === '');
  };
  const crateHint = (from: FnNode, head: string): string | undefined =>
    ['crate', 'self', 'super'].includes(head) ? from.crate : crateByIdent.get(head);
  const resolveCall = (from: FnNode, call: string): FnNode[] => {
    const written = call.split('::');
    const name = written[written.length - 1]!;
    // the path as written, or as imported (`use codex_http_client::build_client;` then `build_client(..)`)
    const segs = written.length > 1 ? full(call, from.uses).split('::') : (from.uses[name] ?? name).split('::');
    if (segs.length > 1) {
      const q = segs[segs.length - 2]!;
      if (/^[A-Z]/.test(q)) {
        const type = q === 'Self' ? (from.impl ?? q) : last(full(q, from.uses));
        const l = byImpl.get(`${type}::${name}`);
        return l ? rank(from, l) : [];
      }
      const hinted = crateHint(from, segs[0]!);
      const l = (byName.get(name) ?? []).filter((f) => !f.impl);
      // a path that names a crate of the tree resolves there or nowhere
      if (hinted) return rank(from, l.filter((f) => f.crate === hinted));
      return deny.has(name) ? [] : rank(from, l);
    }
    const l = (byName.get(name) ?? []).filter((f) => !f.impl);
    if (!l.length) return [];
    const r = rank(from, l);
    return deny.has(name) && r[0]?.crate !== from.crate ? [] : r;
  };
  const resolveMethod = (from: FnNode, m: string): FnNode[] => {
    const self = m.startsWith('self.');
    const name = self ? m.slice(5) : m;
    if (self && from.impl) {
      const own = byImpl.get(`${from.impl}::${name}`);
      if (own?.length) return rank(from, own);
    }
    if (deny.has(name)) return [];
    const l = (byName.get(name) ?? []).filter((f) => f.impl);
    if (new Set(l.map((f) => f.impl)).size > maxCandidates) return [];
    return l.length ? rank(from, l) : [];
  };
  // ---- sites, helpers, factories ----------------------------------------------------------------
  const sitesOf = new Map<number, ClientSite[]>();
  for (const s of clients) {
    const f = (s.function ? fnNamed(s.file, s.function, s.line) : undefined) ?? fnAt(s.file, s.line);
    if (!f) continue;
    const l = sitesOf.get(f.id) ?? [];
    l.push(s);
    sitesOf.set(f.id, l);
  }
  const helpersByFile = new Map<string, RawHelper[]>();
  for (const e of entries) if (e.facts?.helpers?.length) helpersByFile.set(e.file, e.facts.helpers);
  const helperFacts = (f: FnNode): RawHelper | undefined =>
    helpersByFile.get(f.file)?.find((h) => h.name === f.name && h.line >= f.line && h.line <= f.endLine);
  const isHelper = (f: FnNode): boolean => f.params.some((t) => rules.builderTypes.has(full(t, f.uses)));
  const calleeCache = new Map<number, FnNode[]>();
  const callees = (f: FnNode): FnNode[] => {
    let l = calleeCache.get(f.id);
    if (!l) {
      const set = new Set<FnNode>();
      for (const call of f.calls) for (const g of resolveCall(f, call)) if (g !== f) set.add(g);
      for (const m of f.methods) for (const g of resolveMethod(f, m)) if (g !== f) set.add(g);
      // a helper or factory handed on as a value (`f(routing, build_reqwest_client_with_custom_ca)`)
      for (const r of f.refs) for (const g of resolveCall(f, r)) if (g !== f && (isHelper(g) || sitesOf.has(g.id))) set.add(g);
      l = [...set];
      calleeCache.set(f.id, l);
    }
    return l;
  };

  const factoryIds = new Set<number>();
  for (const id of sitesOf.keys()) factoryIds.add(id);
  const candidates = fns.filter((f) => !factoryIds.has(f.id) && typesOf(f, 'returns').length > 0);
  for (let round = 0, grew = true; grew && round < 16; round++) {
    grew = false;
    for (const f of candidates) {
      if (factoryIds.has(f.id)) continue;
      if (callees(f).some((g) => factoryIds.has(g.id))) {
        factoryIds.add(f.id);
        grew = true;
      }
    }
  }

  interface Flow {
    sites: Set<ClientSite>;
    /** method -> applied always (true) or only under a condition */
    calls: Map<string, boolean>;
    via: Set<string>;
    /** files whose CA env reads count (they add roots) */
    caFiles: Set<string>;
    /** files defining the custom-CA TLS config functions called on the way */
    caCrates: Set<string>;
  }
  const merge = (into: Flow, from: Flow, forceCond = false): void => {
    for (const s of from.sites) into.sites.add(s);
    for (const [m, always] of from.calls) into.calls.set(m, (into.calls.get(m) ?? false) || (always && !forceCond));
    for (const v of from.via) into.via.add(v);
    for (const x of from.caFiles) into.caFiles.add(x);
    for (const x of from.caCrates) into.caCrates.add(x);
  };
  const emptyFlow = (): Flow => ({ sites: new Set(), calls: new Map(), via: new Set(), caFiles: new Set(), caCrates: new Set() });
  const label = (f: FnNode): string => (f.impl ? `${f.impl}::${f.name}` : f.name);
  const helperMemo = new Map<number, Flow>();
  const helperFlow = (h: FnNode, stack: Set<number>): Flow => {
    const memo = helperMemo.get(h.id);
    if (memo) return memo;
    const flow = emptyFlow();
    if (stack.has(h.id)) return flow;
    stack.add(h.id);
    const raw = helperFacts(h);
    for (const m of raw?.calls ?? []) flow.calls.set(m, !raw?.condCalls?.includes(m));
    if (raw?.calls.some((m) => c.roots_added.includes(m))) flow.caFiles.add(h.file);
    for (const g of callees(h)) {
      if (!isHelper(g)) continue;
      flow.via.add(label(g));
      merge(flow, helperFlow(g, stack), raw?.condVia?.includes(g.name) === true);
    }
    stack.delete(h.id);
    helperMemo.set(h.id, flow);
    return flow;
  };
  const factoryMemo = new Map<number, Flow>();
  const factoryFlow = (f: FnNode, stack: Set<number>): Flow => {
    const memo = factoryMemo.get(f.id);
    if (memo) return memo;
    const flow = emptyFlow();
    if (stack.has(f.id)) return flow;
    stack.add(f.id);
    for (const s of sitesOf.get(f.id) ?? []) {
      flow.sites.add(s);
      for (const m of s.calls) flow.calls.set(m, (flow.calls.get(m) ?? false) || !s.conditionalCalls?.includes(m));
      if (s.tls.rootsAdded) flow.caFiles.add(s.file);
    }
    for (const m of f.methods) if (bodyMethods.has(m) && !flow.calls.has(m)) flow.calls.set(m, false);
    if (f.methods.some((m) => c.roots_added.includes(m))) flow.caFiles.add(f.file);
    for (const g of callees(f)) {
      // a function handing out a rustls TLS config from a file that reads CA env vars (by
      // structure), or one named like the rules' custom-CA config functions (a hint)
      if (rules.caConfigFunction.test(g.name) || (g.returns.some((t) => last(t) === 'ClientConfig') && (envByFile.get(g.file) ?? []).some((n) => rules.caEnv.test(n))))
        flow.caCrates.add(g.file);
      if (factoryIds.has(g.id)) {
        flow.via.add(label(g));
        merge(flow, factoryFlow(g, stack));
      } else if (isHelper(g)) {
        flow.via.add(label(g));
        merge(flow, helperFlow(g, new Set()));
      }
    }
    stack.delete(f.id);
    factoryMemo.set(f.id, flow);
    return flow;
  };

  const factories = new Map<number, ClientFactory>();
  for (const id of factoryIds) {
    const f = fns[id]!;
    const flow = factoryFlow(f, new Set());
    if (flow.sites.size === 0) continue;
    const calls = [...flow.calls.keys()];
    const has = (l: string[]): boolean => calls.some((m) => l.includes(m));
    const caEnv: string[] = [];
    const addCa = (file: string): void => {
      for (const n of envByFile.get(file) ?? []) if (rules.caEnv.test(n) && !caEnv.includes(n)) caEnv.push(n);
    };
    if (has(c.roots_added)) for (const file of flow.caFiles) addCa(file);
    const sites = [...flow.sites];
    const websocket = sites.some((s) => s.kind === 'websocket');
    // a rustls config from a custom-CA function handed to the client or the websocket connector
    const preconfigured = has(c.preconfigured) || websocket;
    // the env vars read where that custom-CA function is defined
    if (preconfigured) for (const file of flow.caCrates) addCa(file);
    for (const s of sites) for (const n of s.tls.customCaEnv) if (!caEnv.includes(n)) caEnv.push(n);
    const tls = tlsOf(calls, rules, { customCaEnv: caEnv, preconfiguredTls: has(c.preconfigured) || (websocket && caEnv.length > 0) });
    const conditionalCalls = calls.filter((m) => !flow.calls.get(m));
    const returns = typesOf(f, 'returns')[0];
    const own = sitesOf.get(id) ?? [];
    const at = sites.length === 1 && own.length === 1 ? { file: own[0]!.file, line: own[0]!.line } : undefined;
    factories.set(id, {
      file: f.file,
      line: f.line,
      crate: f.crate,
      test: f.test || sites.every((s) => s.test),
      name: label(f),
      kind: websocket ? 'websocket' : 'http',
      sites: sites.map((s) => ({ file: s.file, line: s.line })).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
      calls,
      ...(conditionalCalls.length ? { conditionalCalls } : {}),
      ...(flow.via.size ? { via: [...flow.via] } : {}),
      tls,
      noProxy: has(c.no_proxy),
      proxy: has(c.proxy),
      ...(returns ? { returns } : {}),
      ...(sites.every((s) => s.fallback) ? { fallback: true } : {}),
      constructor: websocket ? 'websocket factory' : 'client factory',
      ...(at ? { at } : {}),
    });
  }
  const methods = new Map<string, ClientFactory[]>();
  for (const [id, x] of factories) {
    const t = fns[id]!.impl;
    if (!t || x.test) continue;
    const l = methods.get(t) ?? [];
    l.push(x);
    methods.set(t, l);
  }
  const typesNear = (f: FnNode): string[] => {
    const out = new Set<string>();
    for (const t of f.params) out.add(last(full(t, f.uses)));
    if (f.impl) {
      out.add(f.impl);
      for (const d of structsByName.get(f.impl) ?? []) for (const t of d.fields) out.add(last(full(t, d.uses)));
    }
    for (const call of f.calls) {
      const segs = call.split('::');
      if (segs.length > 1 && /^[A-Z]/.test(segs[segs.length - 2]!)) out.add(last(full(segs.slice(0, -1).join('::'), f.uses)));
    }
    out.delete('Self');
    return [...out];
  };
  // who calls a name (by the last segment as written): the candidates whose calls are resolved
  let byCalledName: Map<string, FnNode[]> | undefined;
  const callers = (f: FnNode): FnNode[] => {
    if (!byCalledName) {
      byCalledName = new Map();
      for (const g of fns) {
        if (g.test) continue;
        const names = new Set<string>();
        for (const c of g.calls) names.add(last(c));
        for (const m of g.methods) names.add(m.startsWith('self.') ? m.slice(5) : m);
        for (const r of g.refs) names.add(last(r));
        for (const n of names) {
          const l = byCalledName.get(n) ?? [];
          l.push(g);
          byCalledName.set(n, l);
        }
      }
    }
    return (byCalledName.get(f.name) ?? []).filter((g) => g !== f && callees(g).includes(f));
  };
  let userIndex: Map<string, FnNode[]> | undefined;
  const users = (type: string): FnNode[] => {
    if (!userIndex) {
      userIndex = new Map();
      for (const g of fns) {
        if (g.test) continue;
        const ts = new Set(g.params.map((t) => last(full(t, g.uses))));
        if (g.impl) ts.add(g.impl);
        for (const t of ts) {
          const l = userIndex.get(t) ?? [];
          l.push(g);
          userIndex.set(t, l);
        }
      }
    }
    return userIndex.get(type) ?? [];
  };
  return {
    fns,
    fnsIn: (file) => byFile.get(file) ?? [],
    fnAt,
    fnNamed,
    callees,
    callers,
    users,
    isStruct: (name) => structsByName.has(name),
    factories,
    clientTypes,
    typesOf,
    returning: (t) => returningIndex.get(t) ?? [],
    methodsOf: (t) => methods.get(t) ?? [],
    typesNear,
  };
}
