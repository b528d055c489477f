// Cargo manifest scanner: crates, TLS features (with exact spans), Cargo.lock webpki-roots.
import { readRegularText } from './read-file.js';
import path from 'node:path';
import type { CrateInfo, LockedWebpki, ScanWarning, TlsFeature } from '../../model.js';
import { crateInfoOf, packageName } from './crate-info.js';
import { resolveDeps, resolveWorkspaceDeps } from './deps.js';
import { lockedWebpkiOf } from './lockfile.js';
import { readManifest, toPosix, type ParsedManifest } from './manifest-read.js';
import { tlsFeaturesOf } from './tls-features.js';
import { workspaceVersionOf } from './version.js';

export { binaryClosure, CLI_PACKAGE, unifiedFeatures } from './closure.js';
export {
  dependencyLines,
  featureStringsOf,
  lexToml,
  locateFeatureStrings,
  TomlLexError,
  type FeatureStringSpan,
  type KeyPath,
  type TomlKeySpan,
  type TomlLexResult,
  type TomlStringSpan,
} from '../../util/toml-spans.js';
export { isShippedTable, isTestTable } from './deps.js';
export { treeVersion, workspaceVersionOf } from './version.js';
export { loadTlsRules, tlsRuleFor, compatLine, type TlsCrateRule, type TlsFeatureRule } from './tls-rules.js';

export interface ManifestScan {
  crates: CrateInfo[];
  tlsFeatures: TlsFeature[];
  lockedWebpki?: LockedWebpki[];
  warnings: ScanWarning[];
  workspaceVersion?: string;
}

function workspaceRootOf(ms: ParsedManifest[]): ParsedManifest | undefined {
  const roots = ms.filter((m) => typeof m.doc.workspace === 'object' && m.doc.workspace !== null);
  return roots.sort((a, b) => (a.dir === '' ? -1 : b.dir === '' ? 1 : a.dir.length - b.dir.length))[0];
}

/** Scan the manifests (paths relative to `root`). Never throws on a bad manifest: it becomes a warning. */
export async function scanManifests(root: string, manifests: string[]): Promise<ManifestScan> {
  const warnings: ScanWarning[] = [];
  const parsed: ParsedManifest[] = [];
  for (const rel of [...manifests].map(toPosix).sort()) {
    const m = await readManifest(root, rel, warnings);
    if (m) parsed.push(m);
  }
  const wsRoot = workspaceRootOf(parsed);
  const crates: CrateInfo[] = [];
  const tlsFeatures: TlsFeature[] = [];
  for (const m of parsed) {
    const name = packageName(m);
    if (name === undefined) {
      if (m !== wsRoot) warnings.push({ kind: 'manifest', file: m.rel, message: 'manifest has neither [package] name nor [workspace]' });
      continue;
    }
    const deps = resolveDeps(m, wsRoot, warnings);
    crates.push(crateInfoOf(root, m, name, deps));
    for (const d of deps) tlsFeatures.push(...tlsFeaturesOf(d, { manifest: m, crate: name, wsRoot }, warnings));
  }
  if (wsRoot) {
    const crate = packageName(wsRoot) ?? '';
    for (const d of resolveWorkspaceDeps(wsRoot)) tlsFeatures.push(...tlsFeaturesOf(d, { manifest: wsRoot, crate }, warnings));
  }

  const workspaceVersion = wsRoot ? workspaceVersionOf(wsRoot.doc) : undefined;

  let lockedWebpki: LockedWebpki[] | undefined;
  const lockRel = wsRoot ? (wsRoot.dir ? `${wsRoot.dir}/Cargo.lock` : 'Cargo.lock') : 'Cargo.lock';
  // a FIFO named Cargo.lock is warned about and skipped (reading it would wait for a writer forever)
  const lock = await readRegularText(path.join(root, lockRel), { noFollow: true });
  if ('text' in lock) lockedWebpki = lockedWebpkiOf(lock.text, lockRel, warnings);
  else if (lock.code !== 'ENOENT') warnings.push({ kind: lock.code === 'utf8' ? 'encoding' : 'unreadable', file: lockRel, message: `Cargo.lock ${lock.why}; its locked packages are not checked` });

  return {
    crates,
    tlsFeatures,
    ...(lockedWebpki ? { lockedWebpki } : {}),
    warnings,
    ...(workspaceVersion !== undefined ? { workspaceVersion } : {}),
  };
}
