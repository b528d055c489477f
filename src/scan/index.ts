// The scan pipeline: discover -> manifests -> Rust sources -> channels. One ScanResult out.
import { createRequire } from 'node:module';
import type { ScanResult } from '../model.js';
import { analyse } from '../channels/index.js';
import { CLI_PACKAGE } from './cargo/index.js';
import { manifestScanCached } from './manifest-cache.js';
import { discover } from './discover.js';
import { scanRust } from './rust/index.js';

export { findCodexRoot } from './discover.js';

export interface ScanOptions {
  /** Keep findings in test code in the result (channels are always computed from production code). */
  includeTests?: boolean;
  useCache?: boolean;
  onProgress?: (done: number, total: number) => void;
}

const require = createRequire(import.meta.url);
const TOOL_VERSION: string = (require('../../package.json') as { version: string }).version;

export async function scan(path: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const found = await discover(path);
  // The manifest scan runs on this thread while the workers parse Rust files.
  const manifestScan = manifestScanCached(found.root, found.manifests, opts.useCache ?? true);
  const [manifests, rust] = await Promise.all([
    manifestScan,
    scanRust({
      root: found.root,
      files: found.rustFiles,
      crates: manifestScan.then((m) => m.crates),
      useCache: opts.useCache ?? true,
      onProgress: opts.onProgress,
    }),
  ]);
  const prod = <T extends { test: boolean }>(xs: T[]): T[] => xs.filter((x) => !x.test);
  const { capabilities, channels, recommendation } = analyse({
    crates: manifests.crates,
    tlsFeatures: prod(manifests.tlsFeatures),
    clients: prod(rust.clients),
    endpoints: prod(rust.endpoints),
    envVars: prod(rust.envVars),
    configKeys: prod(rust.configKeys),
    workspaceVersion: manifests.workspaceVersion,
  });
  const keep = <T extends { test: boolean }>(xs: T[]): T[] => (opts.includeTests ? xs : prod(xs));
  const clients = keep(rust.clients);
  const tlsFeatures = keep(manifests.tlsFeatures);
  const endpoints = keep(rust.endpoints);
  const envVars = keep(rust.envVars);
  const configKeys = keep(rust.configKeys);
  const warnings = [...found.warnings, ...manifests.warnings, ...rust.warnings];
  if (!manifests.crates.some((c) => c.name === CLI_PACKAGE)) {
    warnings.push({
      kind: 'other',
      message: 'no codex-cli package in this tree: the shipped binary is unknown, so every crate counts as shipped and the verdicts are about the whole tree',
    });
  }
  return {
    schemaVersion: 1,
    tool: { name: 'codex-mitm', version: TOOL_VERSION },
    root: found.root,
    summary: {
      rustFiles: rust.rustFiles,
      manifests: found.manifests.length,
      crates: manifests.crates.length,
      clients: clients.length,
      tlsFeatures: tlsFeatures.length,
      endpoints: endpoints.length,
      envVars: envVars.length,
      configKeys: configKeys.length,
      channels: channels.length,
      parseErrors: rust.parseErrors + manifests.warnings.filter((w) => w.kind === 'manifest').length,
      warnings,
      durationMs: Math.round(performance.now() - started),
      cached: rust.cached,
    },
    crates: manifests.crates,
    clients,
    tlsFeatures,
    endpoints,
    envVars,
    configKeys,
    ...(manifests.lockedWebpki ? { lockedWebpki: manifests.lockedWebpki } : {}),
    capabilities,
    channels,
    recommendation,
  };
}
