// Approach B is never silently incomplete: a manifest of the binary it cannot read is refused by
// name, a feature listed twice is switched twice, `[features]` entries that turn a webpki feature on
// are switched too; FIFOs in a manifest's or Cargo.lock's place are never waited on.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { makeTree, snapshot } from './mini-tree.js';

const read = (root: string, rel: string) => fs.readFile(join(root, rel), 'utf8');
const mkfifo = (p: string) => execFileSync('mkfifo', [p]);

describe('approach B reports what it cannot switch', () => {
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

  it('a FIFO Cargo.lock is warned about and skipped (before: the scan hung)', async () => {
    const root = await makeTree();
    mkfifo(join(root, 'Cargo.lock'));
    const r = runCli(['scan', root, '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { summary: { warnings: { file?: string; message: string }[] } };
    expect(j.summary.warnings.find((w) => w.file === 'Cargo.lock')?.message).toMatch(/FIFO/);
  });

  it('a feature listed twice is switched at both places (before: once)', async () => {
    const root = await makeTree();
    const core = (await read(root, 'core/Cargo.toml')).replace('features = ["json", "rustls-tls"]', 'features = ["rustls-tls", "json", "rustls-tls"]');
    await fs.writeFile(join(root, 'core/Cargo.toml'), core);
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    const now = await read(root, 'core/Cargo.toml');
    expect(now).toContain('features = ["rustls-tls-native-roots", "json", "rustls-tls-native-roots"]');
    expect(runCli(['unpatch', '--approach', 'b', root]).code).toBe(0);
    expect(await read(root, 'core/Cargo.toml')).toBe(core);
  });

  it('`[features] default = ["reqwest/rustls-tls"]` in a shipped crate is switched (before: ignored)', async () => {
    const root = await makeTree();
    const net = (await read(root, 'net/Cargo.toml')) + '\n[features]\ndefault = ["reqwest/rustls-tls", "hyper-rustls?/webpki-roots", "other"]\n';
    await fs.writeFile(join(root, 'net/Cargo.toml'), net);
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    const now = await read(root, 'net/Cargo.toml');
    expect(now).toContain('default = ["reqwest/rustls-tls-native-roots", "hyper-rustls?/native-tokio", "other"]');
    expect(r.stdout).toMatch(/net\/Cargo\.toml:\d+ +\[features\] default = "reqwest\/rustls-tls"/);
    expect(runCli(['unpatch', '--approach', 'b', root]).code).toBe(0);
    expect(await read(root, 'net/Cargo.toml')).toBe(net);
  });
});

describe('docs never waits on a FIFO', () => {
  it('`docs <fifo>` is a one-line error (before: hung)', async () => {
    const root = await makeTree();
    const f = join(root, 'channels.md');
    mkfifo(f);
    const r = runCli(['docs', f, '--check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/channels\.md: is a FIFO \(named pipe\), not a regular file/);
  });
});
