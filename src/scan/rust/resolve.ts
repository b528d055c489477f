// Cross-file resolution of per-file facts, one module per step under resolve/ sharing one
// ResolveContext: consts (same file, same crate, then unique across the tree), test code, env vars,
// endpoints and the paths appended to them, client sites and their helpers, carriers, config keys.
// Pure.
import type { CliFlag, ClientFactory, ClientSite, ConfigKey, CrateInfo, Endpoint, EnvVar } from '../../model.js';
import type { RustRules } from './rules.js';
import { carriersOf } from './resolve/carriers.js';
import { clientsOf } from './resolve/clients.js';
import { configKeysOf } from './resolve/config-keys.js';
import type { FileEntry } from './resolve/context.js';
import { resolveContext } from './resolve/context.js';
import { endpointsOf } from './resolve/endpoints.js';
import { envVarsOf } from './resolve/env-vars.js';
import { factoryGraph } from './resolve/factories.js';
import { attachPaths } from './resolve/paths.js';

export type { FileEntry } from './resolve/context.js';
export { devOnlyCrates, testFilesOf } from './resolve/test-code.js';

export interface Resolved {
  clients: ClientSite[];
  factories: ClientFactory[];
  endpoints: Endpoint[];
  envVars: EnvVar[];
  configKeys: ConfigKey[];
  flags: CliFlag[];
  /** Known capability literals found in production code (rules [literals]). */
  literals: { value: string; file: string; line: number }[];
  testFiles: Set<string>;
}

export function resolveFacts(entries: FileEntry[], crates: CrateInfo[], rules: RustRules): Resolved {
  const ctx = resolveContext(entries, crates, rules);
  const envVars = envVarsOf(ctx);
  const endpoints = endpointsOf(ctx);
  attachPaths(ctx, endpoints);
  const clients = clientsOf(ctx);
  const graph = factoryGraph(ctx, clients);
  carriersOf(ctx, endpoints, clients, graph);
  const configKeys = configKeysOf(ctx, endpoints);
  const factories = [...graph.factories.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.name.localeCompare(b.name));
  const flags: CliFlag[] = entries.flatMap((e) =>
    (e.facts?.flags ?? e.index?.flags ?? []).map((f) => ({ file: e.file, line: f.line, crate: ctx.crateFor(e.file), test: ctx.isTest(e.file, f.test), name: f.name, field: f.field, hidden: f.hidden })),
  );
  const literals = entries.flatMap((e) => (ctx.isTest(e.file, false) ? [] : (e.facts?.literals ?? e.index?.literals ?? []).map((l) => ({ ...l, file: e.file }))));
  return { clients, factories, endpoints, envVars, configKeys, flags, literals, testFiles: ctx.testFiles };
}
