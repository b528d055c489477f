// The schema of every rules file, and the one place the code reads them: each accessor loads its
// file once and hands out the checked, typed document. Derived views (compiled regexes, maps)
// live with the stage that uses them, built from these.
import { loadRules, rulesText } from './load.js';
import { bool, list, matching, num, oneOf, optional, pattern, record, str, table, type Infer } from './schema.js';

/** `enables` entries of rules/tls.toml: crate@line/feature. */
export const ENABLES = /^([^@/]+)@([^/]+)\/(.+)$/;

const strs = () => list(str());
const verdict = oneOf(['yes', 'partial', 'no', 'unknown'] as const);
const approachId = oneOf(['a', 'b', 'ca'] as const);

// rules/channels.toml
const channelSchema = table({
  id: str({ nonEmpty: true }),
  name: str({ nonEmpty: true }),
  hosts: optional(strs()),
  paths: optional(strs()),
  exact_paths: optional(strs()),
  exact_paths_by_host: optional(record(strs())),
  ports: optional(list(num({ integer: true, min: 1, max: 65535 }))),
  env: optional(strs()),
  config: optional(strs()),
  flags: optional(strs()),
  auth: optional(oneOf(['any', 'apikey', 'chatgpt'] as const)),
  weight: optional(num({ min: 0 })),
  transport: optional(str()),
  managed_by: optional(list(approachId)),
  contacted: optional(bool()),
  crates: optional(strs()),
  files: optional(strs()),
  shared: optional(bool()),
  websocket: optional(bool()),
  rides_on: optional(str()),
});
const approachSchema = table({
  name: str({ nonEmpty: true }),
  label: str({ nonEmpty: true }),
  cost: num({ min: 0 }),
  plain: optional(str()),
  next: optional(strs()),
  sets: optional(strs()),
});
const share = () => num({ min: 0, max: 1 });
export const channelsSchema = table({
  channel: list(channelSchema, { nonEmpty: true }),
  transport: record(table({ b: verdict, ca: verdict, note: str() })),
  local: table({ hosts: strs() }),
  approach: table({ a: approachSchema, b: approachSchema, ca: approachSchema }),
  tracing: optional(table({ good_from: optional(share()), poor_below: optional(share()), poor_unknown_above: optional(share()) })),
  scoring: table({ yes: num(), partial: num(), unknown: num(), no: num() }),
});
export type ChannelsDoc = Infer<typeof channelsSchema>;
export const channelsRules = (): ChannelsDoc => loadRules('channels.toml', channelsSchema);

// rules/rust.toml (the data is sent to the scan's worker threads as it is)
export const rustSchema = table({
  tree: table({ package_prefix: str({ nonEmpty: true }), cli_package: str({ nonEmpty: true }), source_repo: matching(/^(https?|ssh|git|file):\/\/\S+$/, 'a repository URL') }),
  limits: table({ max_file_bytes: num({ integer: true, min: 1 }) }),
  prefilter: table({ tokens: strs(), word_tokens: strs(), path_fragment: pattern(), config_token: str() }),
  clients: table({
    constructors: strs(),
    builder_types: strs(),
    use_rustls: strs(),
    use_native_tls: strs(),
    roots_added: strs(),
    builtin_roots: strs(),
    accept_invalid: strs(),
    preconfigured: strs(),
    no_proxy: strs(),
    proxy: strs(),
    known_methods: strs(),
    terminal: strs(),
    ca_env_pattern: pattern(),
    ca_config_function_pattern: optional(pattern()),
  }),
  env: table({
    read_functions: strs(),
    const_name_pattern: pattern(),
    write_methods: strs(),
    map_methods: optional(strs()),
    map_types: optional(pattern()),
    known_names: optional(strs()),
    override_name_pattern: pattern(),
  }),
  literals: optional(table({ system_proxy: optional(str()) })),
  debug: optional(table({ attributes: list(pattern()), conditions: strs() })),
  endpoints: table({
    known_hosts: strs(),
    deny_hosts: strs(),
    deny_exact_hosts: strs(),
    deny_prefixes: strs(),
    deny_urls: strs(),
    deny_symbol_pattern: pattern(),
    not_contacted_contexts: optional(list(pattern())),
    identifier_names: optional(pattern()),
    request_methods: optional(strs()),
    dynamic_url_fields: optional(pattern()),
    browser_functions: optional(strs()),
    url_regex: pattern(),
    config_field_pattern: pattern(),
  }),
  config: table({
    structs: strs(),
    path_pattern: pattern(),
    path_deny_pattern: pattern(),
    field_pattern: pattern(),
    tables: optional(record(str())),
  }),
  tests: table({ path_patterns: list(pattern()), attributes: list(pattern()), helper_patterns: optional(list(pattern())), attribute_anchor: optional(str()) }),
  carriers: optional(table({ deny_factory_names: strs() })),
  factories: optional(
    table({
      client_types: strs(),
      websocket_connect: strs(),
      websocket_crate: str(),
      websocket_types: strs(),
      body_methods: strs(),
      max_method_candidates: num({ integer: true, min: 1 }),
    }),
  ),
  comparisons: optional(table({ methods: strs() })),
  flags: optional(table({ attributes: strs(), default_keys: strs(), url_field_pattern: optional(pattern()), url_value_names: optional(strs()) })),
});
export type RustDoc = Infer<typeof rustSchema>;
export const rustRules = (): RustDoc => loadRules('rust.toml', rustSchema);
/** The tree-sitter query the Rust scan runs (rules/queries/rust-scan.scm). */
export const rustQuery = (): string => rulesText('queries/rust-scan.scm');

// rules/tls.toml
export const tlsSchema = table({
  dependency: list(
    table({
      name: str({ nonEmpty: true }),
      versions: optional(strs()),
      implicit: optional(strs()),
      network: optional(bool()),
      note: optional(str()),
      features: optional(
        record(
          table({
            roots: oneOf(['webpki', 'native', 'native-tls', 'platform', 'none'] as const),
            note: optional(str()),
            enables: optional(list(matching(ENABLES, 'crate@line/feature'))),
          }),
        ),
      ),
    }),
    { nonEmpty: true },
  ),
});
export type TlsDoc = Infer<typeof tlsSchema>;
export const tlsRules = (): TlsDoc => loadRules('tls.toml', tlsSchema);

// rules/approach-a.toml (approach A and the CA route: patch, verify and capture read it)
const reverseSchema = table({ id: str({ nonEmpty: true }), upstream: matching(/^https?:\/\/[^\s/]+\/$/, 'an origin URL ending in /'), port: oneOf(['model', 'backend'] as const), auth: list(oneOf(['apikey', 'chatgpt'] as const)), flow: str({ nonEmpty: true }) });
export const approachASchema = table({
  files: table({ env_file: str(), flows_dir: str(), state_dir: str(), config: str(), auth: str(), max_bytes: optional(num({ integer: true, min: 1 })) }),
  block: table({ start: str({ nonEmpty: true }), end: str({ nonEmpty: true }), was: str({ nonEmpty: true }) }),
  model_api: table({
    config_key: str(),
    config_key_since: str(),
    env_var: str(),
    env_deprecated_since: str(),
    env_dropped_in: str(),
    apikey_path: str(),
    chatgpt_path: str(),
  }),
  backend: table({ config_key: str(), path: str(), profile_table: str(), profile_selector: str() }),
  ca: table({
    ca_env: str(),
    ca_env_since: str(),
    fallback_env: str(),
    proxy_env: strs(),
    child_ca_env: optional(strs()),
    no_proxy_env: strs(),
    no_proxy: str(),
    inherited_note: optional(str()),
    default_ca: str(),
  }),
  ports: table({ model: num({ integer: true, min: 1, max: 65535 }), backend: num({ integer: true, min: 1, max: 65535 }), proxy: num({ integer: true, min: 1, max: 65535 }), loopback: strs() }),
  reverse: list(reverseSchema, { nonEmpty: true }),
  forward: table({ id: str(), flow: str() }),
  auth: table({ apikey_modes: strs(), chatgpt_modes: strs() }),
  direct: optional(list(table({ since: str({ nonEmpty: true }), host: str({ nonEmpty: true }), what: str({ nonEmpty: true }) }))),
});
export type ApproachADoc = Infer<typeof approachASchema>;
export const approachARules = (): ApproachADoc => loadRules('approach-a.toml', approachASchema);

// rules/approach-b.toml
export const approachBSchema = table({
  switch: list(
    table({
      id: str({ nonEmpty: true }),
      dependency: str({ nonEmpty: true }),
      versions: optional(str()),
      from: str({ nonEmpty: true }),
      to: str({ nonEmpty: true }),
      why: str({ nonEmpty: true }),
      locked: optional(list(str({ nonEmpty: true }))),
    }),
  ),
  ca: table({ file: str({ nonEmpty: true }) }),
  store: record(table({ name: str({ nonEmpty: true }), match: optional(strs()), commands: strs() })),
  proxy: table({ mitmdump: str({ nonEmpty: true }), env: str({ nonEmpty: true }), build: str({ nonEmpty: true }), flow: optional(str({ nonEmpty: true })) }),
});
export type ApproachBDoc = Infer<typeof approachBSchema>;

// rules/capture.toml
export const captureSchema = table({
  redact: table({ headers: strs(), keys: strs(), values: list(pattern()), placeholder: str() }),
  config: table({ drop: strs() }),
  output: table({ dir: str({ nonEmpty: true }) }),
});
export type CaptureDoc = Infer<typeof captureSchema>;
export const captureRules = (): CaptureDoc => loadRules('capture.toml', captureSchema);

// rules/binary.toml
export const binarySchema = table({
  hosts: table({ domains: strs(), tlds: strs(), ignore: strs() }),
  strings: optional(table({ min_run: optional(num({ integer: true, min: 1 })), split_camel: optional(bool()) })),
});
export type BinaryDoc = Infer<typeof binarySchema>;
export const binaryRules = (): BinaryDoc => loadRules('binary.toml', binarySchema);
