// Reads rules/rust.toml and rules/queries/rust-scan.scm and compiles them once (main thread).
import { createHash } from 'node:crypto';
import { rustQuery, rustSchema } from '../../rules/files.js';
import { parseRules, rulesText } from '../../rules/load.js';
import { rulesFromSource, type RustRules, type RustRulesData, type RustRulesSource } from './rules.js';

let cached: RustRules | undefined;

/** rules/rust.toml (a test's text) checked by the rules schema, with the query and their hash. */
export function rulesSource(tomlText: string, query: string): RustRulesSource {
  const data = parseRules(tomlText, 'rules/rust.toml', rustSchema) as RustRulesData;
  const hash = createHash('sha256').update(tomlText).update('\0').update(query).digest('hex');
  return { data, query, hash };
}

export function compileRules(tomlText: string, query: string): RustRules {
  return rulesFromSource(rulesSource(tomlText, query));
}

export function loadRules(): RustRules {
  if (!cached) cached = compileRules(rulesText('rust.toml'), rustQuery());
  return cached;
}
