// `codex-mitm patch --approach a` / `unpatch --approach a` against temporary codex homes, through
// the built CLI. Expected files are written out by hand.
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { sandbox, type Sandbox } from './helpers.js';
import { checkListenHost } from '../../src/patch/codex-home/checks.js';


let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const ENV_HEAD =
  '# codex-mitm (managed) approach=a\n' +
  '# Source it before starting codex (`. HOME/codex-mitm.env`), or run `codex-mitm run --codex-home HOME -- codex ...`.\n' +
  '# Removed by `codex-mitm unpatch`.\n';

const API_AUTH = '{"OPENAI_API_KEY":"sk-test-SECRET-123","tokens":null}';
const CHATGPT_AUTH = '{"OPENAI_API_KEY":null,"tokens":{"id_token":"eyJ-SECRET-ID","access_token":"eyJ-SECRET-ACCESS","refresh_token":"rt-SECRET"}}';

describe('patch --approach a', () => {
  it('creates config.toml and the env file for an API key on 0.98, and unpatch removes them', async () => {
    sb = await sandbox();
    await sb.write('auth.json', API_AUTH);
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await sb.read('config.toml')).toBe(
      '# >>> codex-mitm (managed) >>> approach=a created\n' +
        'chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"\n' +
        '# <<< codex-mitm <<<\n',
    );
    expect(await sb.read('codex-mitm.env')).toBe(`${ENV_HEAD.replace(/HOME/g, sb.home)}export OPENAI_BASE_URL=http://127.0.0.1:8080/v1\n`);
    const flows = join(sb.home, 'codex-mitm-flows');
    expect(r.stdout).toContain(`(umask 077 && mitmdump --mode reverse:https://api.openai.com/ --listen-host 127.0.0.1 --listen-port 8080 -w +${flows}/model-api.flow)`);
    expect(r.stdout).toContain(`(umask 077 && mitmdump --mode reverse:https://chatgpt.com/ --listen-host 127.0.0.1 --listen-port 8081 -w +${flows}/chatgpt.flow)`);
    expect(r.stdout).toContain('bearer tokens');
    expect(r.stdout).toContain('+chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"');
    expect((await fs.stat(flows)).mode & 0o777).toBe(0o700);
    expect(r.stdout + r.stderr).not.toContain('SECRET');

    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.code).toBe(0);
    expect(sb.snapshot()).toEqual({ 'auth.json': API_AUTH });
  });

  it('edits a rich CRLF config: block before the first table, active profile changed in place, other bytes kept', async () => {
    sb = await sandbox();
    const lines = [
      '# top comment',
      'model = "gpt-5"   # trailing',
      'profile = "work"',
      '',
      '[profiles.work]',
      'model = "o3"',
      "chatgpt_base_url = 'https://corp.example/backend-api/'",
      '',
      '[profiles.other]',
      'chatgpt_base_url = "https://other.example/"',
      '',
      '[model_providers.azure]',
      'base_url = "https://x.openai.azure.com/openai"',
      '',
      '[mcp_servers.docs]',
      'command = "npx"',
      'args = [',
      '  "-y", # pkg',
      '  "@x/docs",',
      ']',
      '',
      '[[hooks]]',
      'name = "a"',
      '',
    ];
    const original = lines.join('\r\n');
    await sb.write('config.toml', original);
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.115.0', '--auth', 'apikey']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const expected = [
      '# top comment',
      'model = "gpt-5"   # trailing',
      'profile = "work"',
      '# >>> codex-mitm (managed) >>> approach=a',
      'chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"',
      'openai_base_url = "http://127.0.0.1:8080/v1"',
      '# <<< codex-mitm <<<',
      '',
      '[profiles.work]',
      'model = "o3"',
      `chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"  # codex-mitm-was: "chatgpt_base_url = 'https://corp.example/backend-api/'"`,
      '',
      '[profiles.other]',
      'chatgpt_base_url = "https://other.example/"',
      ...lines.slice(10),
    ].join('\r\n');
    expect(await sb.read('config.toml')).toBe(expected);
    expect(await sb.read('codex-mitm.env')).toBeNull();
    expect(r.stdout).toContain('profile "other" sets chatgpt_base_url too; left alone');
    expect(r.stdout).toContain('Then start codex as usual');

    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.code).toBe(0);
    expect(await sb.read('config.toml')).toBe(original);
    expect(Object.keys(sb.snapshot())).toEqual(['config.toml']);
  });

  it('ChatGPT sign-in on 0.125 (codex --version from PATH): model API under the backend proxy, one proxy only', async () => {
    sb = await sandbox({ codexVersion: '0.125.0' });
    await sb.write('auth.json', CHATGPT_AUTH);
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home]);
    expect(r.code).toBe(0);
    expect(await sb.read('config.toml')).toBe(
      '# >>> codex-mitm (managed) >>> approach=a created\n' +
        'chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"\n' +
        'openai_base_url = "http://127.0.0.1:8081/backend-api/codex"\n' +
        '# <<< codex-mitm <<<\n',
    );
    expect(await sb.read('codex-mitm.env')).toBeNull();
    expect(r.stdout).toContain('codex version: 0.125.0 (from `codex --version`)');
    expect(r.stdout).toContain('auth mode: ChatGPT sign-in (from auth.json (tokens))');
    expect(r.stdout).toContain('mitmdump --mode reverse:https://chatgpt.com/ --listen-host 127.0.0.1 --listen-port 8081');
    expect(r.stdout).not.toContain('api.openai.com');
    expect(r.stdout + r.stderr).not.toContain('SECRET');
  });

  it('unknown version: sets both the config key and the env file, and says so', async () => {
    sb = await sandbox();
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--auth', 'apikey']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('codex version unknown: setting both `openai_base_url`');
    const cfg = parse((await sb.read('config.toml'))!) as Record<string, unknown>;
    expect(cfg).toEqual({ chatgpt_base_url: 'http://127.0.0.1:8081/backend-api/', openai_base_url: 'http://127.0.0.1:8080/v1' });
    expect(await sb.read('codex-mitm.env')).toBe(`${ENV_HEAD.replace(/HOME/g, sb.home)}export OPENAI_BASE_URL=http://127.0.0.1:8080/v1\n`);
  });

  it('uses $CODEX_HOME, changes existing root keys in place, and unpatch cleans from the markers when the state is gone', async () => {
    sb = await sandbox();
    const original = 'chatgpt_base_url = "https://mine/backend-api/"\nopenai_base_url="https://proxy.corp/v1" # corp\n[tui]\nnotifications = true';
    await sb.write('config.toml', original);
    const r = sb.cli(['patch', '--approach', 'a', '--codex-version', '0.115.0', '--auth', 'apikey'], { CODEX_HOME: sb.home });
    expect(r.code).toBe(0);
    expect(await sb.read('config.toml')).toBe(
      'chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"  # codex-mitm-was: "chatgpt_base_url = \\"https://mine/backend-api/\\""\n' +
        'openai_base_url="http://127.0.0.1:8080/v1"  # codex-mitm-was: "openai_base_url=\\"https://proxy.corp/v1\\" # corp"\n' +
        '# >>> codex-mitm (managed) >>> approach=a\n' +
        '# <<< codex-mitm <<<\n' +
        '[tui]\nnotifications = true',
    );
    await fs.rm(join(sb.home, '.codex-mitm'), { recursive: true });
    const u = sb.cli(['unpatch', '--approach', 'a'], { CODEX_HOME: sb.home });
    expect(u.code).toBe(0);
    expect(u.stdout).toContain('cleaned from the codex-mitm markers');
    expect(await sb.read('config.toml')).toBe(original);
  });

  it('a second run is a no-op that says so; --dry-run and --json write nothing', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'model = "gpt-5"\n');
    const dry = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"');
    expect(dry.stdout).toContain('dry run: nothing written');
    expect(sb.snapshot()).toEqual({ 'config.toml': 'model = "gpt-5"\n' });

    const js = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey', '--json', '--dry-run']);
    expect(js.code).toBe(0);
    const plan = JSON.parse(js.stdout);
    expect(plan.approach).toBe('a');
    expect(plan.target).toBe(sb.home);
    expect(plan.files.map((f: { display: string; created: boolean }) => [f.display, f.created])).toEqual([
      ['config.toml', false],
      ['codex-mitm.env', true],
    ]);
    expect(plan.proxies.map((p: { port: number }) => p.port)).toEqual([8080, 8081]);
    expect(plan.env).toEqual({ OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1' });
    expect(sb.snapshot()).toEqual({ 'config.toml': 'model = "gpt-5"\n' });

    const first = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey']);
    expect(first.code).toBe(0);
    const after = sb.snapshot();
    const second = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already applied');
    expect(second.stdout).toContain('nothing to do');
    expect(sb.snapshot()).toEqual(after);

    // Other ports: the old patch is replaced, not stacked.
    const third = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey', '--backend-port', '9091']);
    expect(third.code).toBe(0);
    expect(await sb.read('config.toml')).toBe(
      'model = "gpt-5"\n# >>> codex-mitm (managed) >>> approach=a\nchatgpt_base_url = "http://127.0.0.1:9091/backend-api/"\n# <<< codex-mitm <<<\n',
    );
    expect(sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]).code).toBe(0);
    expect(sb.snapshot()).toEqual({ 'config.toml': 'model = "gpt-5"\n' });
  });

  it('unpatch refuses a config whose managed block was broken since the patch (exit 2) unless --force', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'model = "gpt-5"\n');
    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey']).code).toBe(0);
    // the end marker is gone: codex-mitm cannot tell its lines from the user's any more
    await sb.write('config.toml', ((await sb.read('config.toml')) ?? '').replace('# <<< codex-mitm <<<\n', ''));
    const dry = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home, '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('a real unpatch would refuse');
    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('edited since the patch');
    const f = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home, '--force']);
    expect(f.code).toBe(0);
    expect(await sb.read('config.toml')).toBe('model = "gpt-5"\n');
  });

  it('listens on ::1 when asked, and warns when a port is taken', async () => {
    sb = await sandbox();
    const srv: Server = createServer();
    await new Promise<void>((ok) => srv.listen({ host: '127.0.0.1', port: 0 }, ok));
    const port = (srv.address() as { port: number }).port;
    try {
      const r = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey', '--model-port', String(port), '--dry-run']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`warning: 127.0.0.1:${port} is already in use`);
    } finally {
      await new Promise((ok) => srv.close(ok));
    }
    const v6 = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey', '--listen-host', '::1', '--dry-run']);
    expect(v6.code).toBe(0);
    expect(v6.stdout).toContain('+openai_base_url = "http://[::1]:8080/v1"');
    expect(v6.stdout).toContain('--listen-host ::1 --listen-port 8080');
  });
});

describe('patch --approach a: bad input is refused with one line, exit 2, nothing written', () => {
  const refuse = async (setup: (s: Sandbox) => Promise<void>, args: string[], message: RegExp) => {
    sb = await sandbox();
    await setup(sb);
    const before = sb.snapshot();
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(sb.snapshot()).toEqual(before);
    return r;
  };

  it('malformed config.toml names the file and line', async () => {
    await refuse(
      (s) => s.write('config.toml', 'model = "gpt-5"\n\n[profiles.x]\nchatgpt_base_url = \n'),
      [],
      /config\.toml:4: invalid TOML/,
    );
  });

  it('auth.json that is not JSON (without echoing its content)', async () => {
    const r = await refuse(
      (s) => s.write('auth.json', '{\n  "OPENAI_API_KEY": null,\n  "tokens": {"access_token": eyJ-SECRET}\n}\n'),
      [],
      /auth\.json:3: is not valid JSON$/m,
    );
    expect(r.stderr).not.toContain('SECRET');
  });

  it('a directory where config.toml should be', async () => {
    await refuse((s) => fs.mkdir(join(s.home, 'config.toml')), [], /config\.toml: is a directory/);
  });

  it('a read-only codex home', async () => {
    await refuse((s) => fs.chmod(s.home, 0o555), ['--auth', 'apikey'], /codex home is read-only/);
  });

  it('an unreadable codex home', async () => {
    await refuse((s) => fs.chmod(s.home, 0o000), ['--auth', 'apikey'], /codex home is not readable/);
  });

  it('a listen host that is not loopback', async () => {
    await refuse(async () => undefined, ['--listen-host', '0.0.0.0'], /--listen-host 0\.0\.0\.0 is not a loopback address/);
    await refuse(async () => undefined, ['--listen-host', '128.0.0.1'], /--listen-host 128\.0\.0\.1 is not a loopback address/);
    await refuse(async () => undefined, ['--listen-host', '127.0.0.300'], /is not a loopback address/);
  });

  it('takes any address of 127.0.0.0/8 as loopback', () => {
    expect(checkListenHost('127.0.0.2')).toBe('127.0.0.2');
    expect(checkListenHost('127.1')).toBe('127.1');
    expect(checkListenHost('::1')).toBe('::1');
  });

  it('a codex home that does not exist', async () => {
    sb = await sandbox();
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', join(sb.dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope: codex home does not exist/);
  });

  it('an env file codex-mitm did not write', async () => {
    await refuse((s) => s.write('codex-mitm.env', 'export FOO=1\n'), ['--auth', 'apikey'], /codex-mitm\.env: exists and was not written by codex-mitm/);
  });

  it('unpatch with nothing applied', async () => {
    sb = await sandbox();
    const r = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    // a no-op, like a second patch: exit 0, said plainly
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Nothing to unpatch: no approach a patch found in');
  });
});

describe('unpatch --approach a after codex edited config.toml', () => {
  it('refuses a config edited since (exit 2, nothing written); --force undoes only the managed block and keeps what codex added', async () => {
    sb = await sandbox();
    await sb.write('auth.json', API_AUTH);
    const original = '# mine\nmodel = "o3"\n\n[tui]\nnotifications = true\n';
    await sb.write('config.toml', original);
    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0']).code).toBe(0);
    // codex records a trusted project on its own
    const added = '\n[projects."/home/u/repo"]\ntrust_level = "trusted"\n';
    await sb.write('config.toml', (await sb.read('config.toml')) + added);
    const edited = await sb.read('config.toml');
    const refused = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/config\.toml was edited since the patch; .*use --force to undo only the patch and keep your edits/);
    expect(await sb.read('config.toml')).toBe(edited);
    const r = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home, '--force']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await sb.read('config.toml')).toBe(original + added);
  });
});

describe('patch --approach a keeps a custom upstream', () => {
  it('forwards the backend proxy to the chatgpt_base_url the active profile had', async () => {
    sb = await sandbox();
    await sb.write('config.toml', 'profile = "work"\n\n[profiles.work]\nchatgpt_base_url = "https://gateway.example.org/backend-api/"\n');
    const r = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('mitmdump --mode reverse:https://gateway.example.org/ --listen-host 127.0.0.1 --listen-port 8081');
    expect(r.stdout).toContain('mitmdump --mode reverse:https://api.openai.com/ --listen-host 127.0.0.1 --listen-port 8080');
  });
});
