// Carriers: which clients carry an endpoint. For each place the endpoint is used (its literal's
// function, each function naming its const, each function appending one of its paths) the carriers
// are, nearest first: the client sites in that function; the client factories it calls; when it is
// a method of a type holding a client (or takes one), the factories that build that type. Only when
// none of its uses leads to a client: the sites and factories of the same file (trace `file`).
// Pure.
import type { ClientFactory, ClientSite, Endpoint } from '../../../model.js';
import type { ResolveContext } from './context.js';
import type { FactoryGraph, FnNode } from './factories.js';

/** How many factories building a held type are kept per use (nearest crate first). */
const MAX_TYPE_FACTORIES = 6;
/** How many callers (or users of a type) of a use without a client are looked at. */
const MAX_CALLERS = 12;
/** A caller that calls more factories than this is a dispatcher, not a sender. */
const MAX_FACTORIES_OF_A_USER = 4;

const sortSites = <T extends { file: string; line: number }>(xs: T[]): T[] =>
  xs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));

export function carriersOf(ctx: ResolveContext, endpoints: Endpoint[], clients: ClientSite[], graph: FactoryGraph): void {
  const { crateFor, isTest, byName } = ctx;
  const prodSites = clients.filter((c) => !c.test);
  const sitesByFile = new Map<string, ClientSite[]>();
  for (const c of prodSites) {
    const l = sitesByFile.get(c.file) ?? [];
    l.push(c);
    sitesByFile.set(c.file, l);
  }
  const factoryOf = (f: FnNode): ClientFactory | undefined => {
    const x = graph.factories.get(f.id);
    return x && !x.test ? x : undefined;
  };
  const siteFn = new Map<ClientSite, FnNode | undefined>();
  const fnOfSite = (s: ClientSite): FnNode | undefined => {
    if (!siteFn.has(s)) siteFn.set(s, (s.function ? graph.fnNamed(s.file, s.function, s.line) : undefined) ?? graph.fnAt(s.file, s.line));
    return siteFn.get(s);
  };
  const depsOf = new Map(ctx.crates.map((k) => [k.name, new Set(k.deps.map((d) => d.package))]));
  /** Factories of the types `f` works with (parameters, its impl type and that type's fields, types
   *  it calls into): that type's factory methods (a pool, a factory type), else the factories
   *  returning it (a type holding a client). */
  const typeFactories = (f: FnNode): ClientFactory[] => {
    const out: ClientFactory[] = [];
    for (const t of graph.typesNear(f)) {
      const own = graph.methodsOf(t);
      const fs = own.length ? own : graph.clientTypes.has(t) ? graph.returning(t).map(factoryOf).filter((x): x is ClientFactory => Boolean(x)) : [];
      const deps = depsOf.get(f.crate);
      const near = fs.filter((x) => x.crate === f.crate);
      const inDeps = fs.filter((x) => deps?.has(x.crate));
      out.push(...(near.length ? near : inDeps.length ? inDeps : fs).slice(0, MAX_TYPE_FACTORIES));
    }
    return out;
  };
  interface Found {
    sites: Map<string, { file: string; line: number }>;
    factories: Map<string, ClientFactory>;
  }
  const addSite = (out: Found, s: { file: string; line: number }): void => {
    out.sites.set(`${s.file}:${s.line}`, { file: s.file, line: s.line });
  };
  const addFactory = (out: Found, x: ClientFactory): void => {
    out.factories.set(`${x.file}:${x.line}:${x.name}`, x);
    for (const s of x.sites) addSite(out, s);
  };
  /** A function calling many factories dispatches (a CLI's main): it says nothing about one URL. */
  const dispatcher = (h: FnNode): boolean => graph.callees(h).filter((g) => factoryOf(g)).length > MAX_FACTORIES_OF_A_USER;
  /** Carriers of one use in function `f`; true when it found any. */
  const atFunction = (f: FnNode, out: Found): boolean => {
    let n = 0;
    for (const s of sitesByFile.get(f.file) ?? []) if (fnOfSite(s) === f) {
      addSite(out, s);
      n++;
    }
    const own = factoryOf(f);
    if (own) {
      addFactory(out, own);
      n++;
    }
    // a function calling many factories dispatches (a CLI's main): its callees say nothing about one URL
    if (!dispatcher(f))
      for (const g of graph.callees(f)) {
        const x = factoryOf(g);
        if (x) {
          addFactory(out, x);
          n++;
        }
      }
    if (n === 0) for (const x of typeFactories(f)) {
      addFactory(out, x);
      n++;
    }
    return n > 0;
  };
  /** A use that leads to no client hands the URL on: a constructor (`Options::new` setting
   *  `issuer: DEFAULT_ISSUER`) to the functions that take or own that type; any other function back
   *  to its callers in its crate (`resolve_exporter` returns the endpoint, its caller builds the
   *  exporter's client). */
  const handedOn = (f: FnNode, out: Found, skip: ReadonlySet<FnNode> = new Set()): boolean => {
    // a value of a type of this tree handed back (a constructor's Self, `to_api_provider() ->
    // ApiProvider`): the functions that take or own that type; else callers in the same crate only
    // (a value handed back across crates is too far to follow)
    const held = [...new Set(f.returns.map((t) => t.split('::').pop()!))].filter((t) => graph.isStruct(t) && !graph.clientTypes.has(t));
    // a type used everywhere (the provider info, the config) says nothing about who sends the URL
    const byType = held.flatMap((t) => graph.users(t)).filter((h) => h !== f);
    if (byType.length > MAX_CALLERS) return false;
    const next = byType.length ? [...new Set(byType)] : graph.callers(f).filter((h) => h.crate === f.crate);
    if (next.length > MAX_CALLERS) return false;
    let found = false;
    for (const h of next.filter((x) => !skip.has(x)).slice(0, MAX_CALLERS)) if (!dispatcher(h) && atFunction(h, out)) found = true;
    return found;
  };
  const atFile = (file: string, out: Found): void => {
    for (const s of sitesByFile.get(file) ?? []) addSite(out, s);
    for (const f of graph.fnsIn(file)) {
      if (f.test) continue;
      for (const g of graph.callees(f)) {
        const x = factoryOf(g);
        if (x) addFactory(out, x);
      }
    }
  };
  // functions naming each const (production code only)
  const constUses = new Map<string, FnNode[]>();
  for (const f of graph.fns) {
    if (f.test) continue;
    for (const k of f.consts) {
      const l = constUses.get(k) ?? [];
      l.push(f);
      constUses.set(k, l);
    }
  }
  for (const ep of endpoints) {
    if (ep.test) continue;
    const out: Found = { sites: new Map(), factories: new Map() };
    const uses: FnNode[] = [];
    if (ep.function) {
      const f = graph.fnNamed(ep.file, ep.function, ep.line);
      if (f) uses.push(f);
    }
    if (ep.symbol) {
      const unique = (byName.get(ep.symbol) ?? []).length === 1;
      for (const f of constUses.get(ep.symbol) ?? []) {
        if (isTest(f.file, false)) continue;
        if (f.file !== ep.file && !unique && crateFor(f.file) !== ep.crate) continue;
        uses.push(f);
      }
    }
    // a use that appends one of the endpoint's paths speaks for that path (below), not for the base
    const pathFns = new Set((ep.pathSites ?? []).map((p) => graph.fnAt(p.file, p.line)).filter((f): f is FnNode => Boolean(f)));
    const own = uses.filter((f) => !pathFns.has(f));
    uses.length = 0;
    uses.push(...own);
    let traced = false;
    for (const f of new Set(uses)) if (atFunction(f, out)) traced = true;
    if (!traced) for (const f of new Set(uses)) if (handedOn(f, out, pathFns)) traced = true;
    // each appended path is sent from where it is appended: its own carriers (a path of another
    // channel may well go through another client); the endpoint's own uses come first
    for (const p of ep.pathSites ?? []) {
      const f = graph.fnAt(p.file, p.line);
      if (!f || f.test) continue;
      const mine: Found = { sites: new Map(), factories: new Map() };
      if (!atFunction(f, mine) && !handedOn(f, mine)) continue;
      p.carriers = sortSites([...mine.sites.values()]);
      if (mine.factories.size) p.factories = sortSites([...mine.factories.values()].map((x) => ({ name: x.name, file: x.file, line: x.line })));
      if (!traced) {
        for (const s of mine.sites.values()) addSite(out, s);
        for (const x of mine.factories.values()) out.factories.set(`${x.file}:${x.line}:${x.name}`, x);
      }
    }
    if (!traced && (ep.pathSites ?? []).some((p) => p.carriers)) {
      traced = true;
      ep.fromPaths = true;
    }
    if (!traced) atFile(ep.file, out);
    if (out.sites.size) {
      ep.carriers = sortSites([...out.sites.values()]);
      ep.trace = traced ? 'function' : 'file';
    }
    if (out.factories.size) ep.factories = sortSites([...out.factories.values()].map((x) => ({ name: x.name, file: x.file, line: x.line })));
  }
}
