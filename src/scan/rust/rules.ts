// The Rust scan's rules (rules/rust.toml and rules/queries/rust-scan.scm, data not code) compiled
// into sets and regexes. Reading the TOML is rules-load.ts's job, so that worker threads, which get
// the parsed data from the main thread, never load a TOML parser.
import type { RustDoc } from '../../rules/files.js';

/** rules/rust.toml as the rules schema checks it (src/rules/files.ts). */
export type RustRulesData = RustDoc;

export interface RustRules {
  data: RustRulesData;
  query: string;
  /** sha256 of the rules text and the query: part of the cache key. */
  hash: string;
  /** Substrings any one of which makes a file worth a parse (tokens + known hosts). */
  prefilterTokens: string[];
  /** Tokens that count only at a word start. */
  prefilterWords: RegExp[];
  /** Any token, word token, `}/` or the config token: the first, byte-level pass (mayNeedParse). */
  prefilterAny: RegExp;
  /** One pass for needsParse's first three tests: a token, a word token, a path fragment. */
  parseAny: RegExp;
  /** `#[arg(` / `#[clap(` at the start of an attribute item, and a default key inside it. */
  flagAttr: RegExp;
  flagDefault: RegExp;
  pathFragment: RegExp;
  constructors: Set<string>;
  builderTypes: Set<string>;
  terminal: Set<string>;
  caEnv: RegExp;
  /** Functions that build a TLS config holding the custom CA. */
  caConfigFunction: RegExp;
  readFunctions: Set<string>;
  envConst: RegExp;
  writeMethods: Set<string>;
  /** Map lookups: a method call naming an env var as a key reads no environment. */
  mapMethods: Set<string>;
  /** Parameter types that make a wrapper's env-var const a map key, not an env read. */
  mapTypes: RegExp;
  /** Env names that are reads wherever they are handed to a call as a literal. */
  knownEnvNames: Set<string>;
  /** clap flags that carry a URL. */
  flagRules: { urlField: RegExp; urlValues: ReadonlySet<string>; literals: readonly string[] };
  debugAttrs: RegExp[];
  debugConditions: string[];
  overrideName: RegExp;
  url: RegExp;
  /** Where a URL or a known bare host may start in a file's text. */
  urlAnchor: RegExp;
  /** UPPER_CASE identifiers named like env var consts, anywhere in a file's text. */
  envConstAnchor: RegExp;
  /** const names whose string is a message for people (links in it are not endpoints). */
  denySymbol: RegExp;
  /** String texts (a CSP header, HTML) whose URLs a browser fetches, not codex. */
  notContacted: RegExp[];
  /** Names (call, binding, key) that make a URL an identifier sent as a value. */
  identifierName: RegExp;
  /** Calls that open a URL in the user's browser. */
  browserFunctions: Set<string>;
  /** Request methods, and the field names that make their URL one the server handed out. */
  requestMethods: Set<string>;
  dynamicUrlField: RegExp;
  configField: RegExp;
  knownHosts: string[];
  denyHosts: string[];
  denyExact: Set<string>;
  denyPrefixes: string[];
  denyUrls: Set<string>;
  configStructs: Set<string>;
  /** Factory names too generic to resolve calls by (carriers.deny_factory_names). */
  denyFactories: ReadonlySet<string>;
  configPath: RegExp;
  configPathDeny: RegExp;
  configFieldName: RegExp;
  testPaths: RegExp[];
  testAttrs: RegExp[];
  /** Where an attribute that may be a test attribute starts (`#[` + the first word of a tests.attributes pattern). */
  testAttrAnchor: RegExp;
  /** Text-only pass: a no-argument client constructor, written with or without its module path. */
  lightClient: RegExp;
  /** Type names of those constructors (a line without one holds none). */
  lightClientTypes: string[];
  /** Functions a builder is handed to that mark the client as test tooling. */
  testHelpers: RegExp[];
}

/** `#[` or `#![`, then any path, then the leading word of one of the attribute patterns (`^(tokio::)?test\b` -> test). */
function attrAnchor(patterns: string[]): RegExp {
  const words = patterns.map((p) => /[A-Za-z_][A-Za-z0-9_]*/.exec(p.replace(/^\^/, '').replace(/\([^()]*\)\?/g, ''))?.[0]).filter((w): w is string => Boolean(w));
  return new RegExp(`#!?\\[\\s*(?:[A-Za-z_][A-Za-z0-9_]*\\s*::\\s*)*(?:${[...new Set(words)].join('|') || '(?!)'})\\b`, 'g');
}

/** The constructors of the form `crate::…::Type::method` (module path optional when written). */
function lightClients(constructors: string[]): { lightClient: RegExp; lightClientTypes: string[] } {
  const typed = constructors.map((c) => c.split('::')).filter((seg) => seg.length >= 3 && /^[A-Z]/.test(seg[seg.length - 2]!));
  const alternatives = new Set(typed.map((seg) => seg.slice(-2).map(escapeRe).join('\\s*::\\s*')));
  const modules = [...new Set(typed.flatMap((seg) => seg.slice(0, -2)))];
  const prefix = modules.map((m) => `(?:${escapeRe(m)}\\s*::\\s*)?`).join('');
  return {
    lightClient: new RegExp(`\\b(${prefix}(?:${[...alternatives].join('|') || '(?!)'}))\\s*\\(\\s*\\)`, 'g'),
    lightClientTypes: [...new Set(typed.map((seg) => seg[seg.length - 2]!))],
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What a worker thread needs to rebuild the rules: plain data, structured-clone safe. */
export interface RustRulesSource {
  data: RustRulesData;
  query: string;
  hash: string;
}

export function rulesFromSource({ data, query, hash }: RustRulesSource): RustRules {
  return {
    data,
    query,
    hash,
    prefilterTokens: [...data.prefilter.tokens, ...data.endpoints.known_hosts],
    pathFragment: new RegExp(data.prefilter.path_fragment),
    prefilterWords: data.prefilter.word_tokens.map((w) => new RegExp(`(?<![A-Za-z0-9_])${escapeRe(w)}`)),
    flagAttr: new RegExp(`^#\\[\\s*(?:${(data.flags?.attributes ?? []).map(escapeRe).join('|') || '(?!)'})\\s*\\(`),
    flagDefault: new RegExp(`\\b(?:${(data.flags?.default_keys ?? []).map(escapeRe).join('|') || '(?!)'})\\s*=`),
    parseAny: new RegExp(
      [
        ...[...data.prefilter.tokens, ...data.endpoints.known_hosts].map(escapeRe),
        ...data.prefilter.word_tokens.map((w) => `(?<![A-Za-z0-9_])${escapeRe(w)}`),
        data.prefilter.path_fragment,
      ].join('|'),
    ),
    prefilterAny: new RegExp(
      [...data.prefilter.tokens, ...data.endpoints.known_hosts, ...data.prefilter.word_tokens, '}/', data.prefilter.config_token].map(escapeRe).join('|'),
    ),
    constructors: new Set(data.clients.constructors),
    builderTypes: new Set(data.clients.builder_types),
    terminal: new Set(data.clients.terminal),
    caEnv: new RegExp(data.clients.ca_env_pattern),
    caConfigFunction: new RegExp(data.clients.ca_config_function_pattern ?? '(?!)'),
    readFunctions: new Set(data.env.read_functions),
    envConst: new RegExp(data.env.const_name_pattern),
    writeMethods: new Set(data.env.write_methods),
    mapMethods: new Set(data.env.map_methods ?? []),
    mapTypes: new RegExp(data.env.map_types ?? '(?!)'),
    knownEnvNames: new Set(data.env.known_names ?? []),
    flagRules: {
      urlField: new RegExp(data.flags?.url_field_pattern ?? '(?!)'),
      urlValues: new Set(data.flags?.url_value_names ?? []),
      literals: Object.values(data.literals ?? {}).filter((v): v is string => typeof v === 'string'),
    },
    debugAttrs: (data.debug?.attributes ?? []).map((p) => new RegExp(p)),
    debugConditions: data.debug?.conditions ?? [],
    overrideName: new RegExp(data.env.override_name_pattern),
    url: new RegExp(data.endpoints.url_regex, 'g'),
    urlAnchor: new RegExp(['https?://', 'wss?://', ...data.endpoints.known_hosts.map(escapeRe)].join('|'), 'g'),
    envConstAnchor: new RegExp(`\\b[A-Z][A-Z0-9_]*?(?:${data.env.const_name_pattern.replace(/\$$/, '')})\\b`, 'g'),
    denySymbol: new RegExp(data.endpoints.deny_symbol_pattern),
    notContacted: (data.endpoints.not_contacted_contexts ?? []).map((p) => new RegExp(p, 'i')),
    identifierName: new RegExp(data.endpoints.identifier_names ?? '(?!)'),
    browserFunctions: new Set(data.endpoints.browser_functions ?? []),
    requestMethods: new Set(data.endpoints.request_methods ?? []),
    dynamicUrlField: new RegExp(data.endpoints.dynamic_url_fields ?? '(?!)'),
    configField: new RegExp(data.endpoints.config_field_pattern),
    knownHosts: data.endpoints.known_hosts,
    denyHosts: data.endpoints.deny_hosts.map((h) => h.toLowerCase()),
    denyExact: new Set(data.endpoints.deny_exact_hosts.map((h) => h.toLowerCase())),
    denyPrefixes: data.endpoints.deny_prefixes,
    denyUrls: new Set(data.endpoints.deny_urls),
    configStructs: new Set(data.config.structs),
    denyFactories: new Set(data.carriers?.deny_factory_names ?? []),
    configPath: new RegExp(data.config.path_pattern),
    configPathDeny: new RegExp(data.config.path_deny_pattern),
    configFieldName: new RegExp(data.config.field_pattern, 'i'),
    testPaths: data.tests.path_patterns.map((p) => new RegExp(p)),
    testAttrs: data.tests.attributes.map((p) => new RegExp(p)),
    testAttrAnchor: attrAnchor(data.tests.attributes),
    ...lightClients(data.clients.constructors),
    testHelpers: (data.tests.helper_patterns ?? []).map((p) => new RegExp(p)),
  };
}

/** true when the host (lowercase, no port) is one codex never contacts (docs, examples, schemas). */
export function deniedUrl(rules: RustRules, url: string, host: string): boolean {
  if (rules.denyExact.has(host) || rules.denyUrls.has(url.replace(/\/$/, ''))) return true;
  for (const d of rules.denyHosts) if (host === d || host.endsWith(`.${d}`)) return true;
  for (const p of rules.denyPrefixes) if (url.startsWith(p)) return true;
  return false;
}
