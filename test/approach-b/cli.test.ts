// approach B through the CLI on a hand-written temp tree (test/approach-b/mini-tree.ts).
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

async function expectOriginal(root: string): Promise<void> {
  for (const [rel, text] of Object.entries(FILES)) expect(await read(root, rel), rel).toBe(text);
}

describe('patch --approach b', () => {
  it('--dry-run prints the diff and the reasons, and writes nothing', async () => {
    const root = await makeTree();
    const before = await snapshot(root);
    const r = runCli(['patch', '--approach', 'b', root, '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- a/core/Cargo.toml\n+++ b/core/Cargo.toml\n');
    expect(r.stdout).toContain('-reqwest = { workspace = true, features = ["json", "rustls-tls"] }   \r\n');
    expect(r.stdout).toContain("+    'rustls-tls-native-roots',\n");
    expect(r.stdout).toContain('Approach B: 5 feature(s) in 3 manifest(s)');
    expect(r.stdout).toContain('Dry run: nothing was written.');
    expect(r.stdout).toMatch(/reqwest "rustls-tls" in cli\/Cargo.toml:16 \(codex-cli\): in dev-dependencies/);
    expect(r.stdout).toMatch(/tokio-tungstenite "rustls-tls-webpki-roots" in legacy\/Cargo.toml:6 .*outside the range ">=0.17"/);
    expect(r.stdout).toMatch(/sqlx "runtime-tokio-rustls" in state\/Cargo.toml:6 .*never reaches the network/);
    expect(r.stdout).toMatch(/tools\/Cargo.toml:6 .*not part of the codex-cli binary/);
    expect(r.stdout).toContain('core/src/lib.rs:2 (codex-core): reqwest::Client::builder calls no_proxy()');
    expect(await snapshot(root)).toEqual(before);
  });

  it('a patch that would not change what codex trusts is refused without --force: preview, exit 2, nothing written (before: wrote four manifests)', async () => {
    const root = await makeTree();
    const before = await snapshot(root);
    const r = runCli(['patch', '--approach', 'b', root]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^codex-mitm: nothing was written: this patch would not change what codex trusts \(.+\); install the CA in the OS store instead, or pass --force to write it anyway\n$/);
    expect(r.stdout).toContain('--- a/core/Cargo.toml\n+++ b/core/Cargo.toml\n');
    expect(r.stdout).toContain('Approach B: 5 feature(s) in 3 manifest(s) would be switched to native roots:');
    expect(r.stdout).toContain('Preview only: nothing was written (see the note above; --force writes it).');
    expect(r.stdout).not.toContain('Wrote ');
    expect(await snapshot(root)).toEqual(before);

    const j = runCli(['patch', '--approach', 'b', root, '--json']);
    expect(j.code).toBe(2);
    const json = JSON.parse(j.stdout) as { refused: boolean; written: string[]; trustUnchanged: boolean };
    expect(json).toMatchObject({ refused: true, written: [], trustUnchanged: true });
    expect(await snapshot(root)).toEqual(before);

    const forced = runCli(['patch', '--approach', 'b', root, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ refused: false, written: ['Cargo.toml', 'core/Cargo.toml', 'net/Cargo.toml'] });
  });

  it('--force with approach a or ca is a one-line error, exit 2', () => {
    for (const a of ['a', 'ca']) {
      const r = runCli(['patch', '--approach', a, '--force', '--dry-run']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^codex-mitm: --force: for --approach b only/);
    }
  });

  it('patches exactly the shipped webpki features, is a no-op the second time, and unpatch restores every byte', async () => {
    const root = await makeTree();
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code, r.stderr).toBe(0);
    for (const rel of Object.keys(FILES)) {
      expect(await read(root, rel), rel).toBe(rel in EXPECTED ? expectedText(rel) : FILES[rel]);
    }
    const state = JSON.parse(await read(root, '.codex-mitm/b.json'));
    expect(state.stateVersion).toBe(1);
    expect(state.files.map((f: { path: string }) => f.path).sort()).toEqual(['Cargo.toml', 'core/Cargo.toml', 'net/Cargo.toml']);

    const patched = await snapshot(root);
    const again = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to do: already patched (recorded in .codex-mitm/b.json)');
    expect(await snapshot(root)).toEqual(patched);

    const un = runCli(['unpatch', '--approach', 'b', root]);
    expect(un.code, un.stderr).toBe(0);
    expect(un.stdout).toContain('Restored 3 file(s)');
    await expectOriginal(root);
    expect(await exists(join(root, '.codex-mitm'))).toBe(false);
  });

  it('--include-dev also switches dev-dependencies', async () => {
    const root = await makeTree();
    const r = runCli(['patch', '--approach', 'b', root, '--force', '--include-dev']);
    expect(r.code, r.stderr).toBe(0);
    expect(await read(root, 'cli/Cargo.toml')).toBe(
      FILES['cli/Cargo.toml']!.replace('features = ["rustls-tls"]', 'features = ["rustls-tls-native-roots"]'),
    );
    expect(runCli(['unpatch', '--approach', 'b', root]).code).toBe(0);
    await expectOriginal(root);
  });

  it('--json prints the plan', async () => {
    const root = await makeTree();
    const r = runCli(['patch', '--approach', 'b', root, '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.approach).toBe('b');
    expect(plan.dryRun).toBe(true);
    expect(plan.applied).toBe(false);
    expect(plan.files.map((f: { display: string }) => f.display)).toEqual(['Cargo.toml', 'core/Cargo.toml', 'net/Cargo.toml']);
    const net = plan.files.find((f: { display: string }) => f.display === 'net/Cargo.toml');
    expect(net.reasons.map((x: { line: number; rule: string }) => [x.line, x.rule])).toEqual([
      [8, 'approach-b/reqwest-rustls-tls-webpki-roots'],
      [10, 'approach-b/hyper-rustls-webpki-roots'],
      [14, 'approach-b/otlp-reqwest-rustls-webpki-roots'],
    ]);
    expect(plan.trustUnchanged).toBe(true);
    expect(plan.uncaptured).toHaveLength(1);
    expect(plan.nextSteps.join('\n')).toContain('cargo build --release');
    expect(await exists(join(root, '.codex-mitm'))).toBe(false);
  });
});

describe('unpatch --approach b refusals', () => {
  it('refuses (exit 2, nothing restored) when a patched feature line was edited since; --force restores everything', async () => {
    const root = await makeTree();
    expect(runCli(['patch', '--approach', 'b', root, '--force']).code).toBe(0);
    // The user changed the very line the patch wrote: the switch cannot be undone in place.
    const edited = expectedText('net/Cargo.toml').replace('"native-tokio"]', '"ring"]');
    await fs.writeFile(join(root, 'net/Cargo.toml'), edited);
    const r = runCli(['unpatch', '--approach', 'b', root]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('net/Cargo.toml was edited since the patch');
    expect(await read(root, 'core/Cargo.toml')).toBe(expectedText('core/Cargo.toml'));
    expect(await read(root, 'net/Cargo.toml')).toBe(edited);
    // A patch run on that tree refuses too.
    const p = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('net/Cargo.toml changed since the earlier patch');
    const f = runCli(['unpatch', '--approach', 'b', root, '--force']);
    expect(f.code, f.stderr).toBe(0);
    await expectOriginal(root);
  });

  it('refuses a corrupted or missing backup and a corrupted or older state, changing nothing', async () => {
    const root = await makeTree();
    expect(runCli(['patch', '--approach', 'b', root, '--force']).code).toBe(0);
    const state = JSON.parse(await read(root, '.codex-mitm/b.json'));
    const core = state.files.find((f: { path: string }) => f.path === 'core/Cargo.toml');
    const backup = join(root, '.codex-mitm', core.backup);
    const good = await fs.readFile(backup);
    const patched = await snapshot(root);

    await fs.writeFile(backup, 'not the original');
    let r = runCli(['unpatch', '--approach', 'b', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backup of core/Cargo.toml is corrupted');
    for (const rel of Object.keys(EXPECTED)) expect(await read(root, rel), rel).toBe(expectedText(rel));
    await fs.rm(backup);
    r = runCli(['unpatch', '--approach', 'b', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backup of core/Cargo.toml is missing');
    expect(r.stderr).toContain('git checkout -- core/Cargo.toml');
    await fs.writeFile(backup, good);

    const stateFile = join(root, '.codex-mitm/b.json');
    const stateText = await fs.readFile(stateFile, 'utf8');
    await fs.writeFile(stateFile, stateText.slice(0, 40));
    r = runCli(['unpatch', '--approach', 'b', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/b\.json:\d+: patch state is corrupted: not valid JSON/);
    await fs.writeFile(stateFile, stateText.replace('"stateVersion": 1', '"stateVersion": 0'));
    for (const cmd of ['unpatch', 'patch']) {
      r = runCli([cmd, '--approach', 'b', root]);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toContain('patch state has version 0');
    }
    await fs.writeFile(stateFile, stateText);
    const after = await snapshot(root);
    expect(after).toEqual(patched);
    expect(runCli(['unpatch', '--approach', 'b', root]).code).toBe(0);
    await expectOriginal(root);
  });

  it('unpatch with nothing recorded is a no-op that says so (exit 0, like a second patch)', async () => {
    const root = await makeTree();
    const r = runCli(['unpatch', '--approach', 'b', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Nothing to unpatch: no approach b patch is recorded in');
    await expectOriginal(root);
  });
});

describe('patch --approach b bad input', () => {
  it('refuses a read-only manifest before writing anything', async () => {
    const root = await makeTree();
    await fs.chmod(join(root, 'net/Cargo.toml'), 0o444);
    const before = await snapshot(root);
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(root, 'net/Cargo.toml')} is read-only`);
    expect(await snapshot(root)).toEqual(before);
  });

  it('refuses a manifest that does not parse, naming file and line', async () => {
    const root = await makeTree();
    await fs.writeFile(join(root, 'legacy/Cargo.toml'), '[package]\nname = "codex-legacy"\n\n[dependencies\nx = 1\n');
    const before = await snapshot(root);
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/legacy\/Cargo\.toml:4/);
    expect(await snapshot(root)).toEqual(before);
  });

  it('refuses a tree that is not codex-rs', async () => {
    const root = await makeTree();
    await fs.rm(join(root, 'cli'), { recursive: true });
    const r = runCli(['patch', '--approach', 'b', root, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a codex-rs tree');
  });
});

describe('interrupted patch run', () => {
  it('a run killed after the first file leaves every file original or fully patched, and unpatch restores all', async () => {
    const { planTreeB } = await import('../../src/patch/approach-b/index.js');
    const { applyPlan } = await import('../../src/patch/engine/apply.js');
    const { writeFileAtomic } = await import('../../src/patch/engine/atomic.js');
    const root = await makeTree();
    const { plan } = await planTreeB(root);
    expect(plan.files.map((f) => f.display)).toEqual(['Cargo.toml', 'core/Cargo.toml', 'net/Cargo.toml']);
    let n = 0;
    const dying = async (p: string, d: string | Buffer, m?: number) => {
      if (n++ >= 1) throw new Error('killed');
      await writeFileAtomic(p, d, m);
    };
    await expect(applyPlan(plan, { writer: dying })).rejects.toThrow('killed');
    expect(await read(root, 'Cargo.toml')).toBe(expectedText('Cargo.toml'));
    expect(await read(root, 'core/Cargo.toml')).toBe(FILES['core/Cargo.toml']);
    // No temp file left next to the manifests.
    expect((await fs.readdir(join(root, 'core'))).sort()).toEqual(['Cargo.toml', 'src']);
    const r = runCli(['unpatch', '--approach', 'b', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Restored 1 file(s)');
    await expectOriginal(root);
    expect(await exists(join(root, '.codex-mitm'))).toBe(false);
  });
});
