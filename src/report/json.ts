// JSON report, schemaVersion 1 (contract: DESIGN.md "JSON report"). Keys come out in a fixed order
// whatever order the scan built them in; unknown extra keys follow, sorted. Paths use '/'.
import type { ScanResult } from '../model.js';

type Order = readonly string[];

const LOCATION = ['file', 'line', 'crate', 'test'] as const;

/** Key order per object kind. */
const ORDER: Record<string, Order> = {
  top: [
    'schemaVersion', 'tool', 'root', 'summary', 'capabilities', 'tracing', 'recommendation', 'channels',
    'clients', 'factories', 'tlsFeatures', 'endpoints', 'envVars', 'configKeys', 'crates', 'lockedWebpki',
  ],
  tool: ['name', 'version'],
  summary: [
    'rustFiles', 'manifests', 'crates', 'clients', 'tlsFeatures', 'endpoints', 'envVars', 'configKeys',
    'channels', 'parseErrors', 'warnings', 'durationMs', 'cached',
  ],
  warning: ['kind', 'file', 'line', 'message'],
  capabilities: ['version', 'openaiBaseUrlKey', 'openaiBaseUrlEnv', 'customCaEnv', 'reqwestFeatures', 'nativeTlsDefault'],
  recommendation: ['approach', 'reason', 'misses'],
  channel: ['id', 'name', 'hosts', 'urls', 'overrides', 'authMode', 'coverage', 'why', 'tls', 'clients', 'evidence', 'unclassified'],
  coverage: ['a', 'b', 'ca'],
  site: ['file', 'line', 'crate'],
  client: [...LOCATION, 'constructor', 'calls', 'tls', 'noProxy', 'proxy', 'function', 'via'],
  clientTls: [
    'useRustls', 'useNativeTls', 'rootsAdded', 'builtInRootsDisabled', 'acceptsInvalidCerts', 'preconfiguredTls', 'customCaEnv',
  ],
  tlsFeature: [
    'manifest', 'line', 'crate', 'test', 'dependency', 'feature', 'roots', 'table', 'inherited', 'implicit', 'version', 'declared',
  ],
  declared: ['manifest', 'line', 'start', 'end'],
  endpoint: [...LOCATION, 'url', 'host', 'symbol', 'overrides', 'function'],
  override: ['kind', 'name', 'file', 'line'],
  envVar: [...LOCATION, 'name', 'via', 'function'],
  configKey: [...LOCATION, 'key', 'struct', 'type'],
  crate: ['name', 'manifest', 'dir', 'bins', 'deps'],
  crateDep: ['name', 'package', 'table', 'path', 'optional'],
  lockedWebpki: ['package', 'version', 'reason'],
};

/** Which order applies to the values under a key (arrays: to each element). */
const CHILD: Record<string, Record<string, string>> = {
  top: {
    tool: 'tool', summary: 'summary', capabilities: 'capabilities', recommendation: 'recommendation', channels: 'channel',
    clients: 'client', tlsFeatures: 'tlsFeature', endpoints: 'endpoint', envVars: 'envVar', configKeys: 'configKey',
    crates: 'crate', lockedWebpki: 'lockedWebpki',
  },
  summary: { warnings: 'warning' },
  channel: { overrides: 'override', coverage: 'coverage', why: 'coverage', clients: 'site', evidence: 'site' },
  client: { tls: 'clientTls' },
  tlsFeature: { declared: 'declared' },
  endpoint: { overrides: 'override' },
  crate: { deps: 'crateDep' },
};

const PATH_KEYS = new Set(['file', 'manifest', 'root', 'dir', 'path']);
const KNOWN: Record<string, ReadonlySet<string>> = Object.fromEntries(Object.entries(ORDER).map(([k, v]) => [k, new Set(v)]));
const NONE: ReadonlySet<string> = new Set();

function ordered(value: unknown, kind: string | undefined, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, kind));
  if (typeof value === 'string') return key && PATH_KEYS.has(key) ? value.replace(/\\/g, '/') : value;
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const order = kind ? ORDER[kind] ?? [] : [];
  const known = (kind && KNOWN[kind]) || NONE;
  const child = kind ? CHILD[kind] : undefined;
  const out: Record<string, unknown> = {};
  for (const k of order) if (obj[k] !== undefined) out[k] = ordered(obj[k], child?.[k], k);
  const extra = Object.keys(obj).filter((k) => !known.has(k) && obj[k] !== undefined);
  if (extra.length > 1) extra.sort();
  for (const k of extra) out[k] = ordered(obj[k], child?.[k], k);
  return out;
}

/** The report as a plain object with the contract's key order (also used by other reporters' tests). */
export function toJsonObject(r: ScanResult): Record<string, unknown> {
  return ordered(r, 'top') as Record<string, unknown>;
}

export function renderJson(r: ScanResult): string {
  return JSON.stringify(toJsonObject(r), null, 2) + '\n';
}
