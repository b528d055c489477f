// rules/approach-a.toml, read once: file names, markers, version thresholds, proxies.
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';

export interface ReverseProxyRule {
  id: string;
  upstream: string;
  port: 'model' | 'backend';
  auth: string[];
  flow: string;
}

export interface HomeRules {
  files: { env_file: string; flows_dir: string; state_dir: string; config: string; auth: string; max_bytes?: number };
  block: { start: string; end: string; was: string };
  model_api: {
    config_key: string;
    config_key_since: string;
    env_var: string;
    env_deprecated_since: string;
    env_dropped_in: string;
    apikey_path: string;
    chatgpt_path: string;
  };
  backend: { config_key: string; path: string; profile_table: string; profile_selector: string };
  ca: {
    ca_env: string;
    ca_env_since: string;
    fallback_env: string;
    proxy_env: string[];
    /** CA variables for child processes with their own TLS (git). */
    child_ca_env?: string[];
    no_proxy_env: string[];
    no_proxy: string;
    /** Note on the variables reaching the commands codex runs. */
    inherited_note?: string;
    default_ca: string;
  };
  ports: { model: number; backend: number; proxy: number; loopback: string[] };
  reverse: ReverseProxyRule[];
  forward: { id: string; flow: string };
  auth: { apikey_modes: string[]; chatgpt_modes: string[] };
  /** Traffic measured going straight out under approach A, from a codex version on. */
  direct: DirectRule[];
}

export interface DirectRule {
  since: string;
  host: string;
  what: string;
}

let cached: HomeRules | undefined;

export function homeRules(): HomeRules {
  cached ??= parse(readFileSync(new URL('../../../rules/approach-a.toml', import.meta.url), 'utf8')) as unknown as HomeRules;
  return cached;
}
