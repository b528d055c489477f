// The scan pipeline: discover -> manifests -> Rust sources (src/scan/) -> channels (src/channels/).
// One ScanResult out. The one module that composes the two layers: src/scan/ never imports
// src/channels/ (or this file), src/channels/ may use src/scan/'s types and helpers.
import { createRequire } from 'node:module';
import { analyse } from './channels/index.js';
import type { ScanResult } from './model.js';
import { CLI_PACKAGE } from './scan/cargo/index.js';
import { discover, findCodexRoot } from './scan/discover.js';
import { manifestScanCached } from './scan/manifest-cache.js';
import { loadResult, resultKey, saveResult, storedListing } from './scan/result-cache.js';
import { scanRust } from './scan/rust/index.js';

export { findCodexRoot };

export interface ScanOptions {
  /** Keep findings in test code in the result (channels are always computed from production code). */
  includeTests?: boolean;
  useCache?: boolean;
  onProgress?: (done: number, total: number) => void;
}

const require = createRequire(import.meta.url);
const TOOL_VERSION: string = (require('../package.json') as { version: string }).version;

export async function scan(path: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const useCache = opts.useCache ?? true;
  // A warm run whose folders did not change skips the walk: the last listing still holds.
  const found = (useCache ? storedListing(await findCodexRoot(path)) : undefined) ?? (await discover(path));
  const includeTests = opts.includeTests ?? false;
  // An unchanged tree: the last result, without running the parser, rules or channel model.
  const key = useCache ? resultKey({ root: found.root, files: [...found.rustFiles, ...found.manifests, 'Cargo.lock'], includeTests }) : undefined;
  const stored = key ? loadResult(found.root, key) : undefined;
  if (stored) {
    const r = stored.result;
    r.summary.warnings = [...found.warnings, ...stored.scanWarnings];
    r.summary.cached = r.summary.rustFiles;
    r.summary.durationMs = Math.round(performance.now() - started);
    return r;
  }
  // The manifest scan runs on this thread while the workers parse Rust files.
  const manifestScan = manifestScanCached(found.root, found.manifests, useCache);
  const [manifests, rust] = await Promise.all([
    manifestScan,
    scanRust({
      root: found.root,
      files: found.rustFiles,
      crates: manifestScan.then((m) => m.crates),
      useCache,
      onProgress: opts.onProgress,
    }),
  ]);
  const prod = <T extends { test: boolean }>(xs: T[]): T[] => xs.filter((x) => !x.test);
  const { capabilities, channels, recommendation, tracing } = analyse({
    crates: manifests.crates,
    tlsFeatures: prod(manifests.tlsFeatures),
    clients: prod(rust.clients),
    factories: prod(rust.factories),
    endpoints: prod(rust.endpoints),
    envVars: prod(rust.envVars).filter((e) => !e.debugOnly && !e.forChild),
    configKeys: prod(rust.configKeys),
    flags: prod(rust.flags),
    literals: rust.literals,
    workspaceVersion: manifests.workspaceVersion,
  });
  const keep = <T extends { test: boolean }>(xs: T[]): T[] => (includeTests ? xs : prod(xs));
  const clients = keep(rust.clients);
  const factories = keep(rust.factories);
  const tlsFeatures = keep(manifests.tlsFeatures);
  const endpoints = keep(rust.endpoints);
  const envVars = keep(rust.envVars);
  const configKeys = keep(rust.configKeys);
  const flags = keep(rust.flags);
  const scanWarnings = [...manifests.warnings, ...rust.warnings];
  if (!manifests.crates.some((c) => c.name === CLI_PACKAGE)) {
    scanWarnings.push({
      kind: 'other',
      message: `no ${CLI_PACKAGE} package in this tree: the shipped binary is unknown, so every crate counts as shipped and the verdicts are about the whole tree`,
    });
  }
  const warnings = [...found.warnings, ...scanWarnings];
  const result: ScanResult = {
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
    factories,
    tlsFeatures,
    endpoints,
    envVars,
    configKeys,
    flags,
    ...(manifests.lockedWebpki ? { lockedWebpki: manifests.lockedWebpki } : {}),
    capabilities,
    tracing,
    channels,
    recommendation,
  };
  if (key) saveResult(found.root, key, result, scanWarnings, found);
  return result;
}
