// SARIF 2.1.0: one run, one rule per finding kind, results located relative to SRCROOT (the scanned root).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { ScanResult } from '../model.js';
import { rustRules } from '../rules/files.js';
import { clientFlags, shipped, shipsLabel, warningText } from './labels.js';
import { overrideLabel, slash, uniqBy } from './style.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'note' | 'warning' | 'error';

interface Rule {
  id: string;
  name: string;
  short: string;
  full: string;
  level: Level;
}

/** One rule per finding kind, in this order (ruleIndex refers to it). */
export const SARIF_RULES: readonly Rule[] = [
  { id: 'client', name: 'HttpClient', short: 'HTTP client construction site', full: 'A reqwest (or similar) client is built here; its builder calls decide TLS roots and proxy use.', level: 'note' },
  { id: 'tls-feature', name: 'TlsFeature', short: 'TLS feature of a dependency', full: 'A Cargo feature that selects TLS roots (webpki = compiled-in Mozilla roots, native = OS store, native-tls = platform TLS). Webpki roots in shipped dependencies ignore an added system CA.', level: 'note' },
  { id: 'endpoint', name: 'Endpoint', short: 'Network endpoint', full: 'A URL codex contacts, with the env vars or config keys that override it.', level: 'note' },
  { id: 'env-var', name: 'EnvVar', short: 'Environment variable read', full: 'An environment variable the code reads.', level: 'note' },
  { id: 'config-key', name: 'ConfigKey', short: 'Config key', full: 'A key of codex config.toml (a serde field of a config struct).', level: 'note' },
  { id: 'channel', name: 'TrafficChannel', short: 'Traffic channel', full: 'A network channel of codex (hosts, how it is redirected, and whether approaches A, B and CA capture it).', level: 'note' },
  { id: 'channel-uncapturable', name: 'ChannelUncapturable', short: 'Channel no approach captures', full: 'A network channel that none of the approaches (A reverse proxy, B native roots rebuild, CA custom CA) can capture.', level: 'warning' },
  { id: 'parse-warning', name: 'ParseWarning', short: 'Scan warning', full: 'A file the scanner could not fully read or parse; findings in it may be missing.', level: 'note' },
];

const NOT_SHIPPED = { shipped: '', dev: ' (dev only, not shipped)', workspace: ' (workspace template; members inherit it)' } as const;

const INDEX = new Map(SARIF_RULES.map((r, i) => [r.id, i]));

function uri(file: string): string {
  return slash(file).split('/').map(encodeURIComponent).join('/');
}

function location(file: string, line?: number) {
  return {
    physicalLocation: {
      artifactLocation: { uri: uri(file), uriBaseId: 'SRCROOT' },
      region: { startLine: Math.max(1, line ?? 1) },
    },
  };
}

function result(ruleId: string, level: Level, text: string, file?: string, line?: number, properties?: Record<string, unknown>) {
  return {
    ruleId,
    ruleIndex: INDEX.get(ruleId)!,
    level,
    message: { text },
    ...(file ? { locations: [location(file, line)] } : {}),
    ...(properties ? { properties } : {}),
  };
}

export function renderSarif(r: ScanResult): string {
  const results: ReturnType<typeof result>[] = [];
  for (const c of r.clients) {
    const flags = clientFlags(c);
    results.push(
      result('client', 'note', `${c.constructor} client${flags.length ? ` (${flags.join(', ')})` : ''}.`, c.file, c.line, {
        crate: c.crate,
        test: c.test,
      }),
    );
  }
  for (const t of r.tlsFeatures) {
    const ship = shipped(t);
    const level: Level = t.roots === 'webpki' && ship ? 'warning' : 'note';
    const how = t.implicit ? 'implicitly (default features)' : t.inherited ? 'through workspace = true' : 'explicitly';
    results.push(
      result(
        'tls-feature',
        level,
        `${t.dependency} feature ${t.feature} (${t.roots} roots) enabled ${how} in [${t.table}]${NOT_SHIPPED[shipsLabel(t)]}.`,
        t.manifest,
        t.line,
        { crate: t.crate, test: t.test, dependency: t.dependency, feature: t.feature, roots: t.roots, table: t.table },
      ),
    );
  }
  for (const e of r.endpoints) {
    const ov = e.overrides.length ? ` Override: ${e.overrides.map(overrideLabel).join(', ')}.` : ' No override.';
    results.push(
      result('endpoint', 'note', `Endpoint ${e.url}${e.symbol ? ` (${e.symbol})` : ''}.${ov}`, e.file, e.line, {
        crate: e.crate,
        test: e.test,
        host: e.host,
      }),
    );
  }
  for (const v of r.envVars) {
    results.push(
      result('env-var', 'note', `Reads env ${v.name}${v.via !== 'literal' ? ` via ${v.via}` : ''}.`, v.file, v.line, { crate: v.crate, test: v.test }),
    );
  }
  for (const k of r.configKeys) {
    results.push(
      result('config-key', 'note', `Config key ${k.key} in ${k.struct}${k.type ? ` (${k.type})` : ''}.`, k.file, k.line, {
        crate: k.crate,
        test: k.test,
      }),
    );
  }
  for (const ch of r.channels ?? []) {
    const cov = ch.coverage;
    const at = ch.evidence[0] ?? ch.clients[0];
    if (ch.contacted === false) continue;
    const ov = ch.overrides.length ? `override: ${uniqBy(ch.overrides, overrideLabel).map(overrideLabel).join(', ')}` : 'no override';
    results.push(
      result(
        'channel',
        'note',
        `Channel ${ch.name} (${ch.hosts.join(', ') || 'no host'}), ${ov}. Captured by A: ${cov.a}, B: ${cov.b}, CA: ${cov.ca}.`,
        at?.file,
        at?.line,
        { channel: ch.id, hosts: ch.hosts, authMode: ch.authMode, coverage: cov, unclassified: ch.unclassified, ...(ch.platforms ? { caPlatforms: ch.platforms } : {}), ...(ch.trace ? { trace: ch.trace } : {}) },
      ),
    );
    if (cov.a !== 'no' || cov.b !== 'no' || cov.ca !== 'no') continue;
    results.push(
      result(
        'channel-uncapturable',
        'warning',
        `Channel ${ch.name} (${ch.hosts.join(', ') || 'no host'}) is not captured by approach A, B or CA.`,
        at?.file,
        at?.line,
        { channel: ch.id },
      ),
    );
  }
  for (const w of r.summary.warnings) {
    results.push(result('parse-warning', 'note', `${warningText(w)} (${w.kind})`, w.file, w.line));
  }

  const root = resolve(r.root);
  const rootUri = pathToFileURL(root).href.replace(/\/?$/, '/');
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'codex-mitm',
            version: r.tool.version,
            semanticVersion: r.tool.version,
            informationUri: rustRules().tree.source_repo.replace(/\.git$/, ''),
            rules: SARIF_RULES.map((ru) => ({
              id: ru.id,
              name: ru.name,
              shortDescription: { text: ru.short },
              fullDescription: { text: ru.full },
              defaultConfiguration: { level: ru.level },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: rootUri } },
        results,
        ...(r.recommendation || r.tracing ? { properties: { ...(r.recommendation ? { recommendation: r.recommendation } : {}), ...(r.tracing ? { tracing: r.tracing } : {}) } } : {}),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
