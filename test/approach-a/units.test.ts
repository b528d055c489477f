// The pure pieces: TOML span scanner, env file, version routes, JSON error lines, planner inputs
// from a scan (capabilities and channel coverage).
import { describe, expect, it } from 'vitest';
import { promises as fs, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanToml } from '../../src/patch/codex-home/toml-scan.js';
import { parseEnvFile, renderEnvFile } from '../../src/patch/codex-home/envfile.js';
import { routesFor, parseCodexVersion } from '../../src/patch/codex-home/version.js';
import { jsonErrorLine } from '../../src/json-error.js';
import { applyConfigEdits, reverseConfig, verifyConfigEdit } from '../../src/patch/codex-home/config-edit.js';
import { planApproachA, prepareHome } from '../../src/patch/codex-home/index.js';
import type { Channel, ScanResult } from '../../src/model.js';
import { InputError } from '../../src/model.js';

describe('scanToml', () => {
  it('finds key paths and value spans through strings, arrays and headers that only look like headers', () => {
    const text = [
      'a = """',
      '[not.a.table]',
      'x = 1',
      '"""',
      "'b.c' . d = [ 1, # [fake]",
      '  2 ]',
      't = 1979-05-27 07:32:00 # time',
      '[ profiles . "w x" ]',
      'chatgpt_base_url = \'u\'',
      '[[hooks]]',
      'chatgpt_base_url = "v"',
    ].join('\n');
    const s = scanToml(text);
    expect(s.statements.map((x) => [x.kind, x.path.join('/'), x.line])).toEqual([
      ['kv', 'a', 1],
      ['kv', 'b.c/d', 5],
      ['kv', 't', 7],
      ['table', 'profiles/w x', 8],
      ['kv', 'profiles/w x/chatgpt_base_url', 9],
      ['array-table', 'hooks', 10],
      ['kv', 'hooks/[]/chatgpt_base_url', 11],
    ]);
    const t = s.statements[2]!;
    expect(text.slice(t.valueStart, t.valueEnd)).toBe('1979-05-27 07:32:00');
    expect(t.comment).toBe('# time');
    expect(s.firstHeader?.line).toBe(8);
  });
});

describe('config edits', () => {
  it('appends the block after the last root key, adding a line break (and removing it again) when the file has none', () => {
    const orig = '# head\nmodel = "x"';
    const { text } = applyConfigEdits(orig, [{ path: ['chatgpt_base_url'], value: 'http://127.0.0.1:1/backend-api/' }], 'a', 'config.toml');
    expect(text).toBe(
      '# head\nmodel = "x"\n# >>> codex-mitm (managed) >>> approach=a +eol\nchatgpt_base_url = "http://127.0.0.1:1/backend-api/"\n# <<< codex-mitm <<<\n',
    );
    expect(reverseConfig(text).text).toBe(orig);
  });

  it('refuses an edit that would change more than the intended keys', () => {
    const orig = 'model = "x"\n';
    expect(() => verifyConfigEdit(orig, 'model = "y"\nchatgpt_base_url = "u"\n', [{ path: ['chatgpt_base_url'], value: 'u' }], 'config.toml')).toThrow(
      InputError,
    );
  });

  it('refuses to edit an active profile whose chatgpt_base_url sits in an inline table', () => {
    const orig = 'profile = "w"\nprofiles = { w = { chatgpt_base_url = "https://corp/" } }\n';
    expect(() =>
      planApproachA({
        home: '/tmp/h',
        configText: orig,
        envText: null,
        auth: 'apikey',
        authSource: 'test',
        target: { version: '0.125.0', source: 'flag' },
        host: '127.0.0.1',
        modelPort: 1,
        backendPort: 2,
        proxyPort: 3,
      }),
    ).toThrow(/cannot find profiles\.w\.chatgpt_base_url/);
  });
});

describe('env file', () => {
  it('round-trips values with spaces and quotes', () => {
    const vars: [string, string][] = [
      ['A', 'http://127.0.0.1:8080/v1'],
      ['B', "/tmp/it's here/ca.pem"],
    ];
    const text = renderEnvFile('ca', vars, '/home/u/.codex');
    expect(text).toContain("export B='/tmp/it'\\''s here/ca.pem'\n");
    expect(parseEnvFile(text, 'x.env')).toEqual({ A: 'http://127.0.0.1:8080/v1', B: "/tmp/it's here/ca.pem" });
    let err: unknown;
    try {
      parseEnvFile('# c\nnot an assignment\n', 'x.env');
    } catch (e) {
      err = e;
    }
    expect((err as InputError).oneLine).toBe('x.env:2: not a NAME=value line');
  });
});

describe('routes by version', () => {
  it.each([
    ['0.98.0', false, true, ['SSL_CERT_FILE']],
    ['0.114.9', false, true, ['SSL_CERT_FILE']],
    ['0.115.0', true, false, ['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']],
    ['0.169.0', true, false, ['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE']],
  ])('%s', (version, configKey, envVar, caEnv) => {
    const r = routesFor({ version, source: 'flag' });
    expect([r.configKey, r.envVar, r.caEnv]).toEqual([configKey, envVar, caEnv]);
  });

  it('prefers a scanned tree\'s capabilities over its version number', () => {
    const r = routesFor({
      version: '0.120.0',
      source: 'tree',
      capabilities: { openaiBaseUrlKey: false, openaiBaseUrlEnv: true, customCaEnv: [], reqwestFeatures: [], nativeTlsDefault: true },
    });
    expect([r.configKey, r.envVar, r.caEnv]).toEqual([false, true, ['SSL_CERT_FILE']]);
  });

  it('parses `codex --version` output', () => {
    expect(parseCodexVersion('codex-cli 0.98.0\n')).toBe('0.98.0');
    expect(parseCodexVersion('codex-cli 0.116.0-alpha.3')).toBe('0.116.0-alpha.3');
    expect(parseCodexVersion('nope')).toBeUndefined();
  });
});

describe('jsonErrorLine', () => {
  it('points at the line where the JSON breaks', () => {
    expect(jsonErrorLine('{\n "a": 1,\n "b": nope\n}')).toBe(3);
    expect(jsonErrorLine('{"a": [1, 2,\n\n]}')).toBe(3);
    expect(jsonErrorLine('{"a": 1}\n\nx')).toBe(3);
  });
});

describe('planning with a scanned tree', () => {
  it('uses its capabilities and lists what stays uncaptured', async () => {
    const home = await fs.mkdtemp(join(tmpdir(), 'cm-units-'));
    try {
      const channel = (id: string, name: string, hosts: string[], a: Channel['coverage']['a'], why: string): Channel => ({
        id,
        name,
        hosts,
        urls: [],
        overrides: [],
        authMode: 'any',
        coverage: { a, b: 'no', ca: 'yes' },
        why: { a: [why], b: [], ca: [] },
        tls: 'native-tls',
        clients: [],
        evidence: [],
        unclassified: false,
        contacted: id !== 'links',
      });
      const scan = {
        capabilities: { version: '0.98.0', openaiBaseUrlKey: false, openaiBaseUrlEnv: true, customCaEnv: [], reqwestFeatures: [], nativeTlsDefault: true },
        channels: [
          channel('model-api', 'Model API', ['api.openai.com'], 'yes', 'OPENAI_BASE_URL'),
          channel('oauth', 'OAuth login', ['auth.openai.com'], 'no', 'no override for auth.openai.com'),
          channel('links', 'Links', ['github.com'], 'no', 'never fetched'),
        ],
      } as unknown as ScanResult;
      const prep = await prepareHome('a', { codexHome: home, scan, auth: 'apikey', env: { PATH: '' }, cwd: home });
      const plan = planApproachA(prep.input);
      expect(plan.env).toEqual({ OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1' });
      expect(plan.notes).toContain('codex version: 0.98.0 (from the scanned tree)');
      expect(plan.notes).toContain('coverage (scanned tree): 1 of 2 channels captured by approach a');
      expect(plan.notes).toContain('  not captured: OAuth login (auth.openai.com) — no override for auth.openai.com');
      expect(plan.notes.join('\n')).not.toContain('Links');
      expect(readdirSync(home)).toEqual([]);
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});

const FIXTURE = join(import.meta.dirname, '../../fixtures/codex-rs');
// The fixture is being written alongside; run once its config crate (ConfigToml) is in.

describe('patch --approach a --root (fixture tree)', () => {
  it('reads capabilities and coverage from the scanned fixture (a 0.115-shaped tree)', async () => {
    const home = await fs.mkdtemp(join(tmpdir(), 'cm-units-root-'));
    try {
      const prep = await prepareHome('a', { codexHome: home, root: FIXTURE, auth: 'apikey', env: { PATH: '' }, cwd: home });
      const plan = planApproachA(prep.input);
      expect(prep.input.target.source).toBe('tree');
      expect(plan.notes).toContain('the scanned tree has the `openai_base_url` config key');
      expect(plan.notes.some((n) => n.startsWith('coverage (scanned tree):'))).toBe(true);
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});

describe('detectAuth', () => {
  it('reads the mode from the shape of auth.json, never its values', async () => {
    const { detectAuth } = await import('../../src/patch/codex-home/home.js');
    const home = await fs.mkdtemp(join(tmpdir(), 'cm-auth-'));
    try {
      const cases: [string, string | undefined][] = [
        ['{"OPENAI_API_KEY":"sk-x","tokens":null}', 'apikey'],
        ['{"OPENAI_API_KEY":null,"tokens":{"access_token":"t"}}', 'chatgpt'],
        ['{"auth_mode":"personalAccessToken","OPENAI_API_KEY":null}', 'chatgpt'],
        ['{"auth_mode":"apikey","OPENAI_API_KEY":"sk-x","tokens":{"a":1}}', 'apikey'],
        ['{"OPENAI_API_KEY":null}', undefined],
      ];
      for (const [text, mode] of cases) {
        await fs.writeFile(join(home, 'auth.json'), text);
        expect((await detectAuth(home, undefined)).mode, text).toBe(mode);
      }
      expect((await detectAuth(home, 'chatgpt')).mode).toBe('chatgpt');
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });
});

describe('byte order mark', () => {
  it('keeps a BOM and reverses to the exact bytes', () => {
    const orig = '\uFEFFmodel = "x"\r\n[t]\r\na = 1\r\n';
    const { text } = applyConfigEdits(orig, [{ path: ['chatgpt_base_url'], value: 'u' }], 'a', 'config.toml');
    expect(text).toBe('\uFEFFmodel = "x"\r\n# >>> codex-mitm (managed) >>> approach=a\r\nchatgpt_base_url = "u"\r\n# <<< codex-mitm <<<\r\n[t]\r\na = 1\r\n');
    verifyConfigEdit(orig, text, [{ path: ['chatgpt_base_url'], value: 'u' }], 'config.toml');
  });
});
