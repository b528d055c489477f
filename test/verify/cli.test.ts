// `codex-mitm verify` through the real CLI entry (dist/, built by `npm test`'s pretest), with the
// fake codex, plus the home building block on its own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHome, fakeAuth } from '../../src/verify/home.js';
import { loadVerifyRules } from '../../src/verify/rules.js';

const ROOT = resolve(__dirname, '../..');
const FAKE = join(ROOT, 'fixtures/fake-codex');

function cli(args: string[], home: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/codex-mitm.js'), 'verify', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, CODEX_HOME: home, CODEX_MITM_CONFIG_DIR: process.env.CODEX_MITM_CONFIG_DIR },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('codex-mitm verify (CLI)', () => {
  const home = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-cli-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('--json prints one observation per host/method/path with route, channel and predicted', () => {
    const r = cli(['--codex', join(FAKE, 'codex-0.169.0'), '--approach', 'a', '--json'], home);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { codex: { version: string }; observations: Record<string, unknown>[] };
    expect(report.codex.version).toBe('0.169.0');
    const post = report.observations.find((o) => o.method === 'POST');
    expect(post).toMatchObject({ host: 'api.openai.com', path: '/v1/responses', route: 'reverse', channel: 'model-api', predicted: null });
    expect(report.observations.filter((o) => o.route === 'refused').map((o) => o.host).sort()).toEqual(['api.github.com', 'chatgpt.com']);
  });

  it('the table names routes in words; --markdown gives a section with a table', () => {
    const table = cli(['--codex', join(FAKE, 'codex-0.98.0'), '--approach', 'b'], home);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('codex-mitm verify: codex-cli 0.98.0, approach b, auth apikey');
    expect(table.stdout).toMatch(/api\.openai\.com\s+CONNECT\s+\(x2\)\s+forward proxy, TLS refused/);
    const md = cli(['--codex', join(FAKE, 'codex-0.98.0'), '--approach', 'ca', '--ca-env', 'SSL_CERT_FILE', '--markdown'], home);
    expect(md.status).toBe(0);
    expect(md.stdout).toMatch(/^### codex-cli 0\.98\.0, approach ca, CA env SSL_CERT_FILE, auth apikey \(\d{4}-\d\d-\d\d\)/);
    expect(md.stdout).toContain('| api.openai.com | POST | `/v1/responses` (x2) | forward proxy, TLS intercepted | model-api |');
    expect(md.stdout).toContain('- env `SSL_CERT_FILE=<run CA>`');
    expect(md.stdout).toMatch(/http:\/\/127\.0\.0\.1:PORT/);
  });

  it('exits 1 when a channel the scan predicts as captured is seen refused', () => {
    // The hand-written scan report says the model API reads CODEX_CA_CERTIFICATE (as 0.115+ does);
    // a 0.98 codex does not, so approach ca through that variable is refused: exit 1.
    const args = ['--codex', join(FAKE, 'codex-0.98.0'), '--approach', 'ca', '--root', join(FAKE, 'scan-report.json'), '--json'];
    const r = cli([...args, '--ca-env', 'CODEX_CA_CERTIFICATE'], home);
    const report = JSON.parse(r.stdout) as { observations: Record<string, unknown>[]; failures: unknown[] };
    expect(report.observations).toEqual([
      expect.objectContaining({ host: 'api.openai.com', method: 'CONNECT', route: 'refused', channel: 'model-api', predicted: 'yes' }),
      expect.objectContaining({ host: 'api.github.com', method: '', path: '', route: 'not-seen', channel: 'update-check', predicted: 'partial' }),
    ]);
    expect(report.failures).toHaveLength(1);
    expect(r.stderr).toContain('1 channel(s) predicted as captured were refused');
    expect(r.status).toBe(1);
    // Through SSL_CERT_FILE the same codex takes our CA: intercepted, exit 0.
    const ok = cli([...args, '--ca-env', 'SSL_CERT_FILE'], home);
    const okReport = JSON.parse(ok.stdout) as { observations: Record<string, unknown>[] };
    expect(okReport.observations[0]).toMatchObject({ host: 'api.openai.com', path: '/v1/responses', route: 'intercepted', predicted: 'yes' });
    expect(ok.status).toBe(0);
  });

  it('--root with a codex-rs tree scans it and adds a prediction to every row', () => {
    const r = cli(['--codex', join(FAKE, 'codex-0.98.0'), '--approach', 'a', '--root', 'fixtures/codex-rs', '--json'], home);
    const report = JSON.parse(r.stdout) as { observations: { route: string; channel: string | null; predicted: string | null }[] };
    const model = report.observations.find((o) => o.route === 'reverse');
    expect(model?.channel).toBe('model-api');
    for (const o of report.observations) expect(['yes', 'no', 'partial', 'unknown']).toContain(o.predicted);
    expect(report.observations.some((o) => o.route === 'not-seen')).toBe(true);
  });

  it('a --root file that is not a scan report is bad input', () => {
    const r = cli(['--codex', join(FAKE, 'codex-0.98.0'), '--root', 'package.json'], home);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not a codex-mitm scan report');
  });

  it('bad options are exit 2 with one line', () => {
    const t = cli(['--codex', join(FAKE, 'codex-0.98.0'), '--timeout', 'soon'], home);
    expect(t.status).toBe(2);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    expect(t.stderr).toContain('--timeout');
    const c = cli(['--codex', join(FAKE, 'nope')], home);
    expect(c.status).toBe(2);
    expect(c.stderr).toContain('not found or not executable');
    expect(c.stdout).toBe('');
  });

  it('a --codex-home that does not exist is exit 2 with one line, as for `run` and `patch`', () => {
    const missing = join(home, 'no-such-codex-home');
    const r = cli(['--codex', join(FAKE, 'codex-0.98.0'), '--approach', 'a', '--codex-home', missing], home);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${missing}: codex home does not exist`);
    expect(r.stdout).toBe('');
    // Not given: a missing default home ($CODEX_HOME here) still starts from an empty config.
    const d = cli(['--codex', join(FAKE, 'codex-0.98.0'), '--approach', 'a', '--json'], missing);
    expect(d.status).toBe(0);
    expect(JSON.parse(d.stdout).notes).toContain('no user config.toml: started from an empty one');
  });
});

describe('throwaway home', () => {
  it('approach a rewrites the key at top level and in profiles, keeps other settings, drops programs', () => {
    const rules = loadVerifyRules();
    const user = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-home-'));
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-dir-'));
    try {
      writeFileSync(
        join(user, 'config.toml'),
        'model = "o3"\nnotify = ["say"]\n[profiles.p]\nchatgpt_base_url = "https://x.invalid/"\nmodel = "o4"\n[mcp_servers.a]\ncommand = "x"\n',
      );
      const listener = (name: string, port: number, path: string) => ({ name, port, baseUrl: `http://127.0.0.1:${port}${path}` });
      const home = buildHome({
        dir,
        userHome: user,
        approach: 'a',
        auth: 'chatgpt',
        caEnv: 'both',
        caPem: 'unused',
        version: undefined,
        listeners: { model: listener('model-api', 1111, '/v1'), backend: listener('chatgpt', 2222, '/backend-api/'), proxyUrl: 'http://127.0.0.1:3333' },
        parentEnv: { PATH: '/bin', OPENAI_API_KEY: 'sk-user', HTTPS_PROXY: 'http://corp:8080' },
        rules,
      });
      const config = parse(readFileSync(join(home.codexHome, 'config.toml'), 'utf8')) as Record<string, any>;
      expect(config.model).toBe('o3');
      expect(config.notify).toBeUndefined();
      expect(config.mcp_servers).toBeUndefined();
      expect(config.cli_auth_credentials_store).toBe('file');
      expect(config.chatgpt_base_url).toBe('http://127.0.0.1:2222/backend-api/');
      expect(config.profiles.p.chatgpt_base_url).toBe('http://127.0.0.1:2222/backend-api/');
      expect(config.profiles.p.model).toBe('o4');
      // Version unknown: both the key and the env var; ChatGPT sign-in: on the chatgpt.com listener
      // at /backend-api/codex, as `patch --approach a --auth chatgpt` sets it.
      expect(config.openai_base_url).toBe('http://127.0.0.1:2222/backend-api/codex');
      expect(home.env.OPENAI_BASE_URL).toBe('http://127.0.0.1:2222/backend-api/codex');
      expect(home.env.OPENAI_API_KEY).toBeUndefined();
      expect(home.env.HTTPS_PROXY).toBe('http://127.0.0.1:3333');
      expect(home.env.http_proxy).toBe('http://127.0.0.1:3333');
      expect(home.env.NO_PROXY).toBe(rules.noProxy);
      expect(home.env.CODEX_HOME).toBe(home.codexHome);
      const auth = JSON.parse(readFileSync(join(home.codexHome, 'auth.json'), 'utf8')) as { tokens: { id_token: string } };
      const claims = JSON.parse(Buffer.from(auth.tokens.id_token.split('.')[1]!, 'base64url').toString()) as Record<string, any>;
      expect(claims['https://api.openai.com/auth'].chatgpt_account_id).toBe('codex-mitm-verify-account');
      expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    } finally {
      rmSync(user, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fake API key auth carries no tokens', () => {
    expect(fakeAuth('apikey')).toEqual({ OPENAI_API_KEY: expect.stringMatching(/^sk-codex-mitm-verify-/) });
  });
});

describe('codex-mitm verify when codex contacts nothing', () => {
  const home = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-none-'));
  const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-fake-fail-'));
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows what codex printed and exits 1: nothing was verified', () => {
    // A codex that rejects its config and exits at once, like a real one given a bad config.toml.
    const bin = join(dir, 'codex');
    writeFileSync(
      bin,
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "codex-cli 0.98.0"; exit 0; fi\necho "Error loading config.toml: invalid type: map, expected a sequence" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const r = cli(['--codex', bin, '--approach', 'a'], home);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('No request reached any listener.');
    expect(r.stdout).toContain('invalid type: map, expected a sequence');
    expect(r.stderr).toContain('without contacting any listener');
  });
});

describe('codex-mitm verify with a program that is not codex', () => {
  it('says so in one line and exits 2 (bad input), before running it', () => {
    const home = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-true-'));
    try {
      const r = cli(['--codex', '/bin/true', '--approach', 'a'], home);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/\/bin\/true does not look like codex: `--version` printed "true/);
      expect(r.stdout).toBe('');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
