// codex-mitm diff: two trees, two saved reports, two versions (from a local source repository):
// what was added, removed and changed, in text, Markdown and JSON; exit 0.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanDiff } from '../../src/diff/index.js';
import { FIXTURE, runCli } from '../helpers/run-cli.js';
import { FIXTURE_HTTP, sourceRepo } from '../helpers/source-repo.js';

describe('codex-mitm diff', () => {
  const json = (r: { stdout: string }) => JSON.parse(r.stdout) as ScanDiff;

  it('two trees: the 0.115-shaped fixture against the 0.143+-shaped one', () => {
    const r = runCli(['diff', FIXTURE, FIXTURE_HTTP, '--json']);
    expect(r.code).toBe(0);
    const d = json(r);
    expect(d.a.version).toBe('0.115.0');
    expect(d.b.version).toBe('0.150.0');
    expect(d.channels.added.length + d.channels.removed.length + d.channels.changed.length).toBeGreaterThan(0);
    // every set is a real difference: nothing both added and removed
    for (const k of ['hosts', 'urls', 'paths', 'envVars', 'configKeys', 'overrides', 'tlsRoots', 'reqwestFeatures'] as const) {
      expect(d[k].added.filter((x) => d[k].removed.includes(x))).toEqual([]);
    }
    const text = runCli(['diff', FIXTURE, FIXTURE_HTTP]);
    expect(text.stdout.split('\n')[0]).toBe(`codex-mitm diff: ${FIXTURE} (0.115.0) → ${FIXTURE_HTTP} (0.150.0)`);
    const md = runCli(['diff', FIXTURE, FIXTURE_HTTP, '--markdown']);
    expect(md.stdout).toMatch(/^### /);
  });

  it('a tree against itself: no differences, exit 0', () => {
    const r = runCli(['diff', FIXTURE, FIXTURE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no differences');
  });

  it('saved reports: an env var and a host edited in one report show up as exactly that', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-diff-'));
    const a = JSON.parse(runCli(['scan', FIXTURE, '--json']).stdout) as Record<string, any>;
    const b = structuredClone(a);
    b.envVars.push({ ...b.envVars[0], name: 'CODEX_NEW_BASE_URL' });
    b.endpoints[0].host = 'new.chatgpt.com';
    b.endpoints[0].url = 'https://new.chatgpt.com/x';
    writeFileSync(join(dir, 'a.json'), JSON.stringify(a));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(b));
    const d = json(runCli(['diff', join(dir, 'a.json'), join(dir, 'b.json'), '--json']));
    expect(d.envVars).toEqual({ added: ['CODEX_NEW_BASE_URL'], removed: [] });
    expect(d.hosts.added).toEqual(['new.chatgpt.com']);
    expect(d.urls.added).toEqual(['https://new.chatgpt.com/x']);
    const bad = runCli(['diff', join(dir, 'a.json'), join(FIXTURE, 'Cargo.toml') + '.json']);
    expect(bad.code).toBe(2);
  });

  it('two versions, fetched from the source repository', () => {
    const repo = sourceRepo({ 'rust-v0.115.0': FIXTURE, 'rust-v0.150.0': FIXTURE_HTTP });
    const cache = mkdtempSync(join(tmpdir(), 'codex-mitm-diff-cache-'));
    const r = runCli(['diff', '0.115.0', '0.150.0', '--source-repo', repo, '--json'], { env: { XDG_CACHE_HOME: cache } });
    expect(r.code).toBe(0);
    const d = json(r);
    expect(d.a).toMatchObject({ label: 'rust-v0.115.0', version: '0.115.0' });
    expect(d.b).toMatchObject({ label: 'rust-v0.150.0', version: '0.150.0' });
    const direct = json(runCli(['diff', FIXTURE, FIXTURE_HTTP, '--json']));
    expect(d.hosts).toEqual(direct.hosts);
    expect(d.channels.changed).toEqual(direct.channels.changed);
  });
});
