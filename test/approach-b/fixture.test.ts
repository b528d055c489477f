// approach B on a temp copy of fixtures/codex-rs (expectations written by hand from the fixture's manifests).
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE, runCli } from '../helpers/run-cli.js';
import { snapshot } from './mini-tree.js';

// manifest -> 1-based line whose "rustls-tls" becomes "rustls-tls-native-roots"
const CHANGED: Record<string, number> = {
  'backend-client/Cargo.toml': 9,
  'otel/Cargo.toml': 25,
  'responses-api-proxy/Cargo.toml': 16,
  'rmcp-client/Cargo.toml': 13,
};

async function copyFixture(): Promise<string> {
  const root = join(await fs.mkdtemp(join(tmpdir(), 'cm-bfx-')), 'codex-rs');
  await fs.cp(FIXTURE, root, { recursive: true });
  return root;
}

describe('approach B on fixtures/codex-rs', () => {
  it('switches rustls-tls in exactly the four shipped manifests and unpatch restores every byte', async () => {
    const root = await copyFixture();
    const before = await snapshot(root);
    const originals = new Map<string, string>();
    for (const rel of Object.keys(CHANGED)) originals.set(rel, await fs.readFile(join(root, rel), 'utf8'));

    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Approach B: 4 feature(s) in 4 manifest(s)');
    expect(r.stdout).toMatch(/reqwest "rustls-tls" in app-server\/Cargo.toml:16 \(codex-app-server\): in dev-dependencies/);
    expect(r.stdout).toMatch(/sqlx "runtime-tokio-rustls" in state\/Cargo.toml:\d+ \(codex-state\)/);

    const after = await snapshot(root);
    const changed = Object.keys(after).filter((k) => !k.startsWith('.codex-mitm/') && after[k] !== before[k]);
    expect(changed.sort()).toEqual(Object.keys(CHANGED).sort());
    for (const [rel, line] of Object.entries(CHANGED)) {
      const old = originals.get(rel)!.split('\n');
      const neu = (await fs.readFile(join(root, rel), 'utf8')).split('\n');
      expect(neu.length).toBe(old.length);
      const diff = old.map((l, i) => i).filter((i) => old[i] !== neu[i]);
      expect(diff, rel).toEqual([line - 1]);
      expect(neu[line - 1]).toBe(old[line - 1]!.replace(/(["'])rustls-tls\1/, '$1rustls-tls-native-roots$1'));
    }

    const again = runCli(['patch', '--approach', 'b', root, '--dry-run']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to do');

    const un = runCli(['unpatch', '--approach', 'b', root]);
    expect(un.code, un.stderr).toBe(0);
    expect(await snapshot(root)).toEqual(before);
  });
});
