// Which codex the patch targets, and what that codex can do (config key vs env var, CA env).
// Sources, in order: --codex-version, a scanned source tree's capabilities, `codex --version` on PATH.
import { spawnSync } from 'node:child_process';
import { InputError, type Capabilities } from '../../model.js';
import { homeRules } from './rules.js';
import { compareVersions } from '../../util/versions.js';

export interface CodexTarget {
  /** Release version, when known (a dev build's 0.0.0 counts as unknown). */
  version?: string;
  source: 'flag' | 'tree' | 'path' | 'unknown';
  /** Facts from a scanned tree (preferred over version numbers). */
  capabilities?: Capabilities;
  /** Why the tree was not used, when the installed codex and the scanned tree disagree. */
  note?: string;
}

export interface Routes {
  /** Set `openai_base_url` in config.toml. */
  configKey: boolean;
  /** Export OPENAI_BASE_URL from the env file. */
  envVar: boolean;
  /** Env vars that carry the CA for approach ca. */
  caEnv: string[];
  /** Why, in words. */
  why: string[];
}

/** `codex-cli 0.98.0` -> `0.98.0`. */
export function parseCodexVersion(out: string): string | undefined {
  return /(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(out)?.[1];
}

const IDENT = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
const VERSION_FLAG = new RegExp(`^(?:rust-v|v)?(\\d+)\\.(\\d+)(?:\\.(\\d+)(-${IDENT})?(\\+${IDENT})?)?$`);

/**
 * A version given on the command line: `X.Y.Z` with an optional `-prerelease` and `+build`
 * (`0.115.0`, `0.116.0-alpha.3`), optionally prefixed by `v` or `rust-v` (codex's release tags);
 * `X.Y` means `X.Y.0`. Returns it without the prefix; anything else is an InputError.
 */
export function parseVersionFlag(value: string, flag = '--codex-version'): string {
  const m = VERSION_FLAG.exec(value);
  if (!m) {
    const shown = /^[\x21-\x7e]+$/.test(value) ? value : JSON.stringify(value);
    throw new InputError(`${flag} ${shown}: not a version (expected X.Y.Z, e.g. 0.115.0)`);
  }
  return `${m[1]}.${m[2]}.${m[3] ?? '0'}${m[4] ?? ''}${m[5] ?? ''}`;
}

export { compareVersions };

function known(v: string | undefined): string | undefined {
  return v && v !== '0.0.0' ? v : undefined;
}

/** Runs `codex --version` from PATH (bounded); undefined when there is none. */
export function codexVersionFromPath(env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync('codex', ['--version'], { env, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.error || r.status !== 0) return undefined;
  return parseCodexVersion(r.stdout);
}

export function resolveTarget(opts: { codexVersion?: string; capabilities?: Capabilities; env: NodeJS.ProcessEnv }): CodexTarget {
  if (opts.codexVersion !== undefined) {
    const v = parseVersionFlag(opts.codexVersion);
    return { ...(known(v) ? { version: v } : {}), source: 'flag' };
  }
  // The installed codex is what will run: its version beats a scanned tree's.
  const installed = known(codexVersionFromPath(opts.env));
  if (installed) {
    const tree = known(opts.capabilities?.version);
    return {
      version: installed,
      source: 'path',
      ...(opts.capabilities && tree !== installed
        ? { note: `the installed codex is ${installed} but the scanned tree is ${tree ?? 'of unknown version'}: routes follow the installed codex; coverage comes from the tree` }
        : {}),
    };
  }
  if (opts.capabilities) {
    const v = known(opts.capabilities.version);
    return { ...(v ? { version: v } : {}), source: 'tree', capabilities: opts.capabilities };
  }
  return { source: 'unknown' };
}

export function routesFor(t: CodexTarget): Routes {
  const r = homeRules();
  const m = r.model_api;
  const why: string[] = [];
  let configKey: boolean;
  let envVar: boolean;
  const caps = t.capabilities;
  if (caps && (caps.openaiBaseUrlKey || caps.openaiBaseUrlEnv)) {
    configKey = caps.openaiBaseUrlKey;
    envVar = !caps.openaiBaseUrlKey;
    why.push(
      caps.openaiBaseUrlKey
        ? `the scanned tree has the \`${m.config_key}\` config key`
        : `the scanned tree reads ${m.env_var} and has no \`${m.config_key}\` key`,
    );
  } else if (t.version) {
    configKey = compareVersions(t.version, m.config_key_since) >= 0;
    envVar = !configKey;
    why.push(
      configKey
        ? `codex ${t.version} reads \`${m.config_key}\` from config.toml (since ${m.config_key_since}; ${m.env_var} ${compareVersions(t.version, m.env_dropped_in) >= 0 ? `is no longer read since ${m.env_dropped_in}` : `is deprecated since ${m.env_deprecated_since}`})`
        : `codex ${t.version} predates \`${m.config_key}\` (${m.config_key_since}); it reads ${m.env_var} from the environment`,
    );
  } else {
    configKey = true;
    envVar = true;
    why.push(
      `codex version unknown: setting both \`${m.config_key}\` (read from ${m.config_key_since} on) and ${m.env_var} in the env file (read before ${m.env_dropped_in}); pass --codex-version to pick one`,
    );
  }
  const caEnv: string[] = [];
  const ca = r.ca;
  const readsCodexCa = caps
    ? caps.customCaEnv.includes(ca.ca_env)
    : t.version
      ? compareVersions(t.version, ca.ca_env_since) >= 0
      : true;
  if (readsCodexCa) caEnv.push(ca.ca_env);
  caEnv.push(ca.fallback_env);
  return { configKey, envVar, caEnv, why };
}
