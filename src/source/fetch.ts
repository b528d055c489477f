// The codex-rs source of a codex version: the `rust-v<version>` tag of the source repository
// (default upstream codex on GitHub), fetched with git, shallow and sparse (codex-rs only), into
// the cache folder once, then reused. Offline it says exactly what to run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../model.js';
import { rustRules } from '../rules/files.js';

/** Where codex's source is published (rules/rust.toml [tree] source_repo). */
export const DEFAULT_SOURCE_REPO: string = rustRules().tree.source_repo;

export interface FetchOptions {
  repo?: string;
  env: NodeJS.ProcessEnv;
  /** git's progress lines and our own steps. */
  onProgress?: (line: string) => void;
}

/** `0.171.0` or `rust-v0.171.0` → the tag; anything else is refused. */
export function tagOf(version: string): { tag: string; version: string } {
  const m = /^(?:rust-v|v)?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)$/.exec(version.trim());
  if (!m) throw new InputError(`--codex-version: expected a version like 0.171.0 (or the tag rust-v0.171.0), got "${version}"`);
  return { tag: `rust-v${m[1]}`, version: m[1]! };
}

export function sourceCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codex-mitm', 'source');
}

function repoKey(repo: string): string {
  return repo.replace(/^[a-z]+:\/\//i, '').replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80);
}

function git(args: string[], cwd: string, onLine?: (line: string) => void): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('git', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    let stderr = '';
    let partial = '';
    p.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      partial += text;
      const parts = partial.split(/[\r\n]/);
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) onLine?.(line.trim());
    });
    p.on('error', (err) => resolve({ code: 127, stderr: `git: ${err.message}` }));
    p.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

function howToByHand(repo: string, tag: string): string {
  return `with network access run: git clone --depth 1 --branch ${tag} --filter=blob:none --sparse ${repo} codex && git -C codex sparse-checkout set codex-rs, then codex-mitm scan codex/codex-rs`;
}

/** The codex-rs folder of `version`, fetched on first use. */
export async function sourceForVersion(version: string, opts: FetchOptions): Promise<string> {
  const { tag } = tagOf(version);
  const repo = opts.repo ?? DEFAULT_SOURCE_REPO;
  const base = join(sourceCacheDir(opts.env), repoKey(repo));
  const dir = join(base, tag);
  if (existsSync(join(dir, 'codex-rs', 'Cargo.toml'))) return join(dir, 'codex-rs');
  mkdirSync(base, { recursive: true });
  const tmp = mkdtempSync(join(base, `.${tag}-`));
  const step = (line: string) => opts.onProgress?.(line);
  try {
    step(`fetching ${tag} of ${repo} (codex-rs only, shallow) into ${dir}`);
    for (const args of [
      ['init', '-q'],
      ['remote', 'add', 'origin', repo],
      ['sparse-checkout', 'set', '--no-cone', '/codex-rs/'],
    ]) {
      const r = await git(args, tmp);
      if (r.code !== 0) throw new InputError(`git ${args[0]} failed: ${r.stderr.trim().split('\n')[0] ?? r.code}`, tmp);
    }
    const fetched = await git(['fetch', '--depth', '1', '--filter=blob:none', '--progress', 'origin', `refs/tags/${tag}:refs/tags/${tag}`], tmp, step);
    if (fetched.code !== 0) {
      const why = fetched.stderr
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^(fatal|error):/.test(l))[0] ?? `git fetch exited ${fetched.code}`;
      const missing = /couldn't find remote ref|not our ref|no such ref/i.test(fetched.stderr);
      throw new InputError(missing ? `${repo} has no tag ${tag} (${why})` : `cannot fetch ${tag} from ${repo} (${why}); ${howToByHand(repo, tag)}`);
    }
    const checkout = await git(['checkout', '-q', `refs/tags/${tag}`], tmp, step);
    if (checkout.code !== 0) throw new InputError(`git checkout ${tag} failed: ${checkout.stderr.trim().split('\n')[0]}; ${howToByHand(repo, tag)}`);
    if (!existsSync(join(tmp, 'codex-rs', 'Cargo.toml'))) throw new InputError(`${tag} of ${repo} has no codex-rs/Cargo.toml`);
    rmSync(join(tmp, '.git'), { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // another run put it there first: use that one
      if (!existsSync(join(dir, 'codex-rs', 'Cargo.toml'))) throw err;
      rmSync(tmp, { recursive: true, force: true });
    }
    step(`source of ${tag} ready: ${join(dir, 'codex-rs')}`);
    return join(dir, 'codex-rs');
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
