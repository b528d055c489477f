// Carriers: which client construction sites carry an endpoint.
import type { ClientSite, CrateInfo, Endpoint } from '../../../model.js';
import type { FileFacts } from '../facts.js';
import type { RustRules } from '../rules.js';
import type { ConstDef, FileEntry } from './context.js';

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
export function carriersOf(
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
