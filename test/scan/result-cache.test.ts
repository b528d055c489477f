// A warm scan of an unchanged tree returns the last result (every file counted as cached); any
// change to a scanned file, or --include-tests, gives a fresh scan that sees it.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model.js';
import { FIXTURE, runCli } from '../helpers/run-cli.js';

describe('whole-result cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-rcache-'));
  const tree = join(dir, 'codex-rs');
  cpSync(FIXTURE, tree, { recursive: true });
  const cache = join(dir, 'cache');
  const env = { XDG_CACHE_HOME: cache };
  const scanJson = (...extra: string[]): ScanResult => {
    const r = runCli(['scan', tree, '--json', ...extra], { env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ScanResult;
  };
  const facts = (r: ScanResult) => {
    const { durationMs: _d, cached: _c, ...summary } = r.summary;
    return { ...r, summary };
  };

  it('reuses the result while nothing changed, and sees an edited source file', () => {
    const cold = scanJson('--no-cache');
    const first = scanJson();
    const warm = scanJson();
    expect(facts(first)).toEqual(facts(cold));
    expect(facts(warm)).toEqual(facts(cold));
    expect(warm.summary.cached).toBe(warm.summary.rustFiles);
    expect(readdirSync(join(cache, 'codex-mitm')).some((n) => n.startsWith('scan-result-'))).toBe(true);

    // a new production endpoint in the backend client: the next run must not serve the old result
    const file = join(tree, 'backend-client', 'src', 'lib.rs');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\npub const MIRROR_URL: &str = "https://mirror.fixture-only.dev/v1";\n`);
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    const edited = scanJson();
    expect(edited.summary.cached).toBeLessThan(edited.summary.rustFiles);
    expect(edited.endpoints.some((e) => e.url === 'https://mirror.fixture-only.dev/v1')).toBe(true);
    expect(cold.endpoints.some((e) => e.url === 'https://mirror.fixture-only.dev/v1')).toBe(false);

    // test findings are a different result: --include-tests is never served from the prod entry
    const withTests = scanJson('--include-tests');
    expect(withTests.endpoints.length).toBeGreaterThan(edited.endpoints.length);
    expect(scanJson().endpoints).toEqual(edited.endpoints);
  });

  it('walks the tree again when a folder or a .gitignore changed', () => {
    const t = join(dir, 'walk', 'codex-rs');
    cpSync(FIXTURE, t, { recursive: true });
    const run = (): ScanResult => {
      const r = runCli(['scan', t, '--json'], { env });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as ScanResult;
    };
    const hosts = (r: ScanResult): string[] => r.endpoints.map((e) => e.host);
    const first = run();
    expect(facts(run())).toEqual(facts(first));

    // a new file in an existing folder (its mtime older than the last run, as after a checkout)
    const added = join(t, 'backend-client', 'src', 'added.rs');
    writeFileSync(added, 'pub const ADDED_URL: &str = "https://added.fixture-only.dev/v1";\n');
    utimesSync(added, new Date(Date.now() - 86_400_000), new Date(Date.now() - 86_400_000));
    const withAdded = run();
    expect(withAdded.summary.rustFiles).toBe(first.summary.rustFiles + 1);
    expect(hosts(withAdded)).toContain('added.fixture-only.dev');

    // a .gitignore that hides it: the listing follows the rule
    writeFileSync(join(t, 'backend-client', '.gitignore'), 'src/added.rs\n');
    const hidden = run();
    expect(hidden.summary.rustFiles).toBe(first.summary.rustFiles);
    expect(hosts(hidden)).not.toContain('added.fixture-only.dev');

    // the rule lifted (same size, new content), then the file removed
    writeFileSync(join(t, 'backend-client', '.gitignore'), 'src/other.rs\n');
    expect(hosts(run())).toContain('added.fixture-only.dev');
    rmSync(added);
    const removed = run();
    expect(removed.summary.rustFiles).toBe(first.summary.rustFiles);
    expect(facts(removed).endpoints).toEqual(facts(first).endpoints);
  });
});
