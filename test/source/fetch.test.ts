// scan --codex-version: the tag of a (local, bare) source repository fetched shallow and sparse
// into the cache once, then reused; a missing tag or an unreachable repository is one line, exit 2,
// saying what to run; a codex on PATH and no tree here scans the source of its version.
import { existsSync, mkdtempSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, runCli } from '../helpers/run-cli.js';
import { sourceRepo } from '../helpers/source-repo.js';

describe('scan --codex-version', () => {
  const repo = sourceRepo({ 'rust-v0.115.0': FIXTURE });
  const cache = mkdtempSync(join(tmpdir(), 'codex-mitm-cache-'));
  const env = { XDG_CACHE_HOME: cache };

  it('fetches the tag (codex-rs only) into the cache, scans it, and reuses it the next time', () => {
    const r = runCli(['scan', '--codex-version', '0.115.0', '--source-repo', repo, '--json', '--no-cache'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('fetching rust-v0.115.0 of');
    const report = JSON.parse(r.stdout) as { root: string; capabilities: { version: string } };
    expect(report.capabilities.version).toBe('0.115.0');
    expect(report.root).toContain(join(cache, 'codex-mitm', 'source'));
    const tagDir = join(report.root, '..');
    expect(readdirSync(tagDir)).toEqual(['codex-rs']); // sparse: README.md left out, no .git kept
    const again = runCli(['scan', '--codex-version', 'rust-v0.115.0', '--source-repo', repo, '--json', '--no-cache'], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('fetching');
  });

  it('a tag the repository does not have: one line naming it, exit 2, nothing left in the cache', () => {
    const r = runCli(['scan', '--codex-version', '0.999.0', '--source-repo', repo], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^codex-mitm: .* has no tag rust-v0\.999\.0/);
    const base = readdirSync(join(cache, 'codex-mitm', 'source'))[0]!;
    expect(readdirSync(join(cache, 'codex-mitm', 'source', base)).filter((d) => d.startsWith('.'))).toEqual([]);
  });

  it('an unreachable repository says what to run by hand', () => {
    const r = runCli(['scan', '--codex-version', '0.115.0', '--source-repo', join(cache, 'no-such-repo.git')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot fetch rust-v0\.115\.0 .* with network access run: git clone --depth 1 --branch rust-v0\.115\.0 --filter=blob:none --sparse/);
  });

  it('a bad version is refused before any fetch', () => {
    const r = runCli(['scan', '--codex-version', 'latest'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected a version like 0\.171\.0/);
  });

  it('no tree here and a codex on PATH: the source of its version is scanned', () => {
    const bin = mkdtempSync(join(tmpdir(), 'codex-mitm-path-'));
    writeFileSync(join(bin, 'codex'), '#!/bin/sh\necho "codex-cli 0.115.0"\n');
    chmodSync(join(bin, 'codex'), 0o755);
    const empty = mkdtempSync(join(tmpdir(), 'codex-mitm-empty-'));
    const r = runCli(['scan', '--source-repo', repo, '--json', '--no-cache'], { cwd: empty, env: { ...env, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.stderr).toContain('no codex-rs tree here; using the source of the installed codex 0.115.0 (rust-v0.115.0)');
    expect(r.code).toBe(0);
    expect(existsSync(join(empty, 'codex-rs'))).toBe(false);
  });
});
