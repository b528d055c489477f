// rules/rust.toml: a key in the wrong section or misspelt is refused with its line, not read as absent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model.js';
import { compileRules } from '../../src/scan/rust/rules-load.js';
import { REPO } from '../helpers/run-cli.js';

const TEXT = readFileSync(join(REPO, 'rules', 'rust.toml'), 'utf8');

function refusal(text: string): InputError {
  try {
    compileRules(text, '');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('rules/rust.toml', () => {
  it('compiles as shipped', () => {
    const r = compileRules(TEXT, '');
    expect(r.overrideName.test('CODEX_REFRESH_TOKEN_URL_OVERRIDE')).toBe(true);
    // the pattern is the env section's own, not an empty regex that matches everything
    expect(r.overrideName.test('CODEX_HOME')).toBe(false);
  });

  it('refuses a key that landed in another section, naming the line', () => {
    const bad = TEXT.replace('[debug]\n', '[debug]\noverride_name_pattern = "URL"\n');
    const e = refusal(bad);
    expect(e.oneLine).toMatch(/^rules\/rust\.toml:\d+: \[debug\]: unknown key "override_name_pattern" \(known: attributes, conditions\)$/);
    expect(bad.split('\n')[e.line! - 1]).toBe('override_name_pattern = "URL"');
  });

  it('refuses an unknown section', () => {
    expect(refusal(`${TEXT}\n[clientz]\nx = 1\n`).oneLine).toContain('unknown section [clientz]');
  });
});
