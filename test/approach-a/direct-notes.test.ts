// `patch --approach a` names what goes straight out past its reverse proxies on codex 0.169+
// (rules/approach-a.toml [[direct]], measured with the real binaries; the capture test checks the
// list against a real run), with or without a scanned tree.
import { describe, expect, it } from 'vitest';
import { sandboxes, writeCa } from './helpers.js';
import { join } from 'node:path';

const sandbox = sandboxes();

const HEAD = 'goes straight out, not through the proxies';

describe('approach a: what goes straight out', () => {
  it('0.171.0 lists chatgpt.com, github.com, api.github.com and ab.chatgpt.com; 0.169.0 all but the OTLP metrics', async () => {
    const sb = await sandbox();
    const run = (v: string) => sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--auth', 'apikey', '--dry-run', '--codex-version', v]);
    const now = run('0.171.0');
    expect(now.code, now.stderr).toBe(0);
    const notes = now.stdout.slice(now.stdout.indexOf('Notes:'), now.stdout.indexOf('Start the proxies'));
    expect(notes).toContain(`${HEAD} (measured on real codex 0.169.0+ with approach a; \`--approach ca\` records it`);
    const hosts = [...notes.matchAll(/^ {2}([a-z.]+): /gm)].map((m) => m[1]);
    expect(hosts).toEqual(['chatgpt.com', 'github.com', 'api.github.com', 'ab.chatgpt.com']);
    expect(notes).toContain('chatgpt.com: model list (/backend-api/codex/models)');
    const older = run('0.169.0');
    expect(older.stdout).toContain(HEAD);
    expect(older.stdout).toContain('api.github.com: plugin repository metadata');
    expect(older.stdout).not.toContain('ab.chatgpt.com:');
    expect(sb.snapshot()).toEqual({});
  });

  it('is not printed before 0.169, for an unknown version, or for approach ca (which records all of it)', async () => {
    const sb = await sandbox();
    const ca = join(sb.dir, 'ca.pem');
    await writeCa(ca);
    for (const args of [
      ['--approach', 'a', '--codex-version', '0.168.0'],
      ['--approach', 'a', '--codex-version', '0.125.0'],
      ['--approach', 'ca', '--codex-version', '0.171.0', '--ca', ca],
    ]) {
      const r = sb.cli(['patch', ...args, '--codex-home', sb.home, '--auth', 'apikey', '--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, args.join(' ')).not.toContain(HEAD);
    }
  });
});
