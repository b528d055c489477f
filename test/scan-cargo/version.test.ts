// One reader of a tree's codex version ([workspace.package] version): the manifest scan's
// workspaceVersion and the wizard's "tree version" (read before any scan) are the same value.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { scanManifests, treeVersion } from '../../src/scan/cargo/index.js';
import { discover } from '../../src/scan/discover.js';
import { realActions } from '../../src/tui/actions.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/codex-rs', import.meta.url));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temp tree with these files and one Rust source (a scan needs one). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'scan-version-'));
  dirs.push(root);
  for (const [rel, body] of Object.entries({ 'src/lib.rs': 'pub fn f() {}\n', ...files })) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), body);
  }
  return root;
}

/** The version the manifest scan reports for the tree at root. */
async function scannedVersion(root: string): Promise<string | undefined> {
  const found = await discover(root);
  return (await scanManifests(found.root, found.manifests)).workspaceVersion;
}

describe('treeVersion', () => {
  it('is the manifest scan’s workspace version, for the fixture and a release tree', async () => {
    expect(await treeVersion(FIXTURE)).toBe('0.115.0');
    expect(await scannedVersion(FIXTURE)).toBe('0.115.0');
    const root = tree({
      'Cargo.toml': '[workspace]\nmembers = ["cli"]\n\n[workspace.package]\nversion = "0.171.0"\n',
      'cli/Cargo.toml': '[package]\nname = "codex-cli"\nversion.workspace = true\n',
    });
    expect(await treeVersion(root)).toBe('0.171.0');
    expect(await scannedVersion(root)).toBe('0.171.0');
  });

  it('keeps 0.0.0 (an untagged checkout), as the manifest scan does', async () => {
    const root = tree({ 'Cargo.toml': '[workspace]\nmembers = []\n\n[workspace.package]\nversion = "0.0.0"\n' });
    expect(await treeVersion(root)).toBe('0.0.0');
    expect(await scannedVersion(root)).toBe('0.0.0');
  });

  it('has no version where the scan has none: no [workspace.package] version, a lone [package], no manifest, a broken one', async () => {
    const cases = [
      { 'Cargo.toml': '[workspace]\nmembers = []\n' },
      { 'Cargo.toml': '[package]\nname = "codex-cli"\nversion = "0.9.0"\n' },
      { 'Cargo.toml': '[workspace]\nmembers = []\n[package]\nname = "x"\nversion = "1.2.3"\n' },
      { 'Cargo.toml': '[workspace\nversion = "0.1.0"\n' },
      { 'README.md': 'no manifest\n' },
    ];
    for (const files of cases) {
      const root = tree(files);
      expect(await treeVersion(root), JSON.stringify(files)).toBeUndefined();
      expect(await scannedVersion(root), JSON.stringify(files)).toBeUndefined();
    }
  });

  it('never waits on a FIFO and never follows a link named Cargo.toml', async () => {
    const fifo = tree({});
    execFileSync('mkfifo', [path.join(fifo, 'Cargo.toml')]);
    expect(await treeVersion(fifo)).toBeUndefined();
    const real = tree({ 'Cargo.toml': '[workspace]\nmembers = []\n\n[workspace.package]\nversion = "0.5.0"\n' });
    const linked = tree({});
    symlinkSync(path.join(real, 'Cargo.toml'), path.join(linked, 'Cargo.toml'));
    expect(await treeVersion(linked)).toBeUndefined();
    expect(await scannedVersion(linked)).toBeUndefined();
  });

  it('is the tree version the wizard shows before a scan', async () => {
    const root = tree({ 'Cargo.toml': '[workspace]\nmembers = []\n\n[workspace.package]\nversion = "0.148.0"\n' });
    const info = await realActions({ PATH: '' }, root).info(root, path.join(root, 'home'), root);
    expect(info.rootError).toBeUndefined();
    expect(info.root).toBe(root);
    expect(info.version).toBe('0.148.0');
    // where the scan knows no version, neither does the wizard (it read [package] version once)
    const lone = tree({ 'Cargo.toml': '[package]\nname = "codex-cli"\nversion = "0.9.0"\n' });
    const loneInfo = await realActions({ PATH: '' }, lone).info(lone, path.join(lone, 'home'), lone);
    expect(loneInfo.root).toBe(lone);
    expect(loneInfo.version).toBeUndefined();
    // a FIFO in Cargo.toml's place: the Where screen is not held up waiting for a writer
    const fifo = tree({});
    execFileSync('mkfifo', [path.join(fifo, 'Cargo.toml')]);
    const fifoInfo = await realActions({ PATH: '' }, fifo).info(fifo, path.join(fifo, 'home'), fifo);
    expect(fifoInfo.root).toBe(fifo);
    expect(fifoInfo.version).toBeUndefined();
  });
});
