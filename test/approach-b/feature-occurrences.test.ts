// `patch --approach b` switches every occurrence of a webpki feature in a shipped crate: a feature
// listed twice, and `[features]` entries that turn a dependency's webpki feature on; unpatch gives
// back the exact text (through the CLI on the mini tree; property-memory.test.ts generates these).
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { makeTree } from './mini-tree.js';

const read = (root: string, rel: string) => fs.readFile(join(root, rel), 'utf8');

describe('approach B switches every occurrence', () => {
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
