// Which member manifests compile in webpki roots, split by whether that TLS reaches the network
// (rules/tls.toml `network = false`, e.g. sqlx in the state crate: a local SQLite file). Approach B
// switches only the network ones; the Scan and Choose screens count them the same way.
import type { ScanResult } from '../model.js';
import { shipped } from '../report/labels.js';
import { tlsRuleFor } from '../scan/cargo/index.js';

export interface WebpkiManifests {
  /** Manifests (relative, sorted) with webpki roots on a stack that talks to remote hosts: what B patches. */
  network: string[];
  /** Manifests whose only webpki roots never reach the network (B leaves them alone). */
  local: string[];
}

export function webpkiManifests(r: Pick<ScanResult, 'tlsFeatures'>): WebpkiManifests {
  const network = new Set<string>();
  const all = new Set<string>();
  for (const t of r.tlsFeatures) {
    // Member manifests' shipped dependencies (workspace declarations count through the members that inherit them).
    if (t.roots !== 'webpki' || !shipped(t) || t.table === 'workspace.dependencies') continue;
    all.add(t.manifest);
    const rule = tlsRuleFor(t.dependency, t.version);
    if (!rule || rule.network) network.add(t.manifest);
  }
  const sorted = (xs: Iterable<string>) => [...xs].sort();
  return { network: sorted(network), local: sorted([...all].filter((m) => !network.has(m))) };
}
