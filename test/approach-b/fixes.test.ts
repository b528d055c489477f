// Approach B: unpatch with a broken backup or an upstream pull, dry runs that tell the truth,
// unrelated broken manifests, the next steps and the Cargo.lock report (hand-written mini tree).
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { FILES, EXPECTED, expectedText, makeTree, snapshot } from './mini-tree.js';

const read = (root: string, rel: string) => fs.readFile(join(root, rel), 'utf8');
const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );
const patch = async (root: string) => expect(runCli(['patch', '--approach', 'b', root]).code).toBe(0);
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

  it('switches the features back in place and keeps the upstream edits, with or without --force', async () => {
    for (const force of [false, true]) {
      const root = await makeTree();
      await patch(root);
      await fs.writeFile(join(root, 'net/Cargo.toml'), pull(expectedText('net/Cargo.toml')));
      const r = runCli(['unpatch', '--approach', 'b', root, ...(force ? ['--force'] : [])]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('net/Cargo.toml (patch undone in place, keeping any edits made since)');
      expect(await read(root, 'net/Cargo.toml')).toBe(pull(FILES['net/Cargo.toml']!));
      expect(await read(root, 'core/Cargo.toml')).toBe(FILES['core/Cargo.toml']);
    }
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
    const real = runCli(['patch', '--approach', 'b', root]);
    expect(real.stdout).toContain('Approach B: 5 feature(s) in 3 manifest(s) switched to native roots:');
  });
});

describe('patch --approach b on a tree with an unrelated broken manifest', () => {
  it('goes ahead and notes it', async () => {
    const root = await makeTree();
    await fs.mkdir(join(root, 'scripts/junk'), { recursive: true });
    await fs.writeFile(join(root, 'scripts/junk/Cargo.toml'), '[package\nname = "junk"\n');
    const r = runCli(['patch', '--approach', 'b', root]);
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

  it('records flows with -w and warns about bearer tokens; splits Cargo.lock into removed and still embedded', async () => {
    const root = await makeTree();
    await fs.writeFile(join(root, 'Cargo.lock'), LOCK);
    const r = runCli(['patch', '--approach', 'b', root, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Start the forward proxy, recording to a flow file: `\(umask 077 && mitmdump --listen-host 127\.0\.0\.1 --listen-port 8080 -w codex-b\.flow\)`/);
    expect(r.stdout).toContain('The flow file holds bearer tokens and API keys');
    const removed = r.stdout.indexOf('removed by this patch once Cargo.lock is regenerated');
    const kept = r.stdout.indexOf('Cargo.lock: still embedded after the rebuild');
    expect(removed).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(removed);
    const removedPart = r.stdout.slice(removed, kept);
    const keptPart = r.stdout.slice(kept, r.stdout.indexOf('Next steps:'));
    expect(removedPart).toContain('  - reqwest 0.12.28: via reqwest "rustls-tls", reqwest "rustls-tls-webpki-roots"');
    expect(removedPart).toContain('  - hyper-rustls 0.27.7: via ');
    // The dev-dependency and the crate outside the binary still enable reqwest's webpki roots.
    expect(removedPart).toContain('Cargo.lock keeps listing it while reqwest "rustls-tls" in cli/Cargo.toml:16 (codex-cli), reqwest "rustls-tls" in tools/Cargo.toml:6 (codex-tools)');
    expect(removedPart).not.toContain('sqlx');
    expect(keptPart).toContain('  - sqlx-core 0.8.6: codex-state -> sqlx 0.8.6 -> sqlx-core 0.8.6 -> webpki-roots');
    expect(keptPart).not.toContain('reqwest');
    const j = JSON.parse(runCli(['patch', '--approach', 'b', root, '--dry-run', '--json']).stdout);
    expect(j.lockedRemoved.map((l: { package: string }) => l.package)).toEqual(['reqwest', 'hyper-rustls']);
    expect(j.lockedKept.map((l: { package: string }) => l.package)).toEqual(['sqlx-core']);
  });
});
