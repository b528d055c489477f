// The one result model. Every stage writes into it, every reporter and the patcher read it.
// JSON contract: ../shared/DESIGN.md ("JSON report", schemaVersion 1). Paths are relative to the
// scanned codex-rs root, with `/`; lines are 1-based.

export type Roots = 'webpki' | 'native' | 'native-tls' | 'platform' | 'none';
export type ManifestTable =
  | 'dependencies'
  | 'dev-dependencies'
  | 'build-dependencies'
  | 'workspace.dependencies'
  | `target.${string}.dependencies`
  | `target.${string}.dev-dependencies`
  | `target.${string}.build-dependencies`;

/** Where a finding sits. `crate` is the owning package name ('' when no manifest owns the file). */
export interface Location {
  file: string;
  line: number;
  crate: string;
  /** true when the code can only be test code (cfg(test), tests/, benches/, *_tests.rs, tests.rs). */
  test: boolean;
}

export interface ClientTls {
  useRustls: boolean;
  useNativeTls: boolean;
  /** add_root_certificate(...) somewhere in the chain / on the binding. */
  rootsAdded: boolean;
  /** tls_built_in_root_certs(false) */
  builtInRootsDisabled: boolean;
  /** danger_accept_invalid_certs(true) */
  acceptsInvalidCerts: boolean;
  /** use_preconfigured_tls(...) */
  preconfiguredTls: boolean;
  /** Env vars the added roots come from (e.g. CODEX_CA_CERTIFICATE, SSL_CERT_FILE), when the scan can tell. */
  customCaEnv: string[];
}

export interface ClientSite extends Location {
  /** e.g. `reqwest::Client::builder`, `reqwest::blocking::Client::new`, `reqwest::ClientBuilder::new` */
  constructor: string;
  /** Builder methods seen in the chain, on the same binding, or in helpers the builder passes through. */
  calls: string[];
  tls: ClientTls;
  noProxy: boolean;
  /** `.proxy(...)` was called. */
  proxy: boolean;
  /** Enclosing function name, when inside one. */
  function?: string;
  /** A websocket connection (tokio-tungstenite), not a reqwest client. */
  kind?: 'websocket';
  /** Built only when building the configured client failed (inside `unwrap_or_else(|_| ...)`). */
  fallback?: boolean;
  /** Helper functions the builder was passed through (`fn name(b: ClientBuilder) -> ClientBuilder`). */
  via?: string[];  /** Builder methods applied only under a condition (inside if/match/closure), e.g. no_proxy only in a sandbox. */
  conditionalCalls?: string[];
}

/**
 * A function that builds, returns or holds a client (found by structure: it holds a client site, or
 * returns a type holding a client and calls a factory), with the TLS facts of every site it reaches
 * and of every helper the builder is handed to on the way. Endpoints name the factories nearest to
 * where they are used; their TLS is what the channel verdicts read.
 */
export interface ClientFactory extends Location {
  /** `Type::method` or `function` */
  name: string;
  kind: 'http' | 'websocket';
  /** The client sites it reaches. */
  sites: { file: string; line: number }[];
  /** Builder methods of those sites, of the helpers the builder is handed to, and in its own body. */
  calls: string[];
  conditionalCalls?: string[];
  /** Helpers and factories the builder passes through. */
  via?: string[];
  tls: ClientTls;
  noProxy: boolean;
  proxy: boolean;
  /** What it hands back (the client type named in its return type), when it names one. */
  returns?: string;
  /** Built only as the fallback of a failed build (every site it reaches is a fallback). */
  fallback?: boolean;
  constructor: string;
  /** Its one client site, when that is all it reaches and it sits in the factory itself: reasons cite it. */
  at?: { file: string; line: number };
}

export interface TlsFeature {
  /** Manifest that owns this dependency entry (the member, for inherited entries). */
  manifest: string;
  line: number;
  crate: string;
  /** true for dev-dependencies (cannot reach a shipped binary). */
  test: boolean;
  dependency: string;
  feature: string;
  roots: Roots;
  table: ManifestTable;
  /** The feature (or the entry's version / default-features) comes through `workspace = true`. */
  inherited: boolean;
  /** reqwest's implicit `default-tls` (default features on), not written in any manifest. */
  implicit?: boolean;
  /** Resolved dependency version requirement (from the workspace entry when inherited). */
  version?: string;
  /** Where the feature string literally sits (the workspace root for features inherited from it).
   *  Absent for implicit features. Offsets are UTF-16 code units into the manifest text as read. */
  declared?: { manifest: string; line: number; start: number; end: number };
}

export interface Override {
  /** env var, config key, or a command-line flag (`--upstream-url`) whose default is the URL */
  kind: 'env' | 'config' | 'flag';
  name: string;
  /** config overrides: the key as written in config.toml, when known (`model_providers.<id>.base_url`) */
  path?: string;
  file: string;
  line: number;
}

export interface Endpoint extends Location {
  url: string;
  host: string;
  /** const/static name the URL is bound to, if any. */
  symbol?: string;
  overrides: Override[];
  function?: string;
  /** Paths codex appends to this base (`format!("{base}/wham/usage")`), when the scan can tell. */
  paths?: string[];
  /** Where each of `paths` is appended (the first place per path), and the clients traced from there. */
  pathSites?: { path: string; file: string; line: number; carriers?: { file: string; line: number }[]; factories?: { name: string; file: string; line: number }[] }[];
  /** Client construction sites that carry this endpoint (same function/file, or client factories called where it is used). */
  carriers?: { file: string; line: number }[];
  /** The client factories nearest to where the endpoint is used (see ClientFactory). */
  factories?: { name: string; file: string; line: number }[];
  /** How the carriers were found: where the endpoint is used (`function`: its function, a function
   *  naming its const, or one appending its paths) or only by sharing a file with clients (`file`). */
  trace?: 'function' | 'file';
  /** The carriers were traced from where its paths are appended, not from its own uses. */
  fromPaths?: boolean;
}

export interface EnvVar extends Location {
  name: string;
  /** Read only in debug builds: not a fact of the shipped binary (left out of channels). */
  debugOnly?: boolean;
  /** Read only to hand it to another process's environment: no override of codex's own traffic. */
  forChild?: boolean;
  /** 'literal' or the const name it was read through. */
  via: string;
  /** Enclosing function name, when inside one. */
  function?: string;
}

/** A command-line flag (clap derive) whose value is a URL: an override of kind `flag`. */
export interface CliFlag extends Location {
  /** `--experimental_issuer` */
  name: string;
  /** The field it fills (`issuer_base_url`). */
  field: string;
  /** Hidden from `--help` (`hide = true`). */
  hidden: boolean;
}

export interface ConfigKey extends Location {
  key: string;
  struct: string;
  /** The key as written in config.toml, when the struct's table is known (`model_providers.<id>.base_url`). */
  path?: string;
  /** Rust type of the field as written, e.g. `Option<String>`. */
  type?: string;
}

/**
 * How a user writes config key `name` in config.toml: the top-level key when a field of that name
 * sits at the top level, else the first table path known for it; undefined when none is known.
 */
export function configPathOf(name: string, keys: readonly ConfigKey[]): string | undefined {
  const paths = keys.filter((k) => k.key === name && k.path !== undefined).map((k) => k.path!);
  return paths.includes(name) ? name : paths.sort()[0];
}

export interface CrateDep {
  /** The name the dependency is known under in the manifest (the key). */
  name: string;
  /** The package name (differs with `package = "..."`). */
  package: string;
  table: ManifestTable;
  /** Manifest-relative path resolved to a crate dir relative to root, for path dependencies. */
  path?: string;
  optional?: boolean;
}

export interface CrateInfo {
  name: string;
  /** Manifest path relative to root, e.g. `core/Cargo.toml`. */
  manifest: string;
  /** Crate folder relative to root ('' for the root package). */
  dir: string;
  bins: string[];
  deps: CrateDep[];
}

export interface LockedWebpki {
  /** Locked package that depends on webpki-roots (directly). */
  package: string;
  version: string;
  /** Why it is in the build: the chain from a workspace crate, when known. */
  reason: string;
}

export interface ScanWarning {
  kind: 'syntax' | 'encoding' | 'unreadable' | 'symlink' | 'too-large' | 'manifest' | 'other';
  file?: string;
  line?: number;
  message: string;
}

export interface ScanSummary {
  rustFiles: number;
  manifests: number;
  crates: number;
  clients: number;
  tlsFeatures: number;
  endpoints: number;
  envVars: number;
  configKeys: number;
  channels?: number;
  parseErrors: number;
  warnings: ScanWarning[];
  durationMs: number;
  cached?: number;
}

export type Approach = 'a' | 'b' | 'ca';
export type AuthMode = 'apikey' | 'chatgpt' | 'any';
export type Verdict = 'yes' | 'no' | 'partial' | 'unknown';
export type Platform = 'linux' | 'macos' | 'windows';
export type PlatformVerdicts = Record<Platform, Verdict>;
/** How a channel's carriers were found: traced from where its endpoints are used, only by a shared
 *  file, assumed to be codex's shared client, or not at all. */
export type Trace = 'traced' | 'file' | 'assumed' | 'unknown';

export interface Coverage {
  verdict: Verdict;
  /** Words a user can check: "feature rustls-tls in backend-client/Cargo.toml line 15". */
  reasons: string[];
}

export interface Channel {
  id: string;
  name: string;
  hosts: string[];
  urls: string[];
  overrides: Override[];
  authMode: AuthMode;
  coverage: { a: Verdict; b: Verdict; ca: Verdict };
  /** Per-approach reasons behind `coverage`. */
  why: { a: string[]; b: string[]; ca: string[] };
  /** Effective TLS for the channel's clients: e.g. "native-tls (OS store, SSL_CERT_FILE)". */
  tls: string;
  /** Clients that carry it (file:line of construction sites). */
  clients: { file: string; line: number; crate: string }[];
  /** The client factories that carry it (their TLS is what the verdicts read). */
  factories?: { name: string; file: string; line: number }[];
  evidence: { file: string; line: number }[];
  /** true when no rule in rules/channels.toml matched (named by host). */
  unclassified: boolean;
  /** false for links and identifiers codex shows or compares but never fetches (never a miss). */
  contacted: boolean;
  /**
   * Approach CA in detail: per client that carries the channel, the env vars that make it trust an
   * added CA (`SSL_CERT_FILE@linux`: only where native-tls is OpenSSL). An empty list: none does.
   * Absent when the scan cannot tell (a registry transport, a child process, local traffic).
   */
  caEnv?: string[][];
  /** Approach CA per platform (the summary in `coverage.ca` is `partial` when they differ). */
  platforms?: PlatformVerdicts;
  /** How its carriers were found (see Trace); `unknown` makes the B and CA verdicts `unknown`. */
  trace?: Trace;
}

/** How much of the network surface the scan traced (see channels/tracing.ts). */
export interface Tracing {
  /** Distinct URLs of contacted channels: traced from where they are used, by a shared file only, not at all. */
  endpoints: { total: number; traced: number; file: number; untraced: number };
  /** Production client construction sites, and those whose TLS backend is known. */
  clientSites: { total: number; resolved: number };
  /** Client factories found by structure. */
  factories: number;
  /** Contacted channels by how their carriers were found. */
  channels: { total: number; traced: number; file: number; assumed: number; unknown: number };
  /** `poor`: this codex's client code was not understood; verify is the way to know. */
  level: 'good' | 'partial' | 'poor';
}

export interface Recommendation {
  approach: Approach;
  reason: string;
  misses: string[];
}

/** What the scanned tree can do, derived from facts (never from the version number alone). */
export interface Capabilities {
  version?: string;
  /** `openai_base_url` top-level config key exists. */
  openaiBaseUrlKey: boolean;
  /** `OPENAI_BASE_URL` is still read from the environment. */
  openaiBaseUrlEnv: boolean;
  /** Custom CA env vars read by the shared client builder (CODEX_CA_CERTIFICATE, SSL_CERT_FILE). */
  customCaEnv: string[];
  /** Unified reqwest features of the codex CLI binary. */
  reqwestFeatures: string[];
  /** The CLI binary's reqwest uses native-tls by default (default-tls unified in). */
  nativeTlsDefault: boolean;
  /** Proxy env vars codex reads itself (its own route policy), upper case. */
  proxyEnv?: string[];
  /** The feature that makes codex resolve system / PAC proxy settings per URL, when the tree has it. */
  systemProxy?: { key: string; file: string; line: number };
}

export interface ScanResult {
  schemaVersion: 1;
  tool: { name: 'codex-mitm'; version: string };
  root: string;
  summary: ScanSummary;
  crates: CrateInfo[];
  clients: ClientSite[];
  /** Client factories found by structure (0.143+ trees build every client through them). */
  factories?: ClientFactory[];
  tlsFeatures: TlsFeature[];
  endpoints: Endpoint[];
  envVars: EnvVar[];
  configKeys: ConfigKey[];
  /** Command-line flags that carry a URL (overrides of kind `flag`). */
  flags?: CliFlag[];
  /** Locked packages that pull webpki-roots (when Cargo.lock exists). */
  lockedWebpki?: LockedWebpki[];
  capabilities?: Capabilities;
  tracing?: Tracing;
  channels?: Channel[];
  recommendation?: Recommendation;
}

/** Error for bad input: one line, exit code 2. */
export class InputError extends Error {
  constructor(message: string, public readonly file?: string, public readonly line?: number) {
    super(message);
    this.name = 'InputError';
  }
  get oneLine(): string {
    const where = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${where}${this.message}`.replace(/\s*\n\s*/g, ' ');
  }
}
