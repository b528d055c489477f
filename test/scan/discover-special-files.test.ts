// The tree walk and the root search read regular files only: a FIFO in a Cargo.toml's place at the
// root or in an ancestor folder is never opened for waiting, and a FIFO `.rs` or a symlinked
// Cargo.toml is named in the warnings instead of silently dropped; a FIFO Cargo.lock is skipped with a
// warning.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE, runCli } from '../helpers/run-cli.js';
import type { ScanResult } from '../../src/model.js';
import { makeTree } from '../approach-b/mini-tree.js';

const mkfifo = (p: string) => execFileSync('mkfifo', [p]);

async function copyFixture(): Promise<string> {
  const base = await fs.mkdtemp(join(tmpdir(), 'cm-special-'));
  await fs.cp(FIXTURE, join(base, 'tree'), { recursive: true });
  return base;
}

const warnings = (stdout: string) => (JSON.parse(stdout) as ScanResult).summary.warnings;

describe('discover reads regular files only', () => {
  it('a FIFO Cargo.toml in the folder given returns at once (before: the scan hung)', async () => {
    const base = await copyFixture();
    const dir = join(base, 'plain');
    await fs.mkdir(dir);
    await fs.cp(join(base, 'tree/core'), join(dir, 'core'), { recursive: true });
    mkfifo(join(dir, 'Cargo.toml'));
    const r = runCli(['scan', dir, '--json', '--no-cache']);
    expect(r.code, r.stderr).not.toBe(-1); // -1: killed by the 120 s timeout
    expect(warnings(r.stdout)).toContainEqual({ kind: 'unreadable', file: 'Cargo.toml', message: 'is a FIFO (named pipe), not a regular file: not read' });
  });

  it('a FIFO Cargo.toml in an ancestor folder is not waited on (before: the scan hung)', async () => {
    const base = await copyFixture();
    mkfifo(join(base, 'Cargo.toml'));
    const inner = join(base, 'inner');
    await fs.mkdir(inner);
    await fs.cp(join(base, 'tree/core'), join(inner, 'core'), { recursive: true });
    const r = runCli(['scan', join(inner, 'core'), '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ScanResult).root).toBe(join(inner, 'core'));
  });

  it('a FIFO .rs file is warned about by name (before: dropped without a word)', async () => {
    const base = await copyFixture();
    mkfifo(join(base, 'tree/core/src/pipe.rs'));
    const r = runCli(['scan', join(base, 'tree'), '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(warnings(r.stdout)).toContainEqual({ kind: 'unreadable', file: 'core/src/pipe.rs', message: 'is a FIFO (named pipe), not a regular file: not read' });
  });

  it('a symlinked Cargo.toml is warned about by name and not read; a symlinked README is not', async () => {
    const base = await copyFixture();
    const tree = join(base, 'tree');
    await fs.rename(join(tree, 'ollama/Cargo.toml'), join(base, 'ollama.toml'));
    await fs.symlink('../../ollama.toml', join(tree, 'ollama/Cargo.toml'));
    await fs.writeFile(join(base, 'readme.md'), 'x');
    await fs.symlink('../readme.md', join(tree, 'README.md'));
    const r = runCli(['scan', tree, '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const w = warnings(r.stdout);
    expect(w).toContainEqual({ kind: 'symlink', file: 'ollama/Cargo.toml', message: 'is a symbolic link to ../ollama.toml: not read (links are not followed)' });
    expect(w.some((x) => x.file === 'README.md')).toBe(false);
    expect((JSON.parse(r.stdout) as ScanResult).crates.some((c) => c.dir === 'ollama')).toBe(false);
  });

  it('a FIFO Cargo.lock is warned about and skipped (before: the scan hung)', async () => {
    const root = await makeTree();
    mkfifo(join(root, 'Cargo.lock'));
    const r = runCli(['scan', root, '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { summary: { warnings: { file?: string; message: string }[] } };
    expect(j.summary.warnings.find((w) => w.file === 'Cargo.lock')?.message).toMatch(/FIFO/);
  });
});
