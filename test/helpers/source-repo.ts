// A local bare git repository shaped like upstream codex (codex-rs/ at the top, rust-v* tags), made
// from the hand-written fixtures: `fetch by version` is tested against it, never the network.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE } from './run-cli.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@codex-mitm.invalid', '-c', 'user.name=codex-mitm test', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: 'pipe' });

/** Tags → fixture trees (each committed as codex-rs/ with a README beside it). Returns the bare repo. */
export function sourceRepo(tags: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-source-'));
  const work = join(dir, 'work');
  git(dir, 'init', '-q', work);
  writeFileSync(join(work, 'README.md'), 'not codex-rs: left out by the sparse checkout\n');
  for (const [tag, tree] of Object.entries(tags)) {
    rmSync(join(work, 'codex-rs'), { recursive: true, force: true });
    cpSync(tree, join(work, 'codex-rs'), { recursive: true });
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', tag);
    git(work, 'tag', tag);
  }
  const bare = join(dir, 'codex.git');
  git(dir, 'clone', '-q', '--bare', work, bare);
  return bare;
}

export const FIXTURE_HTTP = join(FIXTURE, '..', 'codex-rs-http');
