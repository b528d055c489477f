// What `patch --approach b` prints after the diff: the next steps (mitmdump recording to a flow
// file, the bearer-token warning) and the Cargo.lock report (what the rebuild drops from the binary,
// what Cargo.lock keeps listing, what stays embedded), on the mini tree and the fixture tree.
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FIXTURE, runCli } from '../helpers/run-cli.js';
import { FILES, makeTree } from './mini-tree.js';

const patch = async (root: string) => expect(runCli(['patch', '--approach', 'b', root, '--force']).code).toBe(0);

describe('patch --approach b next steps and Cargo.lock report', () => {
  const LOCK = [
    'version = 4',
    '',
    ...[
      ['codex-cli', '0.0.0', undefined, ['codex-core', 'codex-net', 'codex-state']],
      ['codex-core', '0.0.0', undefined, ['reqwest']],
      ['codex-net', '0.1.0', undefined, ['hyper-rustls', 'reqwest']],
      ['codex-state', '0.1.0', undefined, ['sqlx']],
      ['reqwest', '0.12.28', 'registry+https://github.com/rust-lang/crates.io-index', ['hyper-rustls', 'webpki-roots']],
      ['hyper-rustls', '0.27.7', 'registry+https://github.com/rust-lang/crates.io-index', ['webpki-roots']],
      ['sqlx', '0.8.6', 'registry+https://github.com/rust-lang/crates.io-index', ['sqlx-core']],
      ['sqlx-core', '0.8.6', 'registry+https://github.com/rust-lang/crates.io-index', ['webpki-roots']],
      ['webpki-roots', '1.0.4', 'registry+https://github.com/rust-lang/crates.io-index', []],
    ].flatMap(([name, version, source, deps]) => [
      '[[package]]',
      `name = "${name as string}"`,
      `version = "${version as string}"`,
      ...(source ? [`source = "${source as string}"`] : []),
      `dependencies = [${(deps as string[]).map((d) => `"${d}"`).join(', ')}]`,
      '',
    ]),
  ].join('\n');

  it('records flows with -w + (appending, 0600 by umask) and warns about bearer tokens; splits Cargo.lock into removed and still embedded', async () => {
    const root = await makeTree();
    await fs.writeFile(join(root, 'Cargo.lock'), LOCK);
    const r = runCli(['patch', '--approach', 'b', root, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Start the forward proxy, recording to a flow file: `\(umask 077 && mitmdump --listen-host 127\.0\.0\.1 --listen-port 8080 -w \+codex-b\.flow\)`/);
    expect(r.stdout).toContain('The flow file holds bearer tokens and API keys');
    // Every item under a heading says what the heading says: a feature left alone (the
    // dev-dependency, the crate outside the binary) keeps reqwest's entries in Cargo.lock.
    expect(r.stdout).not.toContain('removed by this patch once Cargo.lock is regenerated');
    const listed = r.stdout.indexOf('Cargo.lock: no longer compiled into codex-cli after the rebuild, but Cargo.lock keeps listing them');
    const kept = r.stdout.indexOf('Cargo.lock: still embedded after the rebuild');
    expect(listed).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(listed);
    expect(r.stdout).not.toContain('removed from Cargo.lock once the rebuild regenerates it');
    const listedPart = r.stdout.slice(listed, kept);
    const keptPart = r.stdout.slice(kept, r.stdout.indexOf('Next steps:'));
    expect(listedPart).toContain('  - reqwest 0.12.28: via reqwest "rustls-tls", reqwest "rustls-tls-webpki-roots"');
    expect(listedPart).toContain('(which this patch would switch)');
    expect(listedPart).toContain('  - hyper-rustls 0.27.7: via ');
    expect(listedPart).toContain('still enabled by reqwest "rustls-tls" in cli/Cargo.toml:16 (codex-cli), reqwest "rustls-tls" in tools/Cargo.toml:6 (codex-tools)');
    expect(listedPart).not.toContain('sqlx');
    expect(keptPart).toContain('  - sqlx-core 0.8.6: codex-state -> sqlx 0.8.6 -> sqlx-core 0.8.6 -> webpki-roots');
    expect(keptPart).not.toContain('reqwest');
    const j = JSON.parse(runCli(['patch', '--approach', 'b', root, '--dry-run', '--json']).stdout);
    expect(j.lockedRemoved.map((l: { package: string }) => l.package)).toEqual(['reqwest', 'hyper-rustls']);
    expect(j.lockedKept.map((l: { package: string }) => l.package)).toEqual(['sqlx-core']);
  });

  it('lists under "removed from Cargo.lock" only what no feature left alone keeps there', async () => {
    const root = await makeTree();
    await fs.writeFile(join(root, 'Cargo.lock'), LOCK);
    // No dev-dependency and no crate outside the binary enables reqwest's webpki roots any more.
    await fs.writeFile(join(root, 'cli/Cargo.toml'), FILES['cli/Cargo.toml']!.replace('reqwest = { workspace = true, features = ["rustls-tls"] }', ''));
    await fs.writeFile(join(root, 'tools/Cargo.toml'), FILES['tools/Cargo.toml']!.replace('features = ["rustls-tls"]', 'features = ["json"]'));
    const r = runCli(['patch', '--approach', 'b', root, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const gone = r.stdout.indexOf('Cargo.lock: depend on webpki-roots only through switched features (removed from Cargo.lock once the rebuild regenerates it):');
    expect(gone).toBeGreaterThan(0);
    expect(r.stdout).not.toContain('keeps listing');
    const gonePart = r.stdout.slice(gone, r.stdout.indexOf('Cargo.lock: still embedded after the rebuild'));
    expect(gonePart).toContain('  - reqwest 0.12.28: via reqwest "rustls-tls", reqwest "rustls-tls-webpki-roots"');
    expect(gonePart).not.toContain('still enabled by');
  });

  it('a second run after a real patch names only features the tree has now', async () => {
    const root = await makeTree();
    await fs.writeFile(join(root, 'Cargo.lock'), LOCK);
    await patch(root);
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Nothing to do: already patched');
    const lock = r.stdout.slice(r.stdout.indexOf('Cargo.lock:'), r.stdout.indexOf('Next steps:'));
    // The features the first run replaced are gone from the shipped manifests.
    expect(lock).not.toContain('reqwest "rustls-tls-webpki-roots"');
    expect(lock).not.toContain('opentelemetry-otlp "reqwest-rustls-webpki-roots"');
    expect(lock).not.toMatch(/via reqwest "rustls-tls"/);
    expect(lock).toContain('via features an earlier run switched (now opentelemetry-otlp "reqwest-rustls", reqwest "rustls-tls-native-roots")');
    // Every `dependency "feature"` the run prints is a feature some manifest of the tree lists now.
    await expectFeaturesInTree(root, r.stdout);
    const j = JSON.parse(runCli(['patch', '--approach', 'b', root, '--force', '--json']).stdout);
    const reqwest = j.lockedRemoved.find((l: { package: string }) => l.package === 'reqwest');
    expect(reqwest.switchedBy).toEqual([]);
    expect(reqwest.switchedBefore).toEqual(['opentelemetry-otlp "reqwest-rustls"', 'reqwest "rustls-tls-native-roots"']);
  });

  it('the fixture tree: a second run lists no feature the first one replaced, and no Loopback', async () => {
    const root = join(await fs.mkdtemp(join(tmpdir(), 'cm-b-fx-')), 'codex-rs');
    await fs.cp(FIXTURE, root, { recursive: true });
    const dry = runCli(['patch', '--approach', 'b', root, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    await patch(root);
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Nothing to do: already patched');
    expect(r.stdout).not.toContain('rustls-tls-webpki-roots');
    expect(r.stdout).not.toContain('reqwest-rustls-webpki-roots');
    expect(r.stdout).toContain('via features an earlier run switched (now reqwest "rustls-tls-native-roots")');
    await expectFeaturesInTree(root, r.stdout);
    for (const out of [dry.stdout, r.stdout]) {
      const still = out.slice(out.indexOf('Still not captured through the proxy:'));
      expect(still).toContain('channel Local OSS providers');
      expect(still).not.toContain('Loopback');
    }
  });
});

/** Every `dependency "feature"` in `out` names a feature string some manifest of the tree holds now. */
async function expectFeaturesInTree(root: string, out: string): Promise<void> {
  const manifests: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== '.codex-mitm') await walk(join(dir, e.name));
      else if (e.name === 'Cargo.toml') manifests.push(await fs.readFile(join(dir, e.name), 'utf8'));
    }
  };
  await walk(root);
  const all = manifests.join('\n');
  for (const m of out.matchAll(/\b(reqwest|opentelemetry-otlp|hyper-rustls|tokio-tungstenite|tungstenite|sqlx) "([^"]+)"/g)) {
    expect(all.includes(`"${m[2]}"`) || all.includes(`'${m[2]}'`), `${m[0]} is in no manifest of the tree`).toBe(true);
  }
}
