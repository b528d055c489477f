// Bad files never stop the scan; the cache makes a second run reuse facts; workers agree with
// the in-process path.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { globby } from 'globby';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanRust } from '../../src/scan/rust/index.js';

const dirs: string[] = [];
let prevCache: string | undefined;
beforeEach(() => {
  prevCache = process.env.XDG_CACHE_HOME;
  const c = mkdtempSync(path.join(tmpdir(), 'scan-rust-cache-'));
  dirs.push(c);
  process.env.XDG_CACHE_HOME = c;
});
afterEach(() => {
  if (prevCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = prevCache;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'scan-rust-bad-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const crates = [{ name: 'demo', dir: 'demo', manifest: 'demo/Cargo.toml', bins: [], deps: [] }];

describe('bad files', () => {
  it('reports syntax errors with file:line and count, and keeps what parses', async () => {
    const root = tree({
      'demo/src/broken.rs': [
        'const GOOD: &str = "https://good.demo-host.dev/v1";',
        'fn ok() -> String { std::env::var("DEMO_OK").unwrap_or_default() }',
        'fn broken( {',
        '    let x = ;',
        '}',
        'fn later() -> &\'static str { "https://later.demo-host.dev" }',
        '',
      ].join('\n'),
    });
    const out = await scanRust({ root, files: ['demo/src/broken.rs'], crates, useCache: false });
    expect(out.parseErrors).toBe(1);
    const w = out.warnings.find((x) => x.kind === 'syntax')!;
    expect(w.file).toBe('demo/src/broken.rs');
    expect(w.line).toBeGreaterThanOrEqual(3);
    expect(w.line).toBeLessThanOrEqual(4);
    expect(w.message).toMatch(/^tree-sitter-rust could not parse \d+ places? /);
    const urls = out.endpoints.map((e) => e.url);
    expect(urls).toContain('https://good.demo-host.dev/v1');
    expect(urls).toContain('https://later.demo-host.dev');
    expect(out.envVars.map((v) => v.name)).toEqual(['DEMO_OK']);
  });

  it('skips non-UTF-8, too large, unreadable and missing files with one warning each', async () => {
    const big = `// big\n${'const X: &str = "https://big.demo-host.dev";\n'.repeat(120_000)}`;
    const root = tree({
      'demo/src/latin1.rs': Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x0a, 0x66, 0x6e, 0x20, 0x61, 0x28, 0x29, 0x7b, 0x7d, 0x0a]),
      'demo/src/big.rs': big,
      'demo/src/fine.rs': 'const F: &str = "https://fine.demo-host.dev";\n',
    });
    mkdirSync(path.join(root, 'demo/src/dir.rs'));
    symlinkSync(path.join(root, 'nowhere.rs'), path.join(root, 'demo/src/dangling.rs'));
    const files = ['demo/src/latin1.rs', 'demo/src/big.rs', 'demo/src/dir.rs', 'demo/src/dangling.rs', 'demo/src/fine.rs'];
    const out = await scanRust({ root, files, crates, useCache: false });
    const kinds = Object.fromEntries(out.warnings.map((w) => [w.file, w.kind]));
    expect(kinds).toEqual({
      'demo/src/latin1.rs': 'encoding',
      'demo/src/big.rs': 'too-large',
      'demo/src/dir.rs': 'unreadable',
      'demo/src/dangling.rs': 'unreadable',
    });
    expect(out.endpoints.map((e) => e.url)).toEqual(['https://fine.demo-host.dev']);
    expect(out.rustFiles).toBe(5);
  });
});

describe('cache', () => {
  it('reuses facts on a second run, and not with useCache false or after a file changes', async () => {
    const root = tree({
      'demo/src/a.rs': 'const A: &str = "https://a.demo-host.dev";\n',
      'demo/src/b.rs': 'fn b() { let _ = reqwest::Client::builder().no_proxy(); }\n',
      'demo/src/c.rs': 'fn nothing_to_see() {}\n',
    });
    const files = ['demo/src/a.rs', 'demo/src/b.rs', 'demo/src/c.rs'];
    const first = await scanRust({ root, files, crates, useCache: true });
    expect(first.cached).toBe(0);
    expect(readdirSync(path.join(process.env.XDG_CACHE_HOME!, 'codex-mitm')).some((f) => f.startsWith('rust-facts-'))).toBe(true);
    const second = await scanRust({ root, files, crates, useCache: true });
    expect(second.cached).toBe(2); // c.rs never needs a parse
    expect(second.endpoints).toEqual(first.endpoints);
    expect(second.clients).toEqual(first.clients);
    const off = await scanRust({ root, files, crates, useCache: false });
    expect(off.cached).toBe(0);
    writeFileSync(path.join(root, 'demo/src/a.rs'), 'const A: &str = "https://a2.demo-host.dev";\n');
    const third = await scanRust({ root, files, crates, useCache: true });
    expect(third.cached).toBe(1);
    expect(third.endpoints.map((e) => e.url)).toEqual(['https://a2.demo-host.dev']);
  });
});

describe('worker threads', () => {
  const dist = fileURLToPath(new URL('../../dist/scan/rust/pool.js', import.meta.url));
  it.runIf(existsSync(dist))('give the same facts as the in-process path (compiled build)', async () => {
    const fixture = fileURLToPath(new URL('../../fixtures/codex-rs', import.meta.url));
    const { runJobs } = (await import(dist)) as typeof import('../../src/scan/rust/pool.js');
    const { loadRules } = (await import(fileURLToPath(new URL('../../dist/scan/rust/rules-load.js', import.meta.url)))) as typeof import('../../src/scan/rust/rules-load.js');
    const files = await globby('**/*.rs', { cwd: fixture, ignore: ['**/target/**'] });
    const jobs = files.map((f) => ({ file: f, abs: path.join(fixture, f), hash: true }));
    const rules = loadRules();
    const inline = new Map<string, unknown>();
    await runJobs(jobs, rules, (r) => inline.set(r.file, r), 1);
    const pooled = new Map<string, unknown>();
    await runJobs(jobs, rules, (r) => pooled.set(r.file, r), 2);
    expect(pooled.size).toBe(files.length);
    expect(Object.fromEntries(pooled)).toEqual(Object.fromEntries(inline));
    // both paths parse the files that can hold a finding, and only those
    const kinds = [...pooled.values()].map((r) => (r as { kind: string }).kind);
    expect(kinds).toContain('facts');
    expect(kinds).toContain('text');
  });

  it.runIf(existsSync(dist))('finish with a single job, and with none', async () => {
    const fixture = fileURLToPath(new URL('../../fixtures/codex-rs', import.meta.url));
    const { runJobs } = (await import(dist)) as typeof import('../../src/scan/rust/pool.js');
    const { loadRules } = (await import(fileURLToPath(new URL('../../dist/scan/rust/rules-load.js', import.meta.url)))) as typeof import('../../src/scan/rust/rules-load.js');
    const rules = loadRules();
    const file = 'backend-client/src/lib.rs';
    const seen: string[] = [];
    await runJobs([{ file, abs: path.join(fixture, file), hash: false }], rules, (r) => seen.push(r.file), 2);
    expect(seen).toEqual([file]);
    await runJobs([], rules, (r) => seen.push(r.file), 2);
    expect(seen).toEqual([file]);
  });
});
