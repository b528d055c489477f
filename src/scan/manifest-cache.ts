// Warm runs skip the manifest scan when no Cargo.toml / Cargo.lock changed (size + mtime), and
// neither the TLS rules nor the manifest-scanner code did. One JSON file per scanned root, next to
// the Rust facts cache. Best effort: any cache problem falls back to a fresh scan.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { scanManifests, type ManifestScan } from './cargo/index.js';
import { cacheDir, writeCacheFile } from './rust/cache.js';

const CARGO_DIR = new URL('./cargo/', import.meta.url);
const RULES = new URL('../../rules/tls.toml', import.meta.url);

function codeAndRulesHash(): string {
  const h = createHash('sha256');
  for (const name of readdirSync(CARGO_DIR).sort()) if (/\.(js|ts)$/.test(name)) h.update(readFileSync(new URL(name, CARGO_DIR)));
  h.update(readFileSync(RULES));
  return h.digest('hex');
}

async function statKey(root: string, files: string[]): Promise<string> {
  const h = createHash('sha256').update(codeAndRulesHash());
  const stats = await Promise.all(
    files.map((f) =>
      stat(path.join(root, f)).then(
        (s) => `${f}\0${s.size}\0${s.mtimeMs}`,
        () => `${f}\0-`,
      ),
    ),
  );
  for (const s of stats) h.update(s).update('\n');
  return h.digest('hex');
}

export async function manifestScanCached(root: string, manifests: string[], useCache: boolean): Promise<ManifestScan> {
  if (!useCache) return scanManifests(root, manifests);
  const file = path.join(cacheDir(), `manifests-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
  let key: string | undefined;
  try {
    key = await statKey(root, [...manifests, 'Cargo.lock']);
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { key: string; scan: ManifestScan };
    if (cached.key === key) return cached.scan;
  } catch {
    // no cache yet, or unreadable: scan
  }
  const scan = await scanManifests(root, manifests);
  if (key) writeCacheFile(file, JSON.stringify({ key, scan }));
  return scan;
}
