// `codex-mitm patch --approach ca`, switching between a and ca, and `codex-mitm run`, through the
// built CLI against temporary codex homes. Expected files are written out by hand.
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { sandbox, writeCa, type Sandbox } from '../approach-a/helpers.js';


let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const HEAD =
  '# codex-mitm (managed) approach=ca\n' +
  '# Source it before starting codex (`. HOME/codex-mitm.env`), or run `codex-mitm run --codex-home HOME -- codex ...`.\n' +
  '# Removed by `codex-mitm unpatch`.\n';
const PROXY =
  'export HTTPS_PROXY=http://127.0.0.1:8080\n' +
  'export https_proxy=http://127.0.0.1:8080\n' +
  'export NO_PROXY=localhost,127.0.0.1,::1\n' +
  'export no_proxy=localhost,127.0.0.1,::1\n';

describe('patch --approach ca', () => {
  it('0.115: HTTPS_PROXY, CODEX_CA_CERTIFICATE and SSL_CERT_FILE pointing at the default mitmproxy CA; unpatch removes it', async () => {
    sb = await sandbox();
    await fs.mkdir(join(sb.userHome, '.mitmproxy'));
    const ca = join(sb.userHome, '.mitmproxy', 'mitmproxy-ca-cert.pem');
    await writeCa(ca);
    const config = '# untouched\nmodel = "gpt-5"\n';
    await sb.write('config.toml', config);
    const r = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.115.0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await sb.read('codex-mitm.env')).toBe(`${HEAD.replace(/HOME/g, sb.home)}${PROXY}export CODEX_CA_CERTIFICATE=${ca}\nexport SSL_CERT_FILE=${ca}\nexport GIT_SSL_CAINFO=${ca}\n`);
    expect(await sb.read('config.toml')).toBe(config);
    // appends to the flow file (a restart keeps earlier flows) and creates it 0600 (umask 077)
    expect(r.stdout).toContain(`(umask 077 && mitmdump --listen-host 127.0.0.1 --listen-port 8080 -w +${join(sb.home, 'codex-mitm-flows', 'codex.flow')})`);
    expect(r.stdout).toContain('bearer tokens');

    const u = sb.cli(['unpatch', '--approach', 'ca', '--codex-home', sb.home]);
    expect(u.code).toBe(0);
    expect(sb.snapshot()).toEqual({ 'config.toml': config });
  });

  it('0.98 (from a fake codex on PATH) with --ca and --proxy-port: SSL_CERT_FILE only', async () => {
    sb = await sandbox({ codexVersion: '0.98.0' });
    const ca = join(sb.dir, 'my ca.pem');
    await writeCa(ca);
    const r = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--ca', ca, '--proxy-port', '9090']);
    expect(r.code).toBe(0);
    expect(await sb.read('codex-mitm.env')).toBe(
      `${HEAD.replace(/HOME/g, sb.home)}${PROXY.replace(/8080/g, '9090')}export SSL_CERT_FILE='${ca}'\nexport GIT_SSL_CAINFO='${ca}'\n`,
    );
    expect(r.stdout).toContain('codex 0.98.0 predates CODEX_CA_CERTIFICATE');
  });

  it('refuses a missing or non-PEM CA with exit 2 and writes nothing', async () => {
    sb = await sandbox();
    const missing = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.115.0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/mitmproxy-ca-cert\.pem: CA certificate not found/);
    const bogus = join(sb.dir, 'bogus.pem');
    await fs.writeFile(bogus, 'not a certificate\n');
    const bad = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.115.0', '--ca', bogus]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus\.pem: is not a PEM certificate/);
    const broken = join(sb.dir, 'broken.pem');
    await fs.writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const bad2 = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.115.0', '--ca', broken]);
    expect(bad2.code).toBe(2);
    expect(bad2.stderr).toMatch(/broken\.pem: is not a valid PEM certificate/);
    expect(sb.snapshot()).toEqual({});
  });

  it('switches a -> ca -> a in one command each, and unpatch leaves the original bytes', async () => {
    sb = await sandbox();
    const ca = join(sb.dir, 'ca.pem');
    await writeCa(ca);
    const original = 'model = "gpt-5"\r\n\r\n[profiles.x]\r\nmodel = "o3"\r\n';
    await sb.write('config.toml', original);
    const a = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey']);
    expect(a.code).toBe(0);
    expect(await sb.read('config.toml')).not.toBe(original);

    const toCa = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.98.0', '--ca', ca]);
    expect(toCa.code).toBe(0);
    expect(toCa.stdout).toContain('approach a is applied here: it is undone first');
    expect(toCa.stdout).toContain('approach a undone first');
    // The diff shows the config going back to the user's bytes.
    expect(toCa.stdout).toContain('-chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"');
    expect(await sb.read('config.toml')).toBe(original);
    expect(await sb.read('codex-mitm.env')).toBe(`${HEAD.replace(/HOME/g, sb.home)}${PROXY}export SSL_CERT_FILE=${ca}\nexport GIT_SSL_CAINFO=${ca}\n`);
    expect(await fs.readdir(join(sb.home, '.codex-mitm'))).not.toContain('a.json');

    const back = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey']);
    expect(back.code).toBe(0);
    expect(await sb.read('codex-mitm.env')).toContain('approach=a');
    expect(sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]).code).toBe(0);
    expect(sb.snapshot()).toEqual({ 'config.toml': original });
  });
});

describe('run', () => {
  it('starts the command with the env file of the applied approach and passes its exit code through', async () => {
    sb = await sandbox();
    const ca = join(sb.dir, 'ca.pem');
    await writeCa(ca);
    expect(sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.115.0', '--ca', ca]).code).toBe(0);
    const r = sb.cli(['run', '--codex-home', sb.home, '--', '/bin/sh', '-c', 'echo "$HTTPS_PROXY|$CODEX_CA_CERTIFICATE|$SSL_CERT_FILE|$CODEX_HOME"; exit 7']);
    expect(r.code).toBe(7);
    expect(r.stdout).toBe(`http://127.0.0.1:8080|${ca}|${ca}|${sb.home}\n`);

    const wrong = sb.cli(['run', '--approach', 'a', '--codex-home', sb.home, '--', '/bin/sh', '-c', 'exit 0']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('approach a is not applied here (approach ca is)');
  });

  it('approach a on 0.98 exports OPENAI_BASE_URL; on 0.125 it runs the command unchanged', async () => {
    sb = await sandbox();
    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey']).code).toBe(0);
    const r = sb.cli(['run', '--codex-home', sb.home, '--', '/bin/sh', '-c', 'echo "$OPENAI_BASE_URL"']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('http://127.0.0.1:8080/v1\n');

    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey']).code).toBe(0);
    const r2 = sb.cli(['run', '--codex-home', sb.home, '--', '/bin/sh', '-c', 'echo "[$OPENAI_BASE_URL]"'], { OPENAI_BASE_URL: '' });
    expect(r2.code).toBe(0);
    expect(r2.stdout).toBe('[]\n');
    expect(r2.stderr).toContain('approach a lives in config.toml');
  });

  it('says when nothing listens where the env file points codex (the proxy is not running)', async () => {
    sb = await sandbox();
    const ca = join(sb.dir, 'ca.pem');
    await writeCa(ca);
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.115.0', '--ca', ca, '--proxy-port', String(port)]).code).toBe(0);
      const up = sb.cli(['run', '--codex-home', sb.home, '--', '/bin/sh', '-c', 'exit 0']);
      expect(up.code).toBe(0);
      expect(up.stderr).not.toContain('nothing listens');
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
    const down = sb.cli(['run', '--codex-home', sb.home, '--', '/bin/sh', '-c', 'exit 0']);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`codex-mitm: nothing listens on 127.0.0.1:${port} (HTTPS_PROXY from the env file)`);
  });

  it('refuses when nothing is applied, or the command does not exist', async () => {
    sb = await sandbox();
    const none = sb.cli(['run', '--codex-home', sb.home, '--', '/bin/sh', '-c', 'exit 0']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no approach is applied here');
    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.98.0', '--auth', 'apikey']).code).toBe(0);
    const missing = sb.cli(['run', '--codex-home', sb.home, '--', join(sb.dir, 'no-such-codex')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('command not found');
  });
});

describe('patch --approach ca on a malformed config.toml', () => {
  it('refuses with file:line, exit 2, and writes nothing', async () => {
    sb = await sandbox();
    const ca = join(sb.dir, 'ca.pem');
    await writeCa(ca);
    await sb.write('config.toml', 'model = "o3"\n[tui\n');
    const before = sb.snapshot();
    const r = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.125.0', '--ca', ca]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('config.toml:2: invalid TOML');
    expect(sb.snapshot()).toEqual(before);
  });
});

describe('patch --approach ca with a CA outside ~/.mitmproxy', () => {
  it('points mitmdump at that folder, so the proxy signs with the CA codex trusts', async () => {
    sb = await sandbox();
    const ca = join(sb.dir, 'myca', 'ca-cert.pem');
    await fs.mkdir(join(sb.dir, 'myca'));
    await writeCa(ca);
    const r = sb.cli(['patch', '--approach', 'ca', '--codex-home', sb.home, '--codex-version', '0.125.0', '--ca', ca]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`mitmdump --set confdir=${join(sb.dir, 'myca')} --listen-host 127.0.0.1 --listen-port 8080`);
    expect(r.stdout).toContain('mitmproxy-ca.pem (certificate and private key)');
  });
});
