// rules/channels.toml is data the verdicts rest on: a misspelt key or a wrong type is refused with
// the file and line, never silently ignored.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChannelRules } from '../../src/channels/rules.js';
import { InputError } from '../../src/model.js';
import { REPO } from '../helpers/run-cli.js';

const TEXT = readFileSync(join(REPO, 'rules', 'channels.toml'), 'utf8');

function refusal(text: string): InputError {
  try {
    parseChannelRules(text, 'rules/channels.toml');
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('parseChannelRules', () => {
  it('accepts the shipped rules', () => {
    const r = parseChannelRules(TEXT, 'rules/channels.toml');
    expect(r.channels.find((c) => c.id === 'responses-websocket')?.ridesOn).toBe('model-api');
    expect(r.channels.find((c) => c.id === 'oauth-login')?.flags).toEqual(['--experimental_issuer']);
    expect(r.tracing.poor_below).toBeLessThan(r.tracing.good_from);
  });

  it('refuses an unknown key with the line it is on', () => {
    const bad = TEXT.replace('id = "model-api"\n', 'id = "model-api"\nmanged_by = ["a"]\n');
    const e = refusal(bad);
    expect(e.oneLine).toMatch(/^rules\/channels\.toml:\d+: \[\[channel\]\] model-api: unknown key "manged_by" \(known: id, name, hosts, /);
    expect(bad.split('\n')[e.line! - 1]).toBe('manged_by = ["a"]');
  });

  it('refuses a wrong type, and a tracing threshold out of range', () => {
    const e = refusal(TEXT.replace(/(id = "analytics"[\s\S]*?)weight = 1/, '$1weight = "1"'));
    expect(e.oneLine).toContain('[[channel]] analytics: "weight" must be a number');
    expect(refusal(TEXT.replace('poor_below = 0.3', 'poor_below = 3')).oneLine).toContain('[tracing]: "poor_below" must be a number from 0 to 1');
  });

  it('refuses an approach table with an unknown key, a wrong type or no label; one label for every reporter', () => {
    expect(refusal(TEXT.replace('[approach.ca]\n', '[approach.ca]\nlabl = "x"\n')).oneLine).toMatch(/^rules\/channels\.toml:\d+: \[approach\.ca\]: unknown key "labl"/);
    expect(refusal(TEXT.replace('cost = 15', 'cost = "15"')).oneLine).toContain('[approach.b]: "cost" must be a number');
    expect(refusal(TEXT.replace(/^label = "point codex.*\n/m, '')).oneLine).toContain('[approach.a]: needs "label"');
    const r = parseChannelRules(TEXT, 'rules/channels.toml');
    expect(r.approaches.ca.label).toContain('CODEX_CA_CERTIFICATE');
  });
});
