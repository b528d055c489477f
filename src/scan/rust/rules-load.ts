// Reads rules/rust.toml and rules/queries/rust-scan.scm and compiles them once (main thread).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { InputError } from '../../model.js';
import { rulesFromSource, type RustRules, type RustRulesData, type RustRulesSource } from './rules.js';

const rulesUrl = new URL('../../../rules/rust.toml', import.meta.url);
const queryUrl = new URL('../../../rules/queries/rust-scan.scm', import.meta.url);

let cached: RustRules | undefined;

/** The keys each section of rules/rust.toml may have: a key in the wrong section (or misspelt)
 *  would be read as absent, silently. `*` takes any key (a table of names). */
const SECTIONS: Record<string, readonly string[]> = {
  tree: ['package_prefix'],
  limits: ['max_file_bytes'],
  prefilter: ['tokens', 'word_tokens', 'path_fragment', 'config_token'],
  clients: [
    'constructors', 'builder_types', 'use_rustls', 'use_native_tls', 'roots_added', 'builtin_roots', 'accept_invalid', 'preconfigured',
    'no_proxy', 'proxy', 'known_methods', 'terminal', 'ca_env_pattern', 'ca_config_function_pattern',
  ],
  env: ['read_functions', 'const_name_pattern', 'write_methods', 'map_methods', 'map_types', 'known_names', 'override_name_pattern'],
  literals: ['system_proxy'],
  debug: ['attributes', 'conditions'],
  endpoints: [
    'known_hosts', 'deny_hosts', 'deny_exact_hosts', 'deny_prefixes', 'deny_urls', 'deny_symbol_pattern', 'not_contacted_contexts',
    'identifier_names', 'request_methods', 'dynamic_url_fields', 'browser_functions', 'url_regex', 'config_field_pattern',
  ],
  config: ['structs', 'path_pattern', 'path_deny_pattern', 'field_pattern', 'tables'],
  'config.tables': ['*'],
  tests: ['path_patterns', 'attributes', 'helper_patterns'],
  carriers: ['deny_factory_names'],
  factories: ['client_types', 'websocket_connect', 'websocket_crate', 'websocket_types', 'body_methods', 'max_method_candidates'],
  comparisons: ['methods'],
  flags: ['attributes', 'default_keys', 'url_field_pattern', 'url_value_names'],
};

/** Unknown sections and keys of rules/rust.toml, refused with the line they are on. */
function checkSections(text: string, data: Record<string, unknown>): void {
  const lineOf = (section: string, key?: string): number => {
    const lines = text.split('\n');
    const head = lines.findIndex((l) => l.trim() === `[${section}]`);
    if (!key) return head + 1;
    for (let i = Math.max(0, head + 1); i < lines.length && !lines[i]!.trim().startsWith('['); i++) if (new RegExp(`^\\s*${key}\\s*=`).test(lines[i]!)) return i + 1;
    return head + 1;
  };
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const section = prefix ? `${prefix}.${k}` : k;
      if (!prefix) {
        if (!SECTIONS[k]) throw new InputError(`unknown section [${k}]`, 'rules/rust.toml', lineOf(k) || 1);
        walk(v as Record<string, unknown>, k);
        continue;
      }
      const allowed = SECTIONS[prefix]!;
      if (allowed.includes('*')) continue;
      if (!allowed.includes(k)) throw new InputError(`[${prefix}]: unknown key "${k}"`, 'rules/rust.toml', lineOf(prefix, k));
      if (SECTIONS[section] && v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, section);
    }
  };
  walk(data, '');
}

export function rulesSource(tomlText: string, query: string): RustRulesSource {
  const raw = parse(tomlText) as Record<string, unknown>;
  checkSections(tomlText, raw);
  const data = raw as unknown as RustRulesData;
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
