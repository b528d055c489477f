// Endpoints: URL literals with their overrides, the overrides of every site that names their const.
import type { Endpoint, Override } from '../../../model.js';
import type { RawOverride } from '../facts.js';
import { words } from '../facts.js';
import type { ResolveContext } from './context.js';

export function endpointsOf(ctx: ResolveContext): Endpoint[] {
  const { entries, crateFor, isTest, byName, overrideOut } = ctx;
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

  // a const whose every production use hands it to the browser is a link for people
  const browserFns = new Map<string, Set<string>>();
  for (const e of entries)
    for (const r of e.facts?.browserRefs ?? []) {
      if (isTest(e.file, false)) continue;
      const k = `${crateFor(e.file)}#${r.name}`;
      browserFns.set(k, (browserFns.get(k) ?? new Set()).add(`${e.file}#${r.function ?? ''}`));
    }
  if (browserFns.size === 0) return endpoints;
  const mentions = new Map<string, Set<string>>();
  for (const e of entries)
    for (const f of e.facts?.functions ?? e.index?.functions ?? []) {
      if (isTest(e.file, f.test)) continue;
      for (const c of words(f.consts)) {
        const k = `${crateFor(e.file)}#${c}`;
        if (browserFns.has(k)) mentions.set(k, (mentions.get(k) ?? new Set()).add(`${e.file}#${f.name}`));
      }
    }
  return endpoints.filter((ep) => {
    if (!ep.symbol || ep.test) return true;
    const k = `${ep.crate}#${ep.symbol}`;
    const b = browserFns.get(k);
    if (!b) return true;
    return [...(mentions.get(k) ?? [])].some((m) => !b.has(m));
  });
}
