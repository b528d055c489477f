// Whole wizard runs in ink-testing-library with the real scan, planners and writer:
// approach A into a temporary codex home, approach B into a temporary copy of fixtures/codex-rs.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupDirs, drive, FIXTURE, fixtureCopy, KEY, snapshot, squeeze, strip, tempDir, type Driven } from './helpers.js';

// Real scans, plans and terminals: generous limits (no timing is asserted).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const dirs: string[] = [];
afterAll(() => cleanupDirs(...dirs));
const keep = (d: string) => (dirs.push(d), d);

const USER_CONFIG = '# my settings\nmodel = "o3"\n\n[profiles.work]\nmodel = "gpt-5"\n';

function apiKeyHome(config: string | null = USER_CONFIG): string {
  const home = keep(tempDir('home'));
  writeFileSync(join(home, 'auth.json'), '{"OPENAI_API_KEY": "sk-test-not-real", "tokens": null}\n');
  if (config !== null) writeFileSync(join(home, 'config.toml'), config);
  return home;
}

/** Where -> Scan (summary shown). */
async function scanned(w: Driven): Promise<string> {
  await w.waitFor(/tree version\s+0\.115\.0/);
  await w.press(KEY.down, KEY.down, KEY.enter);
  return w.waitFor('channels found');
}

describe('wizard, approach A into a temporary codex home', () => {
  let fixtureBefore: Record<string, string>;
  beforeAll(() => {
    fixtureBefore = snapshot(FIXTURE);
  });
  afterAll(() => {
    expect(snapshot(FIXTURE)).toEqual(fixtureBefore);
  });

  it('goes Where -> Scan -> Channels -> Evidence -> Choose -> Preview -> Apply and writes config.toml', async () => {
    const home = apiKeyHome();
    const cwd = keep(tempDir('cwd'));
    const w = drive({ cwd, root: FIXTURE, home });

    const where = await w.waitFor(/tree version\s+0\.115\.0/);
    expect(where).toContain('step 1/6');
    expect(where).toContain(FIXTURE);
    expect(where).toContain(home);
    expect(where).toContain('from --codex-home');
    expect(where).toMatch(/auth mode\s+API key/);

    const summary = await scanned(w);
    expect(summary).toContain('step 2/6');
    expect(summary).toMatch(/codex version\s+0\.115\.0/);
    // reqwest rustls-tls in backend-client, otel, responses-api-proxy, rmcp-client: what B patches;
    // sqlx's rustls runtime in state never reaches the network (rules/tls.toml), named apart;
    // app-server has rustls-tls only in dev-dependencies.
    expect(summary).toMatch(/webpki to patch\s+4 \(backend-client\/Cargo\.toml, otel\/Cargo\.toml, responses-api-proxy\/Cargo\.toml,\s+rmcp-client\/Cargo\.toml\);\s+1 local only, left alone\s+\(state\/Cargo\.toml\)/);
    expect(summary).not.toContain('app-server/Cargo.toml');
    expect(summary).toMatch(/overrides\s+\d+ \(.*OPENAI_BASE_URL/s);

    await w.press(KEY.enter);
    const table = await w.waitFor('Recommended');
    expect(table).toContain('step 3/6');
    expect(table).toMatch(/Model API.*api\.openai\.com.*OPENAI_BASE_URL/);
    expect(table).toMatch(/channel\s+hosts\s+override\s+A/);

    await w.press(KEY.enter);
    const evidence = await w.waitFor('evidence (');
    expect(evidence).toMatch(/Evidence: /);
    expect(evidence).toMatch(/\s[\w/-]+\.rs:\d+/); // file:line list
    await w.press(KEY.esc);
    await w.waitFor('Recommended');

    await w.press('c');
    const choose = await w.waitFor('step 4/6');
    expect(choose).toContain('★ recommended');
    await w.press('1'); // approach A
    await w.waitFor('Model API proxy port');
    await w.press(KEY.enter);

    const preview = await w.waitFor('Approach A changes 1 file');
    expect(preview).toContain('step 5/6');
    expect(preview).toContain('+++ b/config.toml');
    expect(preview).toContain('+openai_base_url = "http://127.0.0.1:8080/v1"');
    // what A will not capture: the OAuth login goes to auth.openai.com directly
    let all = preview;
    for (let i = 0; i < 8 && !all.includes('Will not capture'); i++) {
      await w.press(' ');
      all += w.frame();
    }
    expect(all).toMatch(/Will not capture \(\d+\):/);
    expect(all).toContain('auth.openai.com');
    expect(readFileSync(join(home, 'config.toml'), 'utf8')).toBe(USER_CONFIG); // nothing written yet

    await w.press(KEY.enter);
    const confirm = await w.waitFor('Apply? (y/N)');
    expect(confirm).toContain(join(home, 'config.toml'));
    await w.press('y');
    const done = await w.waitFor('Applied');
    expect(done).toContain('Next steps:');
    expect(done).toContain('mitmdump');

    const config = readFileSync(join(home, 'config.toml'), 'utf8');
    expect(config).toContain('openai_base_url = "http://127.0.0.1:8080/v1"');
    expect(config).toContain('# my settings\n');
    expect(config).toContain('[profiles.work]\nmodel = "gpt-5"\n');

    // next steps go to the codex home by default, and the prompt shows the absolute path first
    await w.press('s');
    await w.waitFor(`Save to: ${join(home, 'codex-mitm-next-steps.md')}█`);
    await w.press(KEY.enter);
    await w.waitFor(`next steps saved to ${join(home, 'codex-mitm-next-steps.md')}`);
    const saved = readFileSync(join(home, 'codex-mitm-next-steps.md'), 'utf8');
    expect(saved).toContain('approach A');
    expect(saved).toContain('mitmdump');
    expect(existsSync(join(cwd, 'codex-mitm-next-steps.md'))).toBe(false);
    // a relative name is shown resolved (against the current directory) before it is written
    await w.press('s', '\u0015');
    await w.type('notes.md');
    const relFrame = await w.waitFor('→ ');
    expect(relFrame).toContain(`→ ${join(cwd, 'notes.md')}`);
    await w.press(KEY.enter);
    await w.waitFor(`next steps saved to ${join(cwd, 'notes.md')}`);
    expect(readFileSync(join(cwd, 'notes.md'), 'utf8')).toBe(saved);
    // a file that is not a copy of these steps is never overwritten; an earlier copy is
    writeFileSync(join(cwd, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    await w.press('s', '\u0015');
    await w.type('ca.pem');
    await w.press(KEY.enter);
    const refused = strip(await w.waitFor('already exists'));
    expect(squeeze(refused)).toContain(squeeze(`✗ ${join(cwd, 'ca.pem')}: already exists and is not a copy of these next steps; type another name (nothing written)`));
    expect(refused).not.toContain('✓ next steps saved');
    expect(readFileSync(join(cwd, 'ca.pem'), 'utf8')).toBe('-----BEGIN CERTIFICATE-----\n');
    await w.press('\u0015');
    await w.type('notes.md');
    await w.press(KEY.enter);
    await w.waitFor(`next steps saved to ${join(cwd, 'notes.md')}`);

    await w.press(KEY.enter);
    expect(await w.exitCode()).toBe(0);
  });

  it('edits the ports and auth mode before planning', async () => {
    const home = apiKeyHome(null);
    const w = drive({ cwd: home, root: FIXTURE, home });
    await scanned(w);
    await w.press(KEY.enter, 'c', '1');
    await w.waitFor('Model API proxy port');
    // rows: A B CA | auth | model port | backend port | continue
    await w.press(KEY.down, KEY.down, KEY.down, KEY.down, KEY.enter);
    await w.press(KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace);
    await w.type('9191');
    await w.press(KEY.enter, KEY.down, KEY.enter);
    await w.press(KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace);
    await w.type('9292');
    await w.press(KEY.enter, KEY.down, KEY.enter);
    const preview = await w.waitFor('Approach A changes');
    expect(preview).toContain('+openai_base_url = "http://127.0.0.1:9191/v1"');
    expect(preview).toContain('http://127.0.0.1:9292/');
    expect(existsSync(join(home, 'config.toml'))).toBe(false);
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
    expect(existsSync(join(home, 'config.toml'))).toBe(false);
  });
});

describe('wizard, approach B into a copy of fixtures/codex-rs', () => {
  it('previews the Cargo.toml edits and applies them to the copy only', async () => {
    const fixtureBefore = snapshot(FIXTURE);
    const tree = fixtureCopy();
    keep(tree.dir);
    const home = apiKeyHome(null);
    const w = drive({ cwd: tree.dir, home });

    // no --root: the codex-rs folder under the current directory is found
    const where = await w.waitFor('detected under the current directory');
    expect(where).toContain(tree.root);
    await scanned(w);
    await w.press(KEY.enter, 'c', '2'); // approach B
    const choose = await w.waitFor('patches Cargo.toml files under');
    expect(choose).toContain('(•) B');
    await w.press(KEY.enter);
    const preview = await w.waitFor('Approach B changes');
    expect(preview).toContain('b/backend-client/Cargo.toml');
    expect(preview).toMatch(/^-.*rustls-tls/m);
    expect(preview).toMatch(/^\+reqwest = .*rustls-tls-native-root/m); // long lines wrap on the screen
    // default-tls is unified into the codex-cli binary of the fixture: B says it changes no trust
    expect(preview).toMatch(/^! This patch will not change what codex trusts/m);
    const before = readFileSync(join(tree.root, 'backend-client/Cargo.toml'), 'utf8');

    await w.press(KEY.enter);
    await w.waitFor('Apply? (y/N)');
    await w.press('y');
    const done = await w.waitFor('Applied');
    expect(done).toContain('Next steps:');
    // the files written, relative to the tree (not four bare "Cargo.toml")
    expect(done).toMatch(
      /Applied: wrote 4 files in .*codex-rs:\s+backend-client\/Cargo\.toml,\s+otel\/Cargo\.toml,\s+responses-api-proxy\/Cargo\.toml,\s+rmcp-client\/Cargo\.toml\./,
    );
    const after = readFileSync(join(tree.root, 'backend-client/Cargo.toml'), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('rustls-tls-native-roots');
    // B's next steps default to the engine's state folder in the tree
    const notes = join(tree.root, '.codex-mitm', 'codex-mitm-next-steps.md');
    await w.press('s');
    await w.waitFor('Save to: ');
    expect(w.frame().replace(/\s*\n\s*/g, '')).toContain(`Save to: ${notes}█`);
    await w.press(KEY.enter);
    await w.waitFor('next steps saved to');
    expect(readFileSync(notes, 'utf8')).toContain('approach B');
    expect(existsSync(join(tree.dir, 'codex-mitm-next-steps.md'))).toBe(false);
    await w.press(KEY.enter);
    expect(await w.exitCode()).toBe(0);
    expect(snapshot(FIXTURE)).toEqual(fixtureBefore);
  });
});

describe('quitting writes nothing', () => {
  // Key sequences from the start to each screen (approach A, then y/N).
  const paths: [string, string[], string][] = [
    ['where', [], 'step 1/6'],
    ['scan', [KEY.down, KEY.down, KEY.enter], 'channels found'],
    ['channels', [KEY.down, KEY.down, KEY.enter, '@channels found', KEY.enter], 'Recommended'],
    ['evidence', [KEY.down, KEY.down, KEY.enter, '@channels found', KEY.enter, KEY.enter], 'evidence ('],
    ['choose', [KEY.down, KEY.down, KEY.enter, '@channels found', KEY.enter, 'c'], 'step 4/6'],
    ['preview', [KEY.down, KEY.down, KEY.enter, '@channels found', KEY.enter, 'c', '1', KEY.enter], 'Approach A changes'],
    ['apply', [KEY.down, KEY.down, KEY.enter, '@channels found', KEY.enter, 'c', '1', KEY.enter, '@Approach A changes', KEY.enter], 'Apply? (y/N)'],
    ['declined', [KEY.down, KEY.down, KEY.enter, '@channels found', KEY.enter, 'c', '1', KEY.enter, '@Approach A changes', KEY.enter, 'n'], 'Not applied'],
  ];
  for (const [name, keys, marker] of paths) {
    for (const [quit, code] of [['q', 0], [KEY.ctrlC, 130]] as const) {
      it(`${quit === 'q' ? 'q' : 'Ctrl-C'} on ${name} exits ${code} and leaves the home, tree and cwd byte for byte`, async () => {
        const tree = fixtureCopy();
        keep(tree.dir);
        const home = apiKeyHome();
        const before = [snapshot(tree.dir), snapshot(home)];
        const w = drive({ cwd: tree.dir, root: tree.root, home });
        await w.waitFor(/tree version\s+0\.115\.0/);
        for (const k of keys) {
          if (k.startsWith('@')) await w.waitFor(k.slice(1));
          else await w.press(k);
        }
        await w.waitFor(marker);
        await w.press(quit);
        expect(await w.exitCode()).toBe(code);
        expect([snapshot(tree.dir), snapshot(home)]).toEqual(before);
      });
    }
  }
});

describe('errors stay on their screen, one line, nothing written', () => {
  it('a codex home with a malformed config.toml: approach A is refused on Preview, b goes back', async () => {
    const home = apiKeyHome('model = "o3"\n[profiles\n');
    const before = snapshot(home);
    const w = drive({ cwd: home, root: FIXTURE, home });
    await scanned(w);
    await w.press(KEY.enter, 'c', '1', KEY.enter);
    const frame = await w.waitFor('refused, nothing was written');
    expect(frame).toContain('config.toml');
    expect(frame).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
    await w.press('b');
    await w.waitFor('step 4/6');
    await w.press('q');
    expect(snapshot(home)).toEqual(before);
  });

  it('a read-only config.toml: the apply is refused with a way back', async () => {
    const home = apiKeyHome();
    chmodSync(join(home, 'config.toml'), 0o444);
    const before = snapshot(home);
    const w = drive({ cwd: home, root: FIXTURE, home });
    await scanned(w);
    await w.press(KEY.enter, 'c', '1', KEY.enter);
    await w.waitFor('Approach A changes');
    await w.press(KEY.enter, 'y');
    const frame = await w.waitFor('apply refused, nothing was written');
    expect(frame).toMatch(/read-only/);
    await w.press(KEY.esc);
    await w.waitFor('step 5/6');
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
    expect(snapshot(home)).toEqual(before);
  });

  it('a failing scan shows its error with a way back to Where', async () => {
    const bad = keep(tempDir('bad'));
    const root = join(bad, 'codex-rs');
    mkdirSync(root);
    writeFileSync(join(root, 'Cargo.toml'), '[workspace]\nmembers = []\n');
    const home = apiKeyHome(null);
    const w = drive({ cwd: bad, root, home });
    await w.waitFor(/version\s+unknown/);
    await w.press(KEY.down, KEY.down, KEY.enter);
    const frame = await w.waitFor('scan failed, nothing was written');
    expect(frame).toContain('r retry');
    expect(frame).not.toMatch(/\n\s+at .*:\d+:\d+/);
    await w.press(KEY.esc);
    await w.waitFor('step 1/6');
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });

  it('a path that is no codex tree is named on Where and scanning is refused', async () => {
    const cwd = keep(tempDir('cwd'));
    mkdirSync(join(cwd, 'alpha'));
    mkdirSync(join(cwd, 'alps'));
    mkdirSync(join(cwd, 'beta'));
    const w = drive({ cwd, home: apiKeyHome(null) });
    // nothing detected: straight to typing, with Tab completion
    await w.waitFor('Tab complete');
    await w.type('al');
    await w.press(KEY.tab);
    let frame = await w.waitFor('alpha/  alps/');
    expect(frame).toMatch(/Source tree\s+alp█/);
    await w.type('h');
    await w.press(KEY.tab);
    frame = await w.waitFor('alpha/█');
    await w.press(KEY.enter);
    frame = await w.waitFor('no codex-rs folder');
    await w.press(KEY.down, KEY.enter);
    frame = await w.waitFor('step 1/6');
    expect(frame).not.toContain('step 2/6');
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });
});

describe('wizard, approach CA with a CA certificate typed in', () => {
  it('plans and applies the CA route into the codex home', async () => {
    const forge = (await import('node-forge')).default;
    const keys = forge.pki.rsa.generateKeyPair(1024);
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.UTC(2020, 0, 1));
    cert.validity.notAfter = new Date(Date.UTC(2040, 0, 1));
    const name = [{ name: 'commonName', value: 'codex-mitm test CA' }];
    cert.setSubject(name);
    cert.setIssuer(name);
    cert.setExtensions([{ name: 'basicConstraints', cA: true }]);
    cert.sign(keys.privateKey, forge.md.sha256.create());
    const home = apiKeyHome();
    const caFile = join(home, 'test-ca.pem');
    writeFileSync(caFile, forge.pki.certificateToPem(cert));

    const w = drive({ cwd: home, root: FIXTURE, home });
    await scanned(w);
    await w.press(KEY.enter, 'c', '3');
    await w.waitFor('Forward proxy port');
    // rows: A B CA | auth | proxy port | CA certificate | continue
    await w.press(KEY.down, KEY.down, KEY.down, KEY.enter, '\u0015');
    await w.type(caFile);
    await w.press(KEY.enter);
    await w.waitFor(new RegExp(`CA certificate\\s+${caFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+PEM file`));
    await w.press(KEY.down, KEY.enter);
    const preview = await w.waitFor(/Approach CA changes \d+ files?/);
    expect(preview).toContain('+++ b/codex-mitm.env');
    expect(preview).toContain(`+export CODEX_CA_CERTIFICATE=${caFile}`);
    expect(preview).toContain('+export HTTPS_PROXY=http://127.0.0.1:8080');
    const before = snapshot(home);
    await w.press(KEY.enter, 'y');
    await w.waitFor('Applied');
    expect(before['codex-mitm.env']).toBeUndefined();
    expect(readFileSync(join(home, 'codex-mitm.env'), 'utf8')).toContain(`export SSL_CERT_FILE=${caFile}\n`);
    await w.press(KEY.enter);
    expect(await w.exitCode()).toBe(0);
  });
});

describe('wizard, a second run', () => {
  it('plans nothing for an approach already applied and writes nothing again', async () => {
    const home = apiKeyHome();
    const walk = async () => {
      const w = drive({ cwd: home, root: FIXTURE, home });
      await scanned(w);
      await w.press(KEY.enter, 'c', '1', KEY.enter);
      const preview = await w.waitFor(/Approach A( changes|: nothing to change)/);
      if (preview.includes('nothing to change')) {
        // nothing to write: no apply is offered (y does nothing), only the way back and quit
        await w.press(KEY.enter);
        const done = await w.waitFor('Nothing to write');
        await w.press('y', KEY.enter);
        expect(w.exited()).toBeUndefined();
        await w.press('q');
        expect(await w.exitCode()).toBe(0);
        return { preview, done };
      }
      await w.press(KEY.enter, 'y');
      const done = await w.waitFor('✓');
      await w.press(KEY.enter);
      expect(await w.exitCode()).toBe(0);
      return { preview, done };
    };
    const first = await walk();
    expect(first.done).toContain(`Applied: wrote 1 file in ${home}: config.toml.`);
    const after = snapshot(home);
    const second = await walk();
    expect(second.preview).toContain('nothing to change');
    expect(second.done).toContain('Nothing to write: the plan changes no file (already applied).');
    expect(second.done).not.toContain('y apply');
    expect(snapshot(home)).toEqual(after);
  });
});

describe('wizard, where the current folder holds two codex-rs trees', () => {
  it('says why none was picked (both named) instead of an empty source tree', async () => {
    const dir = keep(tempDir('two-trees'));
    const { cpSync } = await import('node:fs');
    cpSync(FIXTURE, join(dir, 'one', 'codex-rs'), { recursive: true });
    cpSync(FIXTURE, join(dir, 'two', 'codex-rs'), { recursive: true });
    const w = drive({ cwd: dir, home: apiKeyHome(null) });
    try {
      const f = squeeze(await w.waitFor('codex-rs folders below'));
      expect(f).toContain(squeeze('2 codex-rs folders below this folder (one/codex-rs, two/codex-rs)'));
      expect(f).not.toContain(squeeze('detected under the current directory'));
    } finally {
      w.unmount();
    }
  });
});

describe('wizard, first screen: the installed codex against the tree', () => {
  it('shows the codex on PATH and warns when its version is not the tree version', async () => {
    const bin = keep(tempDir('path'));
    writeFileSync(join(bin, 'codex'), `#!/bin/sh\nexec "${process.execPath}" "${join(FIXTURE, '..', 'fake-codex', 'codex.mjs')}" --fake-version 0.169.0 "$@"\n`);
    chmodSync(join(bin, 'codex'), 0o755);
    const w = drive({ cwd: bin, root: FIXTURE, home: apiKeyHome(null), env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    try {
      const f = squeeze(await w.waitFor(/installed\s+codex 0\.169\.0/));
      expect(f).toContain(squeeze('the tree is codex 0.115.0 but the installed codex is 0.169.0'));
      expect(f).toContain(squeeze('rust-v0.169.0'));
    } finally {
      w.unmount();
    }
  });
});

describe('wizard without a source tree, codex installed', () => {
  it('offers to fetch the source of the installed version; f gets it (from the cache here) and the wizard goes on with it', async () => {
    const dir = keep(tempDir('no-tree'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'codex'), `#!/bin/sh\nexec "${process.execPath}" "${join(FIXTURE, '..', 'fake-codex', 'codex.mjs')}" --fake-version 0.115.0 "$@"\n`);
    chmodSync(join(bin, 'codex'), 0o755);
    // the fetch finds the tag already in the cache: no network in tests
    const cache = join(dir, 'cache');
    const { cpSync } = await import('node:fs');
    const { sourceCacheDir } = await import('../../src/source/fetch.js');
    const cached = join(sourceCacheDir({ XDG_CACHE_HOME: cache }), 'github.com_openai_codex', 'rust-v0.115.0', 'codex-rs');
    cpSync(FIXTURE, cached, { recursive: true });
    const work = join(dir, 'work');
    mkdirSync(work);
    const w = drive({ cwd: work, home: apiKeyHome(null), env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: cache } });
    try {
      const offer = squeeze(await w.waitFor(/Press f to fetch/));
      expect(offer).toContain(squeeze('fetch the source of the installed codex 0.115.0 (git tag rust-v0.115.0'));
      expect(offer).toContain(squeeze('codex-mitm scan --binary'));
      await w.press('f');
      const f = squeeze(await w.waitFor(/tree version\s+0\.115\.0/));
      expect(f).toContain(squeeze(join(cache, "codex-mitm", "source")));
      expect(f).not.toContain("Pressf");
    } finally {
      w.unmount();
    }
  });
});
