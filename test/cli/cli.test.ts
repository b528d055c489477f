import { cpSync, mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, runCli } from '../helpers/run-cli.js';

describe('codex-mitm CLI basics', () => {
  it('--version prints the package version', () => {
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('--help lists every command', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['scan', 'docs', 'patch', 'unpatch', 'verify', 'run', 'wizard']) expect(r.stdout).toContain(c);
  });

  it('every command\'s --help ends with examples', () => {
    for (const c of ['scan', 'docs', 'patch', 'unpatch', 'verify', 'run', 'wizard']) {
      const r = runCli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`\\nExamples:\\n  codex-mitm ${c} `));
    }
    expect(runCli(['--help']).stdout).toMatch(/\nExamples:\n  codex-mitm scan /);
  });

  it('a usage error reads like every other error: one codex-mitm line, exit 2', () => {
    for (const args of [['scan', '--bogus'], ['patch'], ['frobnicate']]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^codex-mitm: /);
      expect(r.stderr, args.join(' ')).not.toMatch(/^error:/m);
    }
  });

  it('without arguments and without a TTY prints help and exits 0', () => {
    const r = runCli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: codex-mitm');
  });

  it('a path that does not exist is a one-line error, exit 2', () => {
    const r = runCli(['scan', '/nonexistent/codex-rs-xyz']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('/nonexistent/codex-rs-xyz');
  });

  it('two codex-rs folders below the path: a one-line error naming both, exit 2, for scan and patch alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-two-'));
    for (const d of ['a', 'b']) cpSync(FIXTURE, join(dir, d, 'codex-rs'), { recursive: true });
    for (const args of [['scan', dir], ['patch', '--approach', 'b', dir]]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('a/codex-rs');
      expect(r.stderr).toContain('b/codex-rs');
    }
    // nothing was patched: no backup folder in either tree
    for (const d of ['a', 'b']) expect(readdirSync(join(dir, d, 'codex-rs'))).not.toContain('.codex-mitm');
    // one of them named: that one is scanned
    const one = runCli(['scan', join(dir, 'a'), '--json']);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).root).toBe(join(dir, 'a', 'codex-rs'));
  });

  it('-o into a folder that does not exist: a one-line error naming the file, exit 2', () => {
    const out = join(tmpdir(), 'cm-no-such-folder-xyz', 'report.json');
    const r = runCli(['scan', FIXTURE, '--json', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`codex-mitm: ${out}: cannot write the report: its folder does not exist`);
  });

  it('patch --approach b with a flag of approaches a/ca: a one-line error, exit 2, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-bflag-'));
    cpSync(FIXTURE, join(dir, 'codex-rs'), { recursive: true });
    for (const extra of [['--codex-version', 'abc'], ['--model-port', '9000'], ['--auth', 'apikey']]) {
      const r = runCli(['patch', '--approach', 'b', join(dir, 'codex-rs'), ...extra]);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${extra[0]}: for --approach a and ca only`);
    }
    expect(readdirSync(join(dir, 'codex-rs'))).not.toContain('.codex-mitm');
  });

  it('a folder inside a codex-rs tree (one crate) is refused, naming the tree, exit 2', () => {
    const crate = join(FIXTURE, 'core');
    const r = runCli(['scan', crate]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`codex-mitm: ${crate}: is inside the codex-rs tree ${FIXTURE}: give that folder (one crate alone cannot say what the codex binary does)`);
  });

  it('a folder without Rust sources is a one-line error, exit 2, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-empty-'));
    writeFileSync(join(dir, 'README.md'), 'hello\n');
    const r = runCli(['scan', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no Rust sources/);
    expect(readdirSync(dir)).toEqual(['README.md']);
  });

  it('an unknown approach is refused with exit 2', () => {
    const r = runCli(['patch', '--approach', 'z']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--approach');
  });

  it('two report formats at once are refused with exit 2', () => {
    const r = runCli(['scan', 'fixtures/codex-rs', '--json', '--sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('choose one');
  });
});

describe('scan of a folder that is not codex', () => {
  it('is refused in one line naming what is there (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-notcodex-'));
    writeFileSync(join(dir, 'Cargo.toml'), '[package]\nname = "hello"\nversion = "0.1.0"\n');
    writeFileSync(join(dir, 'main.rs'), 'fn main() { let _ = "https://example.org/x"; }\n');
    const r = runCli(['scan', dir, '--no-cache']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`codex-mitm: ${dir}: not a codex-rs tree: 1 Cargo.toml declares 1 package (hello), none named codex-*; pass a codex checkout or its codex-rs folder`);
  });
});

describe('colours', () => {
  it('NO_COLOR wins, FORCE_COLOR turns them on in a pipe, a TTY decides otherwise', async () => {
    const { colorWanted } = await import('../../src/io.js');
    expect(colorWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorWanted({}, true)).toBe(true);
    expect(colorWanted({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorWanted({}, false)).toBe(false);
    const r = runCli(['scan', FIXTURE, '--no-cache'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(r.stdout).toContain('\u001b[1m');
  });
});
