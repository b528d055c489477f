// What verify needs from rules/approach-a.toml: config keys, env names, version thresholds and the
// upstreams the reverse listeners stand in for.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { InputError } from '../model.js';

export interface StandInRule {
  /** Listener name (the [[reverse]] id). */
  name: string;
  /** Upstream origin it stands in for, e.g. https://api.openai.com */
  upstream: string;
  /** Path of the base URL codex gets, e.g. /v1 or /backend-api/ */
  basePath: string;
  /** Config key that points codex at it (top level, and in profiles). */
  configKey: string;
  /** Env var that does the same, when there is one. */
  envVar?: string;
}

export interface VerifyRules {
  model: StandInRule & { configKeySince: string; envDroppedIn: string };
  backend: StandInRule;
  caEnv: string;
  fallbackCaEnv: string;
  /** CA variables of the programs codex starts (git). */
  childCaEnv: string[];
  caEnvSince: string;
  proxyEnv: string[];
  noProxyEnv: string[];
  noProxy: string;
  profileTable: string;
  profileSelector: string;
}

const RULES = new URL('../../rules/approach-a.toml', import.meta.url);

type Table = Record<string, unknown>;

function str(table: Table | undefined, key: string, where: string): string {
  const value = table?.[key];
  if (typeof value !== 'string') throw new InputError(`missing string ${where}.${key}`, fileURLToPath(RULES));
  return value;
}

function strs(table: Table | undefined, key: string, where: string): string[] {
  const value = table?.[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InputError(`missing string list ${where}.${key}`, fileURLToPath(RULES));
  }
  return value as string[];
}

function origin(url: string): string {
  return new URL(url).origin;
}

let cached: VerifyRules | undefined;

export function loadVerifyRules(): VerifyRules {
  if (cached) return cached;
  const doc = parse(readFileSync(RULES, 'utf8')) as Table;
  const model = doc.model_api as Table | undefined;
  const backend = doc.backend as Table | undefined;
  const ca = doc.ca as Table | undefined;
  const reverse = (doc.reverse as Table[] | undefined) ?? [];
  const byPort = (port: string): Table => {
    const entry = reverse.find((r) => r.port === port);
    if (!entry) throw new InputError(`no [[reverse]] entry with port = "${port}"`, fileURLToPath(RULES));
    return entry;
  };
  const modelEntry = byPort('model');
  const backendEntry = byPort('backend');
  cached = {
    model: {
      name: str(modelEntry, 'id', 'reverse'),
      upstream: origin(str(modelEntry, 'upstream', 'reverse')),
      basePath: str(model, 'apikey_path', 'model_api'),
      configKey: str(model, 'config_key', 'model_api'),
      envVar: str(model, 'env_var', 'model_api'),
      configKeySince: str(model, 'config_key_since', 'model_api'),
      envDroppedIn: str(model, 'env_dropped_in', 'model_api'),
    },
    backend: {
      name: str(backendEntry, 'id', 'reverse'),
      upstream: origin(str(backendEntry, 'upstream', 'reverse')),
      basePath: str(backend, 'path', 'backend'),
      configKey: str(backend, 'config_key', 'backend'),
    },
    caEnv: str(ca, 'ca_env', 'ca'),
    fallbackCaEnv: str(ca, 'fallback_env', 'ca'),
    childCaEnv: strs(ca, 'child_ca_env', 'ca'),
    caEnvSince: str(ca, 'ca_env_since', 'ca'),
    proxyEnv: strs(ca, 'proxy_env', 'ca'),
    noProxyEnv: strs(ca, 'no_proxy_env', 'ca'),
    noProxy: str(ca, 'no_proxy', 'ca'),
    profileTable: str(backend, 'profile_table', 'backend'),
    profileSelector: str(backend, 'profile_selector', 'backend'),
  };
  return cached;
}

export { compareVersions } from '../util/versions.js';
