// `patch --approach b` never goes ahead silently incomplete: a manifest of the binary it cannot read
// (a symbolic link, a FIFO, a read-only file, also under --dry-run) is refused by name with one line,
// exit 2, nothing written; a broken manifest outside the binary is only noted.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { EXPECTED, expectedText, makeTree, snapshot } from './mini-tree.js';

const read = (root: string, rel: string) => fs.readFile(join(root, rel), 'utf8');
const mkfifo = (p: string) => execFileSync('mkfifo', [p]);

describe('patch --approach b refuses a manifest of the binary it cannot read', () => {
  it('a symlinked Cargo.toml of a shipped crate is refused by name (before: dropped, the patch went ahead)', async () => {
    const root = await makeTree();
    const net = join(root, 'net/Cargo.toml');
    await fs.rename(net, join(root, 'net.toml'));
    await fs.symlink('../net.toml', net);
    const before = await snapshot(root);
    for (const dry of [[], ['--dry-run']]) {
      const r = runCli(['patch', '--approach', 'b', root, '--force', ...dry]);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${net}: is a symbolic link (not followed): the manifest of codex-net, a dependency of codex-cli`);
    }
    expect(await snapshot(root)).toEqual(before);
  });

  it('a FIFO Cargo.toml of a shipped crate is refused at once, never waited on (before: dropped)', async () => {
    const root = await makeTree();
    const net = join(root, 'net/Cargo.toml');
    await fs.rm(net);
    mkfifo(net);
    const t0 = Date.now();
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/net\/Cargo\.toml: .*codex-net, a dependency of codex-cli/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
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
