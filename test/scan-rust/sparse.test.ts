// Parsing only the items that can hold findings must give the same facts as parsing everything.
import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/scan/rust/extract.js';
import { loadRules } from '../../src/scan/rust/rules-load.js';
import { sparseRanges } from '../../src/scan/rust/sparse.js';

const filler = (i: number): string => `/// Filler ${i}.\n#[inline]\npub fn filler_${i}(x: u32) -> u32 {\n    let y = x + ${i};\n    y * 2\n}\n`;

function bigFile(): string {
  const parts: string[] = [
    'use std::collections::HashMap;',
    'use reqwest::Client as Http;',
    '',
    'pub const FAR_URL: &str = "https://far.demo-host.dev/api";',
    'const TOKEN_ENV_VAR: &str = "DEMO_TOKEN";',
    '',
  ];
  for (let i = 0; i < 150; i++) parts.push(filler(i));
  parts.push(
    'pub struct Cfg { pub demo_base_url: Option<String> }',
    '',
    'impl Cfg {',
    '    pub fn url(&self) -> String {',
    '        self.demo_base_url.clone().unwrap_or_else(|| FAR_URL.to_string())',
    '    }',
    '    pub fn token(&self) -> Option<String> {',
    '        std::env::var(TOKEN_ENV_VAR).ok()',
    '    }',
    '}',
    '',
  );
  for (let i = 150; i < 300; i++) parts.push(filler(i));
  parts.push(
    'pub fn client() -> Http {',
    '    let b = Http::builder();',
    '    let b = b.no_proxy();',
    '    b.build().unwrap()',
    '}',
    '',
    '#[cfg(test)]',
    'fn only_tests() -> &\'static str { "https://t.demo-host.dev" }',
    '',
  );
  return parts.join('\n');
}

describe('sparse parsing', () => {
  it('reads only a small part of a big file and finds exactly what a full parse finds', () => {
    const rules = loadRules();
    const text = bigFile();
    const ranges = sparseRanges('demo/src/lib.rs', text, rules, ['FAR_URL']);
    expect(ranges).toBeDefined();
    const covered = ranges!.reduce((n, r) => n + r.endIndex - r.startIndex, 0);
    expect(covered).toBeLessThan(text.length / 4);
    const sparse = extractFacts(text, 'demo/src/lib.rs', rules, ranges);
    const full = extractFacts(text, 'demo/src/lib.rs', rules);
    expect(sparse).toEqual(full);
    // and the facts are the expected ones, at their lines in the whole file
    expect(full.urls.map((u) => `${u.line} ${u.url} ${u.test}`)).toEqual([
      '4 https://far.demo-host.dev/api false',
      `${text.split('\n').findIndex((l) => l.includes('https://t.demo-host.dev')) + 1} https://t.demo-host.dev true`,
    ]);
    expect(full.constRefs.map((r) => `${r.name} ${r.overrides.map((o) => o.name).join()}`)).toEqual(['FAR_URL demo_base_url']);
    expect(full.envReads.map((e) => e.constRef)).toEqual(['TOKEN_ENV_VAR']);
    expect(full.clients.map((c) => `${c.constructor} ${c.calls.join()}`)).toEqual(['reqwest::Client::builder no_proxy']);
  });

  it('leaves small files whole', () => {
    expect(sparseRanges('a.rs', 'fn a() {}\nfn b() {}\nfn c() {}\n', loadRules(), [])).toBeUndefined();
  });
});
