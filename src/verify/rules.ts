// What verify needs from rules/approach-a.toml: config keys, env names, version thresholds and the
// upstreams the reverse listeners stand in for.
import { InputError } from '../model.js';
import { approachARules } from '../rules/files.js';

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

let cached: VerifyRules | undefined;

/** The verify view of rules/approach-a.toml: the listeners' stand-ins and the CA route's names. */
export function loadVerifyRules(): VerifyRules {
  if (cached) return cached;
  const doc = approachARules();
  const byPort = (port: 'model' | 'backend') => {
    const entry = doc.reverse.find((r) => r.port === port);
    if (!entry) throw new InputError(`no [[reverse]] entry with port = "${port}"`, 'rules/approach-a.toml');
    return entry;
  };
  const modelEntry = byPort('model');
  const backendEntry = byPort('backend');
  const { model_api: model, backend, ca } = doc;
  cached = {
    model: {
      name: modelEntry.id,
      upstream: new URL(modelEntry.upstream).origin,
      basePath: model.apikey_path,
      configKey: model.config_key,
      envVar: model.env_var,
      configKeySince: model.config_key_since,
      envDroppedIn: model.env_dropped_in,
    },
    backend: { name: backendEntry.id, upstream: new URL(backendEntry.upstream).origin, basePath: backend.path, configKey: backend.config_key },
    caEnv: ca.ca_env,
    fallbackCaEnv: ca.fallback_env,
    childCaEnv: ca.child_ca_env ?? [],
    caEnvSince: ca.ca_env_since,
    proxyEnv: ca.proxy_env,
    noProxyEnv: ca.no_proxy_env,
    noProxy: ca.no_proxy,
    profileTable: backend.profile_table,
    profileSelector: backend.profile_selector,
  };
  return cached;
}

export { compareVersions } from '../util/versions.js';
