// When the scan cannot follow a tree's client code, the report says so first, and the channels it
// could not trace carry `?` with the reason instead of a confident verdict.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model.js';
import { runCli } from '../helpers/run-cli.js';

/** A tree whose URLs are handed to a transport the scan cannot see (a trait object's method). */
function opaqueTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cm-opaque-'));
  const root = join(dir, 'codex-rs');
  const w = (rel: string, text: string) => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  w('Cargo.toml', '[workspace]\nmembers = ["core", "cli"]\n\n[workspace.package]\nversion = "0.160.0"\n\n[workspace.dependencies]\nreqwest = "0.12"\n');
  w('core/Cargo.toml', '[package]\nname = "codex-core"\nversion.workspace = true\n\n[dependencies]\nreqwest = { workspace = true }\n');
  w('cli/Cargo.toml', '[package]\nname = "codex-cli"\nversion.workspace = true\n\n[[bin]]\nname = "codex"\npath = "src/main.rs"\n\n[dependencies]\ncodex-core = { path = "../core" }\n');
  w('cli/src/main.rs', 'fn main() {}\n');
  w(
    'core/src/lib.rs',
    [
      '// Hand-written: every request goes through a transport behind a trait object.',
      'pub const API_BASE_URL: &str = "https://api.openai.com/v1";',
      'pub const BACKEND_BASE_URL: &str = "https://chatgpt.com/backend-api/";',
      'pub const TOKEN_URL: &str = "https://auth.openai.com/oauth/token";',
      '',
      'pub trait Wire {',
      '    fn post(&self, url: &str, body: &[u8]);',
      '}',
      '',
      'pub fn turn(w: &dyn Wire, body: &[u8]) {',
      '    w.post(&format!("{API_BASE_URL}/responses"), body);',
      '}',
      '',
      'pub fn usage(w: &dyn Wire) {',
      '    w.post(&format!("{BACKEND_BASE_URL}wham/usage"), &[]);',
      '}',
      '',
      'pub fn refresh(w: &dyn Wire) {',
      '    w.post(TOKEN_URL, &[]);',
      '}',
      '',
    ].join('\n'),
  );
  return root;
}

describe('tracing', () => {
  const root = opaqueTree();
  afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('is poor when no endpoint leads to a client, and the report opens by saying so', () => {
    const j = runCli(['scan', root, '--json', '--no-cache']);
    expect(j.code, j.stderr).toBe(0);
    const r = JSON.parse(j.stdout) as ScanResult;
    expect(r.tracing!.level).toBe('poor');
    expect(r.tracing!.endpoints.traced).toBe(0);
    for (const id of ['model-api', 'token-refresh']) {
      const c = r.channels!.find((x) => x.id === id)!;
      expect(c.trace, id).toBe('unknown');
      expect(c.coverage.b, id).toBe('unknown');
      expect(c.coverage.ca, id).toBe('unknown');
      expect(c.why.ca[0], id).toContain('no client site or factory is linked');
    }
    expect(r.recommendation!.reason).toContain('was not understood');

    const t = runCli(['scan', root, '--no-cache']);
    const lines = t.stdout.split('\n');
    // the header, a blank line, then the warning: before the recommendation
    const warn = lines.findIndex((l) => l.includes("client code was not understood"));
    const rec = lines.findIndex((l) => l === 'Recommendation');
    expect(warn).toBeGreaterThan(0);
    expect(warn).toBeLessThan(rec);
    expect(t.stdout).toContain('codex-mitm verify');
    const md = runCli(['scan', root, '--markdown', '--no-cache']);
    expect(md.stdout.split('\n').slice(0, 6).join('\n')).toContain("client code was not understood");
  });

  it('is good on the bundled fixture, and the report has no warning', () => {
    const t = runCli(['scan', 'fixtures/codex-rs', '--no-cache']);
    expect(t.stdout).not.toContain('was not understood');
    expect(t.stdout).toMatch(/Tracing \((good|partial)\): traced \d+ of \d+ endpoints/);
  });
});
