// The rules module (src/rules): every shipped rules file is checked by its schema; an unknown key
// or a wrong type anywhere is one error naming the file and the line, and a broken rules file
// stops the CLI with exit 2 instead of changing verdicts.
import { cpSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model.js';
import { approachARules, approachASchema, approachBSchema, binaryRules, binarySchema, captureRules, captureSchema, channelsRules, channelsSchema, rustRules, rustSchema, tlsRules, tlsSchema } from '../../src/rules/files.js';
import { parseRules } from '../../src/rules/load.js';
import { lineIndex } from '../../src/rules/locate.js';

const ROOT = resolve(__dirname, '../..');
const FILES = {
  'channels.toml': channelsSchema,
  'rust.toml': rustSchema,
  'tls.toml': tlsSchema,
  'approach-a.toml': approachASchema,
  'approach-b.toml': approachBSchema,
  'capture.toml': captureSchema,
  'binary.toml': binarySchema,
} as const;
const text = (name: string) => readFileSync(join(ROOT, 'rules', name), 'utf8');

function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('the shipped rules', () => {
  it('every file in rules/ has a schema, and each loads through its accessor', () => {
    expect(readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.toml')).sort()).toEqual(Object.keys(FILES).sort());
    expect(channelsRules().channel.length).toBeGreaterThan(10);
    expect(rustRules().tree.cli_package).toBe('codex-cli');
    expect(tlsRules().dependency.some((d) => d.name === 'reqwest')).toBe(true);
    expect(approachARules().model_api.config_key).toBe('openai_base_url');
    expect(captureRules().output.dir).toBeTruthy();
    expect(binaryRules().hosts.domains).toContain('openai.com');
  });

  it('keeps tables in the order the file gives them', () => {
    expect(Object.keys(channelsRules().approach)).toEqual(['a', 'ca', 'b']);
  });
});

describe('a key no schema knows, under any header of any rules file', () => {
  for (const [name, schema] of Object.entries(FILES)) {
    it(`${name}: refused at the line it is on`, () => {
      const lines = text(name).split('\n');
      const headers = lines.flatMap((l, i) => (/^\s*\[/.test(l) ? [i] : []));
      expect(headers.length).toBeGreaterThan(0);
      for (const h of headers) {
        const bad = [...lines.slice(0, h + 1), 'bogus_key = 1', ...lines.slice(h + 1)].join('\n');
        const e = refusal(() => parseRules(bad, `rules/${name}`, schema));
        expect(e.file, lines[h]).toBe(`rules/${name}`);
        expect(e.line, `${lines[h]}: ${e.message}`).toBe(h + 2);
        expect(e.message, lines[h]).toMatch(/unknown key "bogus_key"|"bogus_key" must be/);
      }
    });
  }
});

describe('wrong values', () => {
  it('a wrong type names the table, the key and the line', () => {
    const t = text('approach-a.toml');
    const bad = t.replace(/^model = 8080$/m, 'model = "8080"');
    const e = refusal(() => parseRules(bad, 'rules/approach-a.toml', approachASchema));
    expect(e.oneLine).toBe(`rules/approach-a.toml:${bad.split('\n').indexOf('model = "8080"') + 1}: [ports]: "model" must be an integer from 1 to 65535`);
  });

  it('a list item of the wrong type is named by its position, in the nth array-of-tables entry', () => {
    const t = text('channels.toml');
    const bad = t.replace('hosts = ["api.openai.com"]', 'hosts = ["api.openai.com", 7]');
    const e = refusal(() => parseRules(bad, 'rules/channels.toml', channelsSchema));
    expect(e.message).toMatch(/^\[\[channel\]\] [a-z-]+: "hosts" item 2 must be a string$/);
    expect(bad.split('\n')[e.line! - 1]).toContain('hosts = ["api.openai.com", 7]');
  });

  it('a value out of its set, a bad regular expression, a missing key', () => {
    const tls = text('tls.toml').replace('roots = "webpki"', 'roots = "mozilla"');
    expect(refusal(() => parseRules(tls, 'rules/tls.toml', tlsSchema)).message).toMatch(/^\[\[dependency\]\] reqwest features\.[a-z-]+: "roots" must be one of "webpki", "native"/);
    const cap = text('capture.toml').replace("'sk-[A-Za-z0-9_-]{16,}'", "'sk-[A-Z'");
    expect(refusal(() => parseRules(cap, 'rules/capture.toml', captureSchema)).message).toMatch(/^\[redact\]: "values" item 1 is not a valid regular expression/);
    const rust = text('rust.toml').replace(/^cli_package = .*\n/m, '');
    expect(refusal(() => parseRules(rust, 'rules/rust.toml', rustSchema)).oneLine).toBe(`rules/rust.toml:${text('rust.toml').split('\n').indexOf('[tree]') + 1}: [tree]: needs "cli_package"`);
  });

  it('broken TOML is one line with the line number', () => {
    const e = refusal(() => parseRules('[a]\nx = = 1\n', 'rules/x.toml', binarySchema));
    expect(e.oneLine).toMatch(/^rules\/x\.toml:2: invalid TOML/);
  });
});

describe('lineIndex', () => {
  it('finds keys in arrays of tables and their sub-tables, past multi-line arrays and strings', () => {
    const t = ['[[dep]]', 'name = "a"', 'list = [', '  "x = 1",', ']', 's = """', 'y = 2', '"""', '[dep.features]', 'f = { roots = "x" }', '[[dep]]', 'name = "b"', '[dep.features]', 'g = 1', '[other]', 'k.l = 3'].join('\n');
    const at = lineIndex(t);
    expect(at(['dep', 0, 'name'])).toBe(2);
    expect(at(['dep', 0, 'list'])).toBe(3);
    expect(at(['dep', 0, 'list', 0])).toBe(4);
    expect(at(['dep', 0, 'features', 'f', 'roots'])).toBe(10);
    expect(at(['dep', 1, 'name'])).toBe(12);
    expect(at(['dep', 1, 'features', 'g'])).toBe(14);
    expect(at(['dep', 0, 'y'])).toBe(1); // inside a string: not a key, falls back to the header
    expect(at(['other', 'k', 'l'])).toBe(16);
  });
});

describe('the CLI with a broken rules file', () => {
  it('a misspelt channel key stops scan with exit 2, naming the file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-rules-'));
    for (const d of ['dist', 'rules', 'bin', 'fixtures']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const rules = join(dir, 'rules/channels.toml');
    const original = readFileSync(rules, 'utf8');
    const bad = original.replace(/^managed_by = /m, 'manged_by = ');
    writeFileSync(rules, bad);
    const r = spawnSync(process.execPath, [join(dir, 'bin/codex-mitm.js'), 'scan', join(dir, 'fixtures/codex-rs'), '--no-cache'], { encoding: 'utf8', env: { ...process.env, CODEX_MITM_CACHE_DIR: join(dir, 'cache'), XDG_CACHE_HOME: join(dir, 'cache') } });
    expect(r.status, r.stdout).toBe(2);
    const line = bad.split('\n').findIndex((l) => l.startsWith('manged_by = ')) + 1;
    expect(r.stderr).toMatch(new RegExp(`^codex-mitm: rules/channels\\.toml:${line}: \\[\\[channel\\]\\] [a-z-]+: unknown key "manged_by"`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
