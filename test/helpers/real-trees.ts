// Real codex-rs trees for regression checks, found through CODEX_MITM_TREES: a `:`-separated list of
// folders that are codex-rs trees or hold them one or two levels down (`<dir>/codex-rs`,
// `<dir>/<name>/codex-rs`), each known by its workspace version (`[workspace.package] version`),
// or `label=folder` for a tree whose workspace says 0.0.0 (development trees: `mid=...`,
// `0.147.1=...`). Nothing is fetched: absent trees make their checks skip, the reason printed once.
//   CODEX_MITM_TREES=/tmp/trees:mid=/tmp/trees/cxmid:0.147.1=/tmp/trees/cx147 npm test
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

let found: Map<string, string> | undefined;

function versionOf(root: string): string | undefined {
  try {
    const text = readFileSync(join(root, 'Cargo.toml'), 'utf8');
    const pkg = /\[workspace\.package\][^[]*?\bversion\s*=\s*"([^"]+)"/.exec(text);
    return pkg?.[1];
  } catch {
    return undefined;
  }
}

function candidates(dir: string): string[] {
  const out: string[] = [];
  const isTree = (d: string) => existsSync(join(d, 'Cargo.toml')) && existsSync(join(d, 'core'));
  if (isTree(dir)) return [dir];
  if (isTree(join(dir, 'codex-rs'))) return [join(dir, 'codex-rs')];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const d = join(dir, n);
    try {
      if (!statSync(d).isDirectory()) continue;
    } catch {
      continue;
    }
    if (isTree(d)) out.push(d);
    else if (isTree(join(d, 'codex-rs'))) out.push(join(d, 'codex-rs'));
  }
  return out;
}

/** version -> tree root, of every tree CODEX_MITM_TREES names. */
export function realTrees(): Map<string, string> {
  if (found) return found;
  found = new Map();
  const entries = (process.env.CODEX_MITM_TREES ?? '').split(':').filter(Boolean);
  for (const e of entries.filter((x) => x.includes('='))) {
    const [label, dir] = [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)];
    const root = candidates(dir)[0];
    if (root) found.set(label, root);
  }
  for (const dir of entries.filter((x) => !x.includes('=')))
    for (const root of candidates(dir)) {
      const v = versionOf(root);
      if (v && v !== '0.0.0' && !found.has(v)) found.set(v, root);
    }
  return found;
}

const warned = new Set<string>();

/** The tree of `version` (or a label such as `mid`), or undefined with the reason printed once. */
export function realTree(version: string, testFile: string): string | undefined {
  const t = realTrees().get(version);
  if (!t && !warned.has(`${testFile}:${version}`)) {
    warned.add(`${testFile}:${version}`);
    console.warn(
      `${testFile}: no codex-rs ${version} tree in CODEX_MITM_TREES (${process.env.CODEX_MITM_TREES || 'unset'}); its checks are skipped ` +
        (/^\d+\.\d+\.\d+$/.test(version)
          ? `(extract one: git --git-dir=<fetched codex repo> archive rust-v${version} codex-rs | tar -x -C <dir>)`
          : `(a development tree: name it with CODEX_MITM_TREES=${version}=<dir>)`),
    );
  }
  return t;
}
