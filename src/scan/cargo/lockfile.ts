// Cargo.lock: which locked packages pull webpki-roots, and through which chain.
import type { LockedWebpki, ScanWarning } from '../../model.js';
import { parse, TomlError } from 'smol-toml';

interface LockPkg {
  name: string;
  version: string;
  source?: string;
  deps: string[];
}

/** `dependencies` entries are "name", "name version" or "name version (source)". */
function depKey(entry: string, byName: Map<string, LockPkg[]>): string | undefined {
  const [name, version] = entry.split(' ');
  const cands = byName.get(name!) ?? [];
  const hit = version ? cands.find((p) => p.version === version) : cands[0];
  return hit ? `${hit.name} ${hit.version}` : undefined;
}

export function lockedWebpkiOf(text: string, file: string, warnings: ScanWarning[], target = 'webpki-roots'): LockedWebpki[] {
  let doc: { package?: Array<Record<string, unknown>> };
  try {
    doc = parse(text) as typeof doc;
  } catch (e) {
    warnings.push({ kind: 'manifest', file, line: e instanceof TomlError ? e.line : undefined, message: `lock file does not parse: ${String((e as Error).message).split('\n')[0]}` });
    return [];
  }
  const pkgs: LockPkg[] = (doc.package ?? []).map((p) => ({
    name: String(p.name),
    version: String(p.version),
    source: typeof p.source === 'string' ? p.source : undefined,
    deps: Array.isArray(p.dependencies) ? p.dependencies.map(String) : [],
  }));
  const byName = new Map<string, LockPkg[]>();
  for (const p of pkgs) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const edges = new Map<string, string[]>();
  for (const p of pkgs) edges.set(`${p.name} ${p.version}`, p.deps.map((d) => depKey(d, byName)).filter((k): k is string => !!k));

  // Shortest chain from any workspace/path package (no source) to each package.
  const prev = new Map<string, string | null>();
  const queue: string[] = [];
  for (const p of pkgs) {
    if (p.source === undefined) {
      const k = `${p.name} ${p.version}`;
      prev.set(k, null);
      queue.push(k);
    }
  }
  while (queue.length > 0) {
    const k = queue.shift()!;
    for (const n of edges.get(k) ?? []) {
      if (!prev.has(n)) {
        prev.set(n, k);
        queue.push(n);
      }
    }
  }
  const chain = (k: string): string[] => {
    const out: string[] = [];
    let cur: string | null | undefined = k;
    while (cur) {
      out.unshift(cur);
      cur = prev.get(cur);
    }
    return out;
  };
  const out: LockedWebpki[] = [];
  for (const p of pkgs) {
    const k = `${p.name} ${p.version}`;
    if (p.name === target) continue; // the 0.26 shim of webpki-roots re-exports 1.x: not a consumer
    if (!(edges.get(k) ?? []).some((d) => d.startsWith(`${target} `))) continue;
    const c = prev.has(k) ? chain(k) : [];
    const names = c.map((x) => {
      const [n, v] = x.split(' ');
      const pk = pkgs.find((q) => q.name === n && q.version === v);
      return pk?.source === undefined ? n! : x;
    });
    out.push({
      package: p.name,
      version: p.version,
      reason: c.length > 0 ? `${names.join(' -> ')} -> ${target}` : `${p.name} ${p.version} -> ${target} (no workspace crate reaches it)`,
    });
  }
  return out;
}
