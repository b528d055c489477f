// Deep nesting costs linear time: a file nested deeper than any real code is not parsed (one
// warning at the line where it gets too deep), and the walks from findings climb a bounded way.
import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/scan/rust/extract.js';
import { loadRules } from '../../src/scan/rust/rules-load.js';
import { MAX_NESTING, tooDeepAt } from '../../src/scan/rust/extract/syntax.js';
import { maskCode } from '../../src/scan/rust/fn-index.js';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE, runCli } from '../helpers/run-cli.js';
import type { ScanResult } from '../../src/model.js';

const rules = loadRules();

describe('deep nesting', () => {
  it('100,000 nested `{` in a 200 KB file: one parse error at the deep line, in well under a second (before: hours)', () => {
    const text = 'fn f() {\n    let c = reqwest::Client::builder().build();\n}\nfn g() {\n' + '{'.repeat(100_000) + '}'.repeat(100_000) + '\n}\n';
    expect(text.length).toBeGreaterThan(200_000);
    const t0 = Date.now();
    const facts = extractFacts(text, 'core/src/deep.rs', rules);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(facts.parseErrors).toBe(1);
    expect(facts.firstErrorLine).toBe(5);
    expect(facts.tooDeep).toBe(MAX_NESTING);
  });

  it('the scan names the reason: nested too deep, not a syntax error (before: "could not parse")', async () => {
    const base = await fs.mkdtemp(join(tmpdir(), 'cm-deep-'));
    await fs.cp(FIXTURE, base, { recursive: true });
    await fs.writeFile(join(base, 'core/src/deep.rs'), 'fn g() {\n    let c = reqwest::Client::builder().build();\n' + '{'.repeat(20_000) + '}'.repeat(20_000) + '\n}\n');
    const r = runCli(['scan', base, '--json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const w = (JSON.parse(r.stdout) as ScanResult).summary.warnings.find((x) => x.file === 'core/src/deep.rs');
    expect(w).toEqual({ kind: 'syntax', file: 'core/src/deep.rs', line: 3, message: `brackets nest deeper than ${MAX_NESTING} levels here (no real code does): the file is not parsed, so nothing in it is found` });
  });

  it('5,000 nested blocks each holding a URL (150 KB): refused as too deep, fast (before: > 5 min)', () => {
    const text = 'fn f() { let c = reqwest::Client::builder().build();\n' + '{ x("https://a.example/"); '.repeat(5000) + '}'.repeat(5000) + '\n}\n';
    const t0 = Date.now();
    const facts = extractFacts(text, 'core/src/deep.rs', rules);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(facts.parseErrors).toBe(1);
  });

  it('nesting just within the bound is analysed, and costs about linear time in the number of findings', () => {
    const n = MAX_NESTING - 8;
    const make = (urls: number) => 'fn f() { let c = reqwest::Client::builder().build();\n' + '{ '.repeat(n) + 'x("https://a.example/"); '.repeat(urls) + '}'.repeat(n) + '\n}\n';
    const time = (urls: number) => {
      const t0 = performance.now();
      const f = extractFacts(make(urls), 'core/src/deep.rs', rules);
      expect(f.parseErrors).toBe(0);
      expect(f.urls.length).toBe(urls);
      return performance.now() - t0;
    };
    time(50); // warm up
    const small = time(200);
    const big = time(800);
    // linear: 4x the findings cost about 4x (not 16x); generous for a loaded machine
    expect(big).toBeLessThan(small * 9 + 200);
  });

  it('brackets in strings, chars and comments do not count', () => {
    const deep = '"' + '{'.repeat(1000) + '"' + " '{' " + '// ' + '('.repeat(1000) + '\n/* ' + '['.repeat(1000) + ' */\n';
    expect(tooDeepAt(maskCode(deep))).toBeUndefined();
    expect(tooDeepAt(maskCode('x\n' + '('.repeat(MAX_NESTING + 1)))).toBe(2);
  });
});
