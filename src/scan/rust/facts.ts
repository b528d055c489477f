// Per-file facts of the Rust scan: what one file says on its own, before any cross-file
// resolution (consts of other files, helper functions, test modules, crates). Plain JSON, so the
// content-hash cache can store it and workers can send it.

/** An override seen next to an endpoint: env read (literal name or a const), a config field, or
 *  the command-line flag whose default the URL is. */
export interface RawOverride {
  kind: 'env' | 'config' | 'flag';
  /** Env var name as written, config field name, or `--flag`. */
  name?: string;
  /** Const the env var name is read through (resolved later). */
  constRef?: string;
  line: number;
}

export interface RawClient {
  line: number;
  /** Built only when building the configured client failed (`unwrap_or_else(|_| Client::new())`). */
  fallback?: boolean;
  constructor: string;
  calls: string[];
  /** Helper functions the builder is passed through, in order. */
  via: string[];
  /** Methods (of `calls`) applied only under a condition (if/match arm/while/closure). */
  condCalls?: string[];
  /** Helpers (of `via`) the builder is handed to only under a condition. */
  condVia?: string[];
  function?: string;
  test: boolean;
}

/** `fn name(.., b: reqwest::ClientBuilder, ..)`: what it does to the builder. */
export interface RawHelper {
  name: string;
  line: number;
  calls: string[];
  /** Helpers it hands the builder on to. */
  via: string[];
  /** Methods (of `calls`) applied only under a condition inside the helper. */
  condCalls?: string[];
  /** Helpers (of `via`) it hands the builder to only under a condition. */
  condVia?: string[];
  test: boolean;
}

export interface RawUrl {
  url: string;
  host: string;
  line: number;
  /** const/static the literal is the value of. */
  symbol?: string;
  function?: string;
  test: boolean;
  overrides: RawOverride[];
}

/** A reference to an UPPER_CASE name at a site that carries overrides (resolved to a const later). */
export interface RawConstRef {
  name: string;
  line: number;
  function?: string;
  test: boolean;
  overrides: RawOverride[];
}

export interface RawEnvRead {
  /** Literal name, when read with a string literal. */
  name?: string;
  /** Read only in debug builds (`#[cfg(debug_assertions)]`, `if cfg!(debug_assertions)`). */
  debugOnly?: boolean;
  /** The value only goes into another process's environment (a sandboxed child's). */
  forChild?: boolean;
  /** Const name it is read through. */
  constRef?: string;
  line: number;
  function?: string;
  test: boolean;
}

export interface RawConst {
  name: string;
  value: string;
  line: number;
  test: boolean;
}

/** `"{base}/wham/usage"`: a path appended to a base URL held elsewhere. */
export interface RawPath {
  path: string;
  line: number;
  function?: string;
  test: boolean;
  /** UPPER_CASE names in the same statement (a base URL const). */
  refs: string[];
  /** `*base_url` names read in the same function (config fields or variables). */
  configNames: string[];
}

/**
 * A call that hands a base URL named like a config key (`chatgpt_base_url`, not the generic
 * `base_url`) to a function or a type's constructor: the path fragments that function (or the
 * file defining that type) appends join the endpoints that key overrides.
 */
export interface RawBaseArg {
  /** the called function or method (last path segment) */
  callee: string;
  /** `Type` of a `Type::f(…)` call */
  type?: string;
  configName: string;
  line: number;
  test: boolean;
}

export interface RawConfigField {
  struct: string;
  key: string;
  line: number;
  type: string;
  test: boolean;
}

export interface RawModDecl {
  name: string;
  /** `#[path = "..."]` value, when given. */
  path?: string;
  test: boolean;
  line: number;
}


/** A function of the file by text (fn-index.ts): what client factories are traced through. */
export interface RawFunction {
  name: string;
  line: number;
  endLine: number;
  /** Self type of the `impl` block it sits in. */
  impl?: string;
  /** Trait of `impl Trait for Type`. */
  trait?: string;
  test: boolean;
  // The lists below are space-separated (one string each: a tree has tens of thousands of
  // functions, and they cross from the workers as plain strings); `words()` splits them.
  /** Type names in the parameters / the return type, with their path when written (`Self` is the impl type). */
  params: string;
  returns: string;
  /** Free and path calls as written (`build_client`, `HttpClientBuilder::new`, `codex_login::f`). */
  calls: string;
  /** Method calls: `name`, or `self.name` on the impl's own value. */
  methods: string;
  /** Functions handed on as values (`f(x, build_with_custom_ca)`): bare lower-case paths in argument position. */
  refs?: string;
  /** UPPER_CASE names it mentions. */
  consts: string;
}

/** The items of a space-separated RawFunction list. */
export function words(s: string | undefined): string[] {
  return s ? s.split(' ') : [];
}

/** A command-line flag (clap derive) whose field carries a URL. */
export interface RawFlag {
  /** `--experimental_issuer` */
  name: string;
  field: string;
  hidden: boolean;
  line: number;
  test: boolean;
}

/** A struct and the type names its fields mention. */
export interface RawStruct {
  name: string;
  line: number;
  fields: string[];
  test: boolean;
}

export interface FileFacts {
  /** Number of ERROR/MISSING nodes. */
  parseErrors: number;
  /** Line of the first syntax error, when any. */
  firstErrorLine?: number;
  /** Not parsed at all: brackets nest deeper than this bound (MAX_NESTING) at firstErrorLine. */
  tooDeep?: number;
  /** Whole file is test-only (`#![cfg(test)]`). */
  fileTest: boolean;
  consts: RawConst[];
  clients: RawClient[];
  helpers: RawHelper[];
  urls: RawUrl[];
  constRefs: RawConstRef[];
  envReads: RawEnvRead[];
  configFields: RawConfigField[];
  modDecls: RawModDecl[];
  paths: RawPath[];
  baseArgs: RawBaseArg[];
  /** Types (`struct`, `enum`) a file with path fragments defines. */
  types?: string[];
  /** UPPER_CASE consts handed to a call that opens the browser (links, when that is their only use). */
  browserRefs?: { name: string; function?: string }[];
  /** clap flags that carry a URL. */
  flags?: RawFlag[];
  /** Known capability literals (rules [literals]). */
  literals?: { value: string; line: number }[];
  /** Functions, structs and `use` map by text (every production file, parsed or not). */
  functions?: RawFunction[];
  structs?: RawStruct[];
  uses?: Record<string, string>;
}

export function emptyFacts(): FileFacts {
  return {
    parseErrors: 0,
    fileTest: false,
    consts: [],
    clients: [],
    helpers: [],
    urls: [],
    constRefs: [],
    envReads: [],
    configFields: [],
    modDecls: [],
    paths: [],
    baseArgs: [],
  };
}
