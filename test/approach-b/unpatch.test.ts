// `unpatch --approach b` on a hand-written mini tree (test/approach-b/mini-tree.ts): a missing or
// corrupted backup, a manifest edited since the patch (an upstream pull), and `unpatch --dry-run`
// exiting as the real run would.
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { FILES, expectedText, makeTree, snapshot } from './mini-tree.js';

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

describe('unpatch --approach b --dry-run exits as the real run would', () => {
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
});
