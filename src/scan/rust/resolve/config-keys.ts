// Config keys of the serde config structs, and config overrides named as a user writes them.
import type { ConfigKey, Endpoint } from '../../../model.js';
import { configPathOf } from '../../../model.js';
import type { ResolveContext } from './context.js';

export function configKeysOf(ctx: ResolveContext, endpoints: Endpoint[]): ConfigKey[] {
  const { entries, rules, crateFor, isTest } = ctx;
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

  return configKeys;
}

// ---- carriers: which client construction sites carry an endpoint ------------------------------