// Approach B: unpatch with a broken backup or an upstream pull, dry runs that tell the truth,
// unrelated broken manifests, the next steps and the Cargo.lock report (hand-written mini tree).
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { FIXTURE, runCli } from '../helpers/run-cli.js';
import { FILES, EXPECTED, expectedText, makeTree, snapshot } from './mini-tree.js';

const read = (root: string, rel: string) => fs.readFile(join(root, rel), 'utf8');
const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );
const patch = async (root: string) => expect(runCli(['patch', '--approach', 'b', root, '--force']).code).toBe(0);
const backupOf = async (root: string, rel: string) => {
  const state = JSON.parse(await read(root, '.codex-mitm/b.json'));
  return join(root, '.codex-mitm', state.files.find((f: { path: string }) => f.path === rel).backup);
};

describe('unpatch --approach b with a missing or corrupted backup', () => {
  it('without --force refuses before touching anything and says how to recover', async () => {
    const root = await makeTree();
    await patch(root);
    await fs.rm(await backupOf(root, 'core/Cargo.toml'));
    const before = await snapshot(root);
    const r = runCli(['unpatch', '--approach', 'b', root]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('backup of core/Cargo.toml is missing');
    expect(r.stderr).toContain('--force restores the other files');
    expect(r.stderr).toContain('`git checkout -- core/Cargo.toml`), then delete .codex-mitm/b.json');
    expect(await snapshot(root)).toEqual(before);
  });

  it('--force undoes the switch in place when the backup is gone', async () => {
    const root = await makeTree();
    await patch(root);
    await fs.rm(await backupOf(root, 'core/Cargo.toml'));
    const r = runCli(['unpatch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('core/Cargo.toml (patch undone in place, keeping any edits made since)');
    for (const [rel, text] of Object.entries(FILES)) expect(await read(root, rel), rel).toBe(text);
    expect(await exists(join(root, '.codex-mitm'))).toBe(false);
  });

  it('--force restores every other file, then exits 2 naming the one it could not restore', async () => {
    const root = await makeTree();
    await patch(root);
    await fs.writeFile(await backupOf(root, 'core/Cargo.toml'), 'not the original');
    // ...and the switched string itself was edited: no in-place undo either.
    const edited = expectedText('core/Cargo.toml').replace('"rustls-tls-native-roots"', '"native-tls"');
    await fs.writeFile(join(root, 'core/Cargo.toml'), edited);
    const dry = runCli(['unpatch', '--approach', 'b', root, '--force', '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain('Would not restore:\n  core/Cargo.toml: core/Cargo.toml was edited since the patch, and the backup of core/Cargo.toml is corrupted');
    const r = runCli(['unpatch', '--approach', 'b', root, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('restored 2 file(s), but not core/Cargo.toml');
    expect(r.stderr).toContain('`git checkout -- core/Cargo.toml`), then delete .codex-mitm/b.json');
    expect(await read(root, 'Cargo.toml')).toBe(FILES['Cargo.toml']);
    expect(await read(root, 'net/Cargo.toml')).toBe(FILES['net/Cargo.toml']);
    expect(await read(root, 'core/Cargo.toml')).toBe(edited);
    // The state now records only what is left; once the file is back, unpatch finishes.
    const state = JSON.parse(await read(root, '.codex-mitm/b.json'));
    expect(state.files.map((f: { path: string }) => f.path)).toEqual(['core/Cargo.toml']);
    await fs.writeFile(join(root, 'core/Cargo.toml'), FILES['core/Cargo.toml']!);
    const again = runCli(['unpatch', '--approach', 'b', root]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Already original: core/Cargo.toml');
    expect(await exists(join(root, '.codex-mitm'))).toBe(false);
  });
});

describe('unpatch --approach b after an upstream pull into a patched manifest', () => {
  // Upstream added a dependency above the switched lines and bumped a version below them.
  const pull = (text: string) =>
    text
      .replace('[dependencies]\n', '[dependencies]\nserde = "1"\nanyhow = "1"\n')
      .replace('version = "0.31"', 'version = "0.32"');

  it('refuses a manifest edited since (exit 2, nothing written); --force switches the features back in place and keeps the upstream edits', async () => {
    const root = await makeTree();
    await patch(root);
    const edited = pull(expectedText('net/Cargo.toml'));
    await fs.writeFile(join(root, 'net/Cargo.toml'), edited);
    const refused = runCli(['unpatch', '--approach', 'b', root]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('net/Cargo.toml was edited since the patch; refusing to restore anything (use --force to undo only the patch and keep your edits)');
    expect(await read(root, 'net/Cargo.toml')).toBe(edited);
    expect(await read(root, 'core/Cargo.toml')).not.toBe(FILES['core/Cargo.toml']);
    const r = runCli(['unpatch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('net/Cargo.toml (patch undone in place, keeping any edits made since)');
    expect(await read(root, 'net/Cargo.toml')).toBe(pull(FILES['net/Cargo.toml']!));
    expect(await read(root, 'core/Cargo.toml')).toBe(FILES['core/Cargo.toml']);
  });

  it('refuses a file whose switched line was changed, and --force then restores the backup', async () => {
    const root = await makeTree();
    await patch(root);
    const edited = pull(expectedText('net/Cargo.toml')).replace('"http2", "native-tokio"', '"native-tokio", "http2"');
    await fs.writeFile(join(root, 'net/Cargo.toml'), edited);
    const r = runCli(['unpatch', '--approach', 'b', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('net/Cargo.toml was edited since the patch');
    expect(await read(root, 'net/Cargo.toml')).toBe(edited);
    expect(runCli(['unpatch', '--approach', 'b', root, '--force']).code).toBe(0);
    expect(await read(root, 'net/Cargo.toml')).toBe(FILES['net/Cargo.toml']);
  });
});

describe('dry runs exit as the real run would', () => {
  it('unpatch --dry-run exits 2 when the real run would refuse, 0 with --force', async () => {
    const root = await makeTree();
    await patch(root);
    const edited = expectedText('net/Cargo.toml').replace('"native-tokio"]', '"ring"]');
    await fs.writeFile(join(root, 'net/Cargo.toml'), edited);
    const before = await snapshot(root);
    const r = runCli(['unpatch', '--approach', 'b', root, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Edited since the patch (a real run refuses; --force overwrites):\n  net/Cargo.toml');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('net/Cargo.toml: net/Cargo.toml was edited since the patch; a real run refuses to restore anything');
    const j = runCli(['unpatch', '--approach', 'b', root, '--dry-run', '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout).refused.map((x: { path: string }) => x.path)).toEqual(['net/Cargo.toml']);
    const f = runCli(['unpatch', '--approach', 'b', root, '--dry-run', '--force']);
    expect(f.code, f.stderr).toBe(0);
    expect(await snapshot(root)).toEqual(before);
  });

  it('patch --dry-run refuses a read-only manifest like the real run, and says "would be switched" otherwise', async () => {
    const root = await makeTree();
    await fs.chmod(join(root, 'net/Cargo.toml'), 0o444);
    const before = await snapshot(root);
    const r = runCli(['patch', '--approach', 'b', root, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${join(root, 'net/Cargo.toml')} is read-only; a real run would refuse`);
    expect(await snapshot(root)).toEqual(before);
    await fs.chmod(join(root, 'net/Cargo.toml'), 0o644);
    const ok = runCli(['patch', '--approach', 'b', root, '--dry-run']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Approach B: 5 feature(s) in 3 manifest(s) would be switched to native roots:');
    const real = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(real.stdout).toContain('Approach B: 5 feature(s) in 3 manifest(s) switched to native roots:');
  });
});

describe('patch --approach b on a tree with an unrelated broken manifest', () => {
  it('goes ahead and notes it', async () => {
    const root = await makeTree();
    await fs.mkdir(join(root, 'scripts/junk'), { recursive: true });
    await fs.writeFile(join(root, 'scripts/junk/Cargo.toml'), '[package\nname = "junk"\n');
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scripts\/junk\/Cargo\.toml:1: manifest does not parse: .*; not part of the codex-cli binary and not edited/);
    for (const rel of Object.keys(EXPECTED)) expect(await read(root, rel), rel).toBe(expectedText(rel));
  });
});

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
