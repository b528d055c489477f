// Reads rules/rust.toml and rules/queries/rust-scan.scm and compiles them once (main thread).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { rulesFromSource, type RustRules, type RustRulesData, type RustRulesSource } from './rules.js';

const rulesUrl = new URL('../../../rules/rust.toml', import.meta.url);
const queryUrl = new URL('../../../rules/queries/rust-scan.scm', import.meta.url);

let cached: RustRules | undefined;

export function rulesSource(tomlText: string, query: string): RustRulesSource {
  const data = parse(tomlText) as unknown as RustRulesData;
  const hash = createHash('sha256').update(tomlText).update('\0').update(query).digest('hex');
  return { data, query, hash };
}

export function compileRules(tomlText: string, query: string): RustRules {
  return rulesFromSource(rulesSource(tomlText, query));
}

export function loadRules(): RustRules {
  if (!cached) cached = compileRules(readFileSync(rulesUrl, 'utf8'), readFileSync(queryUrl, 'utf8'));
  return cached;
}
