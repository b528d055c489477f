// Every value codex-mitm writes into the shell-sourced env file or a printed command is one shell
// word; a value with a line break is refused (exit 2, one line naming the file, nothing written).
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvFile, shQuote } from '../../src/patch/codex-home/envfile.js';
import { sandbox, writeCa, type Sandbox } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

describe('shell injection through the env file and the printed commands', () => {
  it('a codex home path with a line break is refused (before: the line after it ran when the env file was sourced)', async () => {
    sb = await sandbox();
    const home = join(sb.dir, 'h\ntouch PWNED\n');
    await fs.mkdir(home);
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', home, '--codex-version', '0.98.0', '--auth', 'apikey']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^codex-mitm: .*codex-mitm\.env: the codex home path holds a line break/);
    expect(await fs.readdir(home)).toEqual([]);
  });

  it('--ca with a line break is refused (before: it broke `run` and the sourced file)', async () => {
    sb = await sandbox();
    const ca = join(sb.dir, 'ca\nx.pem');
    await writeCa(ca);
    const r = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.125.0', '--ca', ca]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--ca holds a line break');
    expect(sb.snapshot()).toEqual({});
  });

  it('an upstream taken from config.toml is one word in the printed mitmdump command (pasting it runs nothing else)', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'chatgpt_base_url = "https://a;{touch,x};b.example/backend-api/"\n');
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const cmd = r.stdout.split('\n').find((l) => l.includes('mitmdump --mode reverse:') && l.includes('b.example'))!.trim();
    expect(cmd).toBeDefined();
    // a stub mitmdump that prints its arguments, one per line
    await fs.writeFile(join(sb.bin, 'mitmdump'), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n', { mode: 0o755 });
    const run = spawnSync('/bin/sh', ['-c', cmd], { cwd: sb.dir, env: { PATH: `${sb.bin}:/usr/bin:/bin` }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toContain('reverse:https://a;{touch,x};b.example/');
    expect(existsSync(join(sb.dir, 'x'))).toBe(false);
    expect(existsSync(join(sb.dir, 'touch'))).toBe(false);
  });

  it('renderEnvFile and shQuote refuse line breaks; sourcing what they write sets exactly the values', async () => {
    expect(() => renderEnvFile('ca', [['SSL_CERT_FILE', '/a\nb']], '/h')).toThrow(/line break/);
    expect(() => renderEnvFile('ca', [['A;B', 'x']], '/h')).toThrow(/not a variable name/);
    expect(() => shQuote('a\rb')).toThrow(/line break/);
    sb = await sandbox();
    const tricky = `it's $(touch y) \`touch z\` "q" \\ ; & | * ~`;
    const text = renderEnvFile('ca', [['V', tricky]], join(sb.dir, "h o'me $(touch w)"));
    await fs.writeFile(join(sb.dir, 'e.env'), text);
    const run = spawnSync('/bin/sh', ['-c', '. ./e.env && printf %s "$V"'], { cwd: sb.dir, encoding: 'utf8' });
    expect(run.stdout).toBe(tricky);
    for (const f of ['y', 'z', 'w']) expect(existsSync(join(sb.dir, f))).toBe(false);
  });
});
