// Cross-file resolution of per-file facts, one module per step under resolve/ sharing one
// ResolveContext: consts (same file, same crate, then unique across the tree), test code, env vars,
// endpoints and the paths appended to them, client sites and their helpers, carriers, config keys.
// Pure.
import type { ClientFactory, ClientSite, ConfigKey, CrateInfo, Endpoint, EnvVar } from '../../model.js';
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
  return { clients, factories, endpoints, envVars, configKeys, testFiles: ctx.testFiles };
}
