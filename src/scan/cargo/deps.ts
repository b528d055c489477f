// Dependency tables of a manifest, resolved through workspace inheritance.
import path from 'node:path';
import type { ManifestTable, ScanWarning } from '../../model.js';
import type { ParsedManifest, TomlTable } from './manifest-read.js';

export interface DepSpec {
  version?: string;
  path?: string;
  package?: string;
  /** undefined when not written. */
  defaultFeatures?: boolean;
  features: string[];
  optional: boolean;
  workspace: boolean;
}

export interface ResolvedDep {
  /** Key in the manifest. */
  key: string;
  /** Package name (`package = "..."` or the key). */
  package: string;
  table: ManifestTable;
  /** Crate folder relative to the scanned root, for path dependencies. */
  path?: string;
  version?: string;
  /** Effective: default features stay on. */
  defaultFeatures: boolean;
  /** Features written in this entry. */
  ownFeatures: string[];
  /** Features from the [workspace.dependencies] entry (workspace = true only). */
  inheritedFeatures: string[];
  workspace: boolean;
  optional: boolean;
}

const KINDS: Array<[string, 'dependencies' | 'dev-dependencies' | 'build-dependencies']> = [
  ['dependencies', 'dependencies'],
  ['dev-dependencies', 'dev-dependencies'],
  ['dev_dependencies', 'dev-dependencies'],
  ['build-dependencies', 'build-dependencies'],
  ['build_dependencies', 'build-dependencies'],
];

const isTable = (v: unknown): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

export function normalizeSpec(spec: unknown): DepSpec {
  if (typeof spec === 'string') return { version: spec, features: [], optional: false, workspace: false };
  if (!isTable(spec)) return { features: [], optional: false, workspace: false };
  const df = spec['default-features'] ?? spec['default_features'];
  return {
    version: typeof spec.version === 'string' ? spec.version : undefined,
    path: typeof spec.path === 'string' ? spec.path : undefined,
    package: typeof spec.package === 'string' ? spec.package : undefined,
    defaultFeatures: typeof df === 'boolean' ? df : undefined,
    features: Array.isArray(spec.features) ? spec.features.filter((f): f is string => typeof f === 'string') : [],
    optional: spec.optional === true,
    workspace: spec.workspace === true,
  };
}

/** Every (table, key, spec) of a manifest's dependency tables, target-specific ones included. */
export function dependencyEntries(doc: TomlTable): Array<{ table: ManifestTable; key: string; spec: unknown }> {
  const out: Array<{ table: ManifestTable; key: string; spec: unknown }> = [];
  const take = (t: unknown, table: ManifestTable): void => {
    if (!isTable(t)) return;
    for (const [key, spec] of Object.entries(t)) out.push({ table, key, spec });
  };
  for (const [k, kind] of KINDS) take(doc[k], kind);
  if (isTable(doc.target)) {
    for (const [cfg, t] of Object.entries(doc.target)) {
      if (!isTable(t)) continue;
      for (const [k, kind] of KINDS) take(t[k], `target.${cfg}.${kind}` as ManifestTable);
    }
  }
  return out;
}

export function workspaceDependencies(doc: TomlTable | undefined): TomlTable {
  const ws = doc?.workspace;
  return isTable(ws) && isTable(ws.dependencies) ? ws.dependencies : {};
}

/** Normalised path of `p` written in a manifest in folder `dir` (both relative to the root). */
export function resolvePath(dir: string, p: string): string {
  const joined = path.posix.normalize(path.posix.join(dir || '.', p.replace(/\\/g, '/')));
  const trimmed = joined.replace(/\/+$/, '');
  return trimmed === '.' ? '' : trimmed;
}

export function resolveDeps(m: ParsedManifest, wsRoot: ParsedManifest | undefined, warnings: ScanWarning[]): ResolvedDep[] {
  const wsDeps = workspaceDependencies(wsRoot?.doc);
  const out: ResolvedDep[] = [];
  for (const { table, key, spec } of dependencyEntries(m.doc)) {
    const own = normalizeSpec(spec);
    if (own.workspace) {
      const wsSpec = wsDeps[key];
      if (wsSpec === undefined) {
        warnings.push({
          kind: 'manifest',
          file: m.rel,
          line: m.depLines.get(`${table}\u0000${key}`),
          message: `${key}: workspace = true but [workspace.dependencies] has no ${key}`,
        });
      }
      const ws = normalizeSpec(wsSpec);
      out.push({
        key,
        package: ws.package ?? key,
        table,
        path: ws.path !== undefined ? resolvePath(wsRoot?.dir ?? '', ws.path) : undefined,
        version: ws.version,
        // Cargo: a member can turn default features on when the workspace turned them off, never the reverse.
        defaultFeatures: ws.defaultFeatures !== false ? true : own.defaultFeatures === true,
        ownFeatures: own.features,
        inheritedFeatures: ws.features,
        workspace: true,
        optional: own.optional,
      });
    } else {
      out.push({
        key,
        package: own.package ?? key,
        table,
        path: own.path !== undefined ? resolvePath(m.dir, own.path) : undefined,
        version: own.version,
        defaultFeatures: own.defaultFeatures !== false,
        ownFeatures: own.features,
        inheritedFeatures: [],
        workspace: false,
        optional: own.optional,
      });
    }
  }
  return out;
}

/** The [workspace.dependencies] entries of the workspace root, as ResolvedDeps. */
export function resolveWorkspaceDeps(wsRoot: ParsedManifest): ResolvedDep[] {
  return Object.entries(workspaceDependencies(wsRoot.doc)).map(([key, spec]) => {
    const s = normalizeSpec(spec);
    return {
      key,
      package: s.package ?? key,
      table: 'workspace.dependencies' as ManifestTable,
      path: s.path !== undefined ? resolvePath(wsRoot.dir, s.path) : undefined,
      version: s.version,
      defaultFeatures: s.defaultFeatures !== false,
      ownFeatures: s.features,
      inheritedFeatures: [],
      workspace: false,
      optional: s.optional,
    };
  });
}

export function isTestTable(table: string): boolean {
  return table === 'dev-dependencies' || table.endsWith('.dev-dependencies');
}

/** Tables whose crates are compiled into the shipped binary (normal deps, target-specific included). */
export function isShippedTable(table: string): boolean {
  return table === 'dependencies' || (table.startsWith('target.') && table.endsWith('.dependencies'));
}
