// `--codex-version` takes a version or nothing: anything else is one line, exit 2, nothing written.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseVersionFlag } from '../../src/patch/codex-home/version.js';
import { InputError } from '../../src/model.js';
import { sandbox, writeCa, type Sandbox } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

describe('parseVersionFlag', () => {
  it('accepts X.Y.Z with prerelease/build, a v or rust-v prefix, and X.Y as X.Y.0', () => {
    expect(parseVersionFlag('0.115.0')).toBe('0.115.0');
    expect(parseVersionFlag('0.116.0-alpha.3')).toBe('0.116.0-alpha.3');
    expect(parseVersionFlag('0.125.0+build.7')).toBe('0.125.0+build.7');
    expect(parseVersionFlag('v0.98.0')).toBe('0.98.0');
    expect(parseVersionFlag('rust-v0.116.0-alpha.3')).toBe('0.116.0-alpha.3');
    expect(parseVersionFlag('0.115')).toBe('0.115.0');
    expect(parseVersionFlag('v1.2')).toBe('1.2.0');
  });

  it('refuses anything else with an InputError naming the flag and the value', () => {
    for (const bad of ['abc', '', '0', '1.2.3.4', '0.115.x', 'latest', 'codex-cli 0.98.0', 'V0.1.0', '0.1.0-', '0.1.0-a..b', ' 0.1.0', 'rust-0.1.0']) {
      expect(() => parseVersionFlag(bad), bad).toThrow(InputError);
    }
    expect(() => parseVersionFlag('abc')).toThrow('--codex-version abc: not a version (expected X.Y.Z, e.g. 0.115.0)');
    expect(() => parseVersionFlag('')).toThrow('--codex-version "": not a version');
  });
});

describe('patch --codex-version through the CLI', () => {
  const refused = async (approach: 'a' | 'ca', value: string, extra: string[] = []) => {
    const before = sb!.snapshot();
    const r = sb!.cli(['patch', '--approach', approach, '--codex-home', sb!.home, '--auth', 'apikey', '--codex-version', value, ...extra]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toBe(`codex-mitm: --codex-version ${value}: not a version (expected X.Y.Z, e.g. 0.115.0)`);
    expect(sb!.snapshot()).toEqual(before);
  };

  it('approach a: a value that is not a version is refused, with or without --dry-run', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'model = "gpt-5"\n');
    await refused('a', 'abc');
    await refused('a', 'abc', ['--dry-run']);
    await refused('a', '0.115.x');
    await refused('a', '1.2.3.4', ['--dry-run']);
  });

  it('approach ca: refused the same way', async () => {
    sb = await sandbox();
    const ca = join(sb.dir, 'ca.pem');
    await writeCa(ca);
    await refused('ca', 'abc', ['--ca', ca]);
  });

  it('X.Y is read as X.Y.0, and prefixed or prerelease versions are used', async () => {
    sb = await sandbox();
    const run = (v: string) => sb!.cli(['patch', '--approach', 'a', '--codex-home', sb!.home, '--auth', 'apikey', '--dry-run', '--codex-version', v]);
    const short = run('0.115');
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toContain('codex version: 0.115.0 (from --codex-version)');
    expect(short.stdout).toContain('+openai_base_url = "http://127.0.0.1:8080/v1"');
    const old = run('rust-v0.98.0');
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain('codex version: 0.98.0 (from --codex-version)');
    expect(old.stdout).not.toContain('+openai_base_url');
    const pre = run('v0.116.0-alpha.3');
    expect(pre.code, pre.stderr).toBe(0);
    expect(pre.stdout).toContain('codex version: 0.116.0-alpha.3 (from --codex-version)');
    expect(sb.snapshot()).toEqual({});
  });
});
