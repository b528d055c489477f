// Binary evidence as text (for the terminal, after the report or alone) and the up-front version line.
import type { BinaryEvidence, CrossCheck } from './evidence.js';

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MiB`;
}

/** One line: binary and tree versions, compared. */
export function versionLine(ev: BinaryEvidence, cc?: CrossCheck): string {
  const bin = `binary: codex ${ev.version ?? '(version unknown)'} (${ev.format}, ${mib(ev.bytes)})`;
  if (!cc) return `${bin} — binary-only report: no source tree given`;
  const tree = `tree: ${cc.tree.version ?? 'version unknown'}`;
  if (cc.versions === 'different') return `${bin} — ${tree}: DIFFERENT versions, findings from this tree may not match what this binary sends; scan the source of ${ev.version} (codex-mitm scan --codex-version ${ev.version})`;
  if (cc.versions === 'same') return `${bin} — ${tree}: same version`;
  return `${bin} — ${tree}: versions cannot be compared`;
}

function list(title: string, xs: string[], max = 40): string[] {
  if (!xs.length) return [];
  return [`  ${title} (${xs.length}):`, ...xs.slice(0, max).map((x) => `    ${x}`), ...(xs.length > max ? [`    … ${xs.length - max} more (--json has all)`] : [])];
}

export function renderBinaryText(ev: BinaryEvidence & { crossCheck?: CrossCheck }): string {
  const out = ['Binary evidence', `  ${versionLine(ev, ev.crossCheck)}`, `  file: ${ev.file}`];
  out.push(...list('hosts in the binary', ev.hosts), ...list('URLs', ev.urls, 30), ...list('env vars known to the rules or the tree, present', ev.envVars), ...list('config keys present', ev.configKeys, 30));
  const cc = ev.crossCheck;
  if (cc) {
    out.push('', '  Cross-check with the tree');
    const none = !cc.inBinaryOnly.hosts.length && !cc.inBinaryOnly.paths.length && !cc.inTreeOnly.hosts.length && !cc.inTreeOnly.paths.length && !cc.inTreeOnly.envVars.length;
    if (none) out.push('    binary and tree agree on hosts, paths and env vars');
    out.push(
      ...list('in the binary, not in the tree (wrong tree or version, or channels the tree does not show)', cc.inBinaryOnly.hosts).map((l) => `  ${l}`),
      ...list('URL paths in the binary, not in the tree', cc.inBinaryOnly.paths, 30).map((l) => `  ${l}`),
      ...list('other hosts in the binary (links, docs, bundled grammars, SDK defaults; not compared)', cc.otherHosts, 12).map((l) => `  ${l}`),
      ...list('hosts of the tree not in the binary (dead, feature-gated, or other source)', cc.inTreeOnly.hosts).map((l) => `  ${l}`),
      ...list('paths of the tree not in the binary', cc.inTreeOnly.paths, 30).map((l) => `  ${l}`),
      ...list('env vars the tree reads, not in the binary', cc.inTreeOnly.envVars).map((l) => `  ${l}`),
    );
  }
  return out.join('\n') + '\n';
}
