// Which workspace crates reach a binary, and which features a dependency gets there.
import type { CrateInfo, TlsFeature } from '../../model.js';
import { rustRules } from '../../rules/files.js';
import { isShippedTable } from './deps.js';
import { compatLine, loadTlsRules, tlsRuleFor } from './tls-rules.js';

/** Package names reachable from `pkg` through non-dev, non-build dependencies that are path crates of the scan
 *  (target-specific normal deps included; build-dependencies excluded: resolver 2 builds them apart). */
/** The package that builds the shipped `codex` binary (rules/rust.toml [tree] cli_package). */
export const CLI_PACKAGE: string = rustRules().tree.cli_package;

export function binaryClosure(crates: CrateInfo[], pkg = CLI_PACKAGE): Set<string> {
  const byDir = new Map(crates.map((c) => [c.dir, c]));
  const start = crates.find((c) => c.name === pkg);
  const seen = new Set<string>();
  if (!start) return seen;
  const queue = [start];
  seen.add(start.name);
  while (queue.length > 0) {
    const c = queue.shift()!;
    for (const d of c.deps) {
      if (d.path === undefined || !isShippedTable(d.table)) continue;
      const target = byDir.get(d.path);
      if (target && !seen.has(target.name)) {
        seen.add(target.name);
        queue.push(target);
      }
    }
  }
  return seen;
}

/** Features of `dependency` unified over the closure (shipped tables only, implicit default features included,
 *  features turned on through other crates' rules `enables` included), with the TlsFeature facts that enable each.
 *  `line` picks one semver line ("0.12"); by default the [workspace.dependencies] entry's line, else the most common. */
export function unifiedFeatures(
  tlsFeatures: TlsFeature[],
  closure: Set<string>,
  dependency = 'reqwest',
  line?: string,
): { features: string[]; evidence: TlsFeature[] } {
  const shipped = tlsFeatures.filter((t) => closure.has(t.crate) && !t.test && isShippedTable(t.table));
  let want = line;
  if (want === undefined) {
    const ws = tlsFeatures.find((t) => t.table === 'workspace.dependencies' && t.dependency === dependency && t.version);
    want = compatLine(ws?.version);
    if (want === undefined) {
      const counts = new Map<string, number>();
      for (const t of shipped) {
        const l = t.dependency === dependency ? compatLine(t.version) : undefined;
        if (l) counts.set(l, (counts.get(l) ?? 0) + 1);
      }
      want = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    }
  }
  const features = new Set<string>();
  const evidence: TlsFeature[] = [];
  const rules = loadTlsRules();
  for (const t of shipped) {
    if (t.dependency === dependency) {
      const l = compatLine(t.version);
      if (want !== undefined && l !== undefined && l !== want) continue;
      features.add(t.feature);
      evidence.push(t);
      continue;
    }
    const r = tlsRuleFor(t.dependency, t.version, rules)?.features.get(t.feature);
    let used = false;
    for (const e of r?.enables ?? []) {
      if (e.dependency !== dependency || (want !== undefined && e.line !== want)) continue;
      features.add(e.feature);
      used = true;
    }
    if (used) evidence.push(t);
  }
  return { features: [...features].sort(), evidence };
}
