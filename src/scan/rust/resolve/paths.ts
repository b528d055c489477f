// Path fragments appended to bases: which endpoints each "{base}/path" extends.
import type { Endpoint } from '../../../model.js';
import type { ResolveContext } from './context.js';

export function attachPaths(ctx: ResolveContext, endpoints: Endpoint[]): void {
  const { entries, crateFor, isTest, byName, rules } = ctx;
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

}
