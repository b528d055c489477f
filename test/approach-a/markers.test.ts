// codex-mitm's markers in config.toml count only as whole comment lines outside strings, and an
// in-place record only on a key codex-mitm manages: a user's text that reads like them is theirs.
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { findBlock, hasManagedContent, reverseConfig } from '../../src/patch/codex-home/config-edit.js';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const START = '# >>> codex-mitm (managed) >>>';
const END = '# <<< codex-mitm <<<';
const PATCH = ['patch', '--approach', 'a', '--codex-version', '0.125.0', '--auth', 'apikey'];

describe('markers inside the user\'s own text', () => {
  it('a multi-line string holding the marker lines is kept by patch and unpatch (before: deleted before any backup)', async () => {
    sb = await sandbox();
    const user = `model = "o3"\nnotes = """\n${START} approach=a\nchatgpt_base_url = "x"\n${END}\n"""\n[tui]\nx = 1\n`;
    await sb.write('config.toml', user);
    const p = sb.cli([...PATCH, '--codex-home', sb.home]);
    expect(p.code, p.stderr).toBe(0);
    const patched = (await sb.read('config.toml'))!;
    expect(patched).toContain(`notes = """\n${START} approach=a\nchatgpt_base_url = "x"\n${END}\n"""`);
    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.code, u.stderr).toBe(0);
    expect(await sb.read('config.toml')).toBe(user);
  });

  it('a user comment that looks like an in-place record stays as written (before: replaced by its decoded text)', async () => {
    sb = await sandbox();
    const user = `model = "o3"  # codex-mitm-was: "model = \\"gpt-5\\""\n`;
    await sb.write('config.toml', user);
    expect(hasManagedContent(user)).toBe(false);
    const p = sb.cli([...PATCH, '--codex-home', sb.home]);
    expect(p.code, p.stderr).toBe(0);
    expect(await sb.read('config.toml')).toContain(`model = "o3"  # codex-mitm-was: "model = \\"gpt-5\\""\n`);
    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.code, u.stderr).toBe(0);
    expect(await sb.read('config.toml')).toBe(user);
  });

  it('`# codex-mitm-was: not json` is no stack trace (before: SyntaxError from JSON.parse)', async () => {
    sb = await sandbox();
    const user = `chatgpt_base_url = "https://chatgpt.com/backend-api/"  # codex-mitm-was: not json\n`;
    await sb.write('config.toml', user);
    const p = sb.cli([...PATCH, '--codex-home', sb.home]);
    expect(p.stderr).not.toMatch(/SyntaxError|\n\s+at /);
    expect([0, 2]).toContain(p.code);
    if (p.code === 2) expect(p.stderr.trim().split('\n')).toHaveLength(1);
    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.stderr).not.toMatch(/SyntaxError|\n\s+at /);
    expect(u.code, u.stderr).toBe(0);
    expect(await sb.read('config.toml')).toBe(user);
  });

  it('a clean-up from the markers alone (no state, so no backup) keeps a copy first (before: rewrote with no copy)', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'model = "o3"\n');
    expect(sb.cli([...PATCH, '--codex-home', sb.home]).code).toBe(0);
    const patched = (await sb.read('config.toml'))!;
    await fs.rm(join(sb.home, '.codex-mitm'), { recursive: true });
    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.code, u.stderr).toBe(0);
    const copy = /kept a copy of the bytes before this cleanup: (.+)$/m.exec(u.stdout)?.[1];
    expect(copy).toBeDefined();
    expect(await fs.readFile(copy!, 'utf8')).toBe(patched);
    expect((await fs.stat(copy!)).mode & 0o777).toBe(0o600);
    expect(await sb.read('config.toml')).toBe('model = "o3"\n');
  });

  it('reverseConfig and findBlock ignore markers in strings and on keys codex-mitm does not manage', () => {
    const text = `a = """\n${START} approach=ca\n"""\nb = 'x' # codex-mitm-was: "b = 1"\nc = [\n  ${START} approach=a\n]\n`.replace(`  ${START} approach=a`, `  # ${START}`);
    expect(findBlock(text)).toBeUndefined();
    expect(hasManagedContent(text)).toBe(false);
    expect(reverseConfig(text)).toEqual({ text, changed: false });
  });
});
