// The throwaway codex home of a verify run: the user's config.toml copied and patched per approach,
// a fake auth.json (never the user's tokens), and the environment codex runs with.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, stringify, TomlError } from 'smol-toml';
import { InputError, type Approach, type Capabilities } from '../model.js';
import { dropCommandKeys } from '../capture/drop-commands.js';
import { loadCaptureRules } from '../capture/rules.js';
import { planApproachA } from '../patch/codex-home/plan.js';
import type { CodexTarget } from '../patch/codex-home/version.js';
import type { VerifyRules } from './rules.js';

export type VerifyAuth = 'apikey' | 'chatgpt';
/** A CA variable of rules/approach-a.toml [ca] (ca_env or fallback_env), none, or both. */
export type CaEnvChoice = 'none' | 'both' | (string & {});

/** A listener standing in for an upstream base URL. */
export interface RunningListener {
  name: string;
  port: number;
  /** e.g. http://127.0.0.1:PORT/v1 */
  baseUrl: string;
}

export interface HomeOptions {
  /** Folder to build in (empty, owned by the run). */
  dir: string;
  /** The user's codex home to copy config.toml from (may not exist). */
  userHome?: string;
  approach: Approach;
  auth: VerifyAuth;
  caEnv: CaEnvChoice;
  caPem: string;
  /** codex version, when known. */
  version?: string;
  /** From a scanned tree: does the `openai_base_url` key exist / is the env var read (and the rest
   *  of its capabilities, when the scan report has them). */
  capabilities?: Pick<Capabilities, 'openaiBaseUrlKey' | 'openaiBaseUrlEnv'> & Partial<Capabilities>;
  listeners: { model: RunningListener; backend: RunningListener; proxyUrl: string };
  /** The caller's env: only PATH-like basics are taken from it. */
  parentEnv: NodeJS.ProcessEnv;
  rules: VerifyRules;
  /** A real API key for auth.json (capture); verify always writes a fake one. */
  apiKey?: string;
}

export interface Home {
  codexHome: string;
  workDir: string;
  env: Record<string, string>;
  /** What was set, for the report: `config.toml: key = value`, `env NAME=value`. */
  settings: string[];
  /** Things dropped or changed in the copied config, for the report. */
  notes: string[];
}

/** Env names passed through from the caller (everything else is dropped). */
const KEEP_ENV = ['PATH', 'Path', 'SystemRoot', 'SYSTEMROOT', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'USER', 'LOGNAME', 'SHELL'];
const FAKE_API_KEY = 'sk-codex-mitm-verify-fake-key-not-valid';

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned JWT that parses like a ChatGPT sign-in token; it authorises nothing. */
export function fakeJwt(claims: Table): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.${Buffer.from('codex-mitm-fake').toString('base64url')}`;
}

export function fakeAuth(auth: VerifyAuth, now = new Date()): Table {
  if (auth === 'apikey') return { OPENAI_API_KEY: FAKE_API_KEY };
  const exp = Math.floor(now.getTime() / 1000) + 30 * 24 * 3600;
  const account = 'codex-mitm-verify-account';
  const authClaims = { chatgpt_plan_type: 'plus', chatgpt_user_id: 'user-codex-mitm-verify', chatgpt_account_id: account };
  const claims = {
    iss: 'https://auth.openai.com',
    aud: ['app_codex_mitm_verify'],
    sub: 'codex-mitm-verify',
    email: 'verify@codex-mitm.invalid',
    exp,
    iat: exp - 31 * 24 * 3600,
    'https://api.openai.com/auth': authClaims,
    'https://api.openai.com/profile': { email: 'verify@codex-mitm.invalid', email_verified: true },
  };
  return {
    OPENAI_API_KEY: null,
    tokens: {
      id_token: fakeJwt(claims),
      access_token: fakeJwt({ ...claims, scp: ['openid'] }),
      refresh_token: 'codex-mitm-verify-fake-refresh-token',
      account_id: account,
    },
    last_refresh: now.toISOString(),
  };
}

function readUserConfig(userHome: string | undefined): { config: Table; source?: string } {
  if (!userHome) return { config: {} };
  const file = join(userHome, 'config.toml');
  if (!existsSync(file)) return { config: {} };
  const text = readFileSync(file, 'utf8');
  try {
    return { config: parse(text) as Table, source: file };
  } catch (err) {
    if (err instanceof TomlError) throw new InputError(`invalid TOML: ${err.message.split('\n')[0]}`, file, err.line);
    throw err;
  }
}

function known(v: string | undefined): string | undefined {
  return v && v !== '0.0.0' ? v : undefined;
}

/** The codex `patch --approach a` would target, as its resolveTarget picks it: the running binary's
 *  version first; a scanned tree's capabilities only when that version is unknown. */
export function codexTarget(version: string | undefined, capabilities: HomeOptions['capabilities']): CodexTarget {
  const v = known(version);
  if (v) return { version: v, source: 'path' };
  if (capabilities) {
    const treeVersion = known(capabilities.version);
    const caps: Capabilities = {
      openaiBaseUrlKey: capabilities.openaiBaseUrlKey === true,
      openaiBaseUrlEnv: capabilities.openaiBaseUrlEnv === true,
      customCaEnv: capabilities.customCaEnv ?? [],
      reqwestFeatures: capabilities.reqwestFeatures ?? [],
      nativeTlsDefault: capabilities.nativeTlsDefault ?? false,
      ...(treeVersion ? { version: treeVersion } : {}),
    };
    return { ...(treeVersion ? { version: treeVersion } : {}), source: 'tree', capabilities: caps };
  }
  return { source: 'unknown' };
}

/**
 * What `codex-mitm patch --approach a` sets for this auth mode and codex, with the run's listeners
 * standing in for its reverse proxies: the planner of src/patch/codex-home is run on the copied
 * config (redirect keys taken out first, so whatever it holds afterwards is the planner's).
 */
export function plannedApproachA(
  home: string,
  config: Table,
  opts: Pick<HomeOptions, 'auth' | 'version' | 'capabilities' | 'listeners' | 'rules'>,
): { backendUrl?: string; modelUrl?: string; env: Record<string, string> } {
  const { rules } = opts;
  const input: Table = { ...config };
  delete input[rules.backend.configKey];
  delete input[rules.model.configKey];
  const proxyPort = Number(new URL(opts.listeners.proxyUrl).port);
  const plan = planApproachA({
    home,
    configText: stringify(input) + '\n',
    envText: null,
    auth: opts.auth,
    authSource: '--auth',
    target: codexTarget(opts.version, opts.capabilities),
    host: new URL(opts.listeners.model.baseUrl).hostname,
    modelPort: opts.listeners.model.port,
    backendPort: opts.listeners.backend.port,
    proxyPort,
  });
  const configFile = plan.files.find((f) => basename(f.path) === 'config.toml');
  const out = configFile ? (parse(configFile.newText) as Table) : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { backendUrl: str(out[rules.backend.configKey]), modelUrl: str(out[rules.model.configKey]), env: { ...plan.env } };
}

/** Every proxy variable codex or its children may read: the rules' HTTPS ones, their HTTP twins
 *  and ALL_PROXY, upper and lower case. */
export function proxyEnvNames(rules: VerifyRules): string[] {
  const names = new Set<string>();
  for (const name of rules.proxyEnv) {
    names.add(name);
    names.add(name.replace(/^(https)/i, (m) => m.slice(0, 4)));
  }
  names.add('ALL_PROXY');
  names.add('all_proxy');
  return [...names];
}

export function buildHome(opts: HomeOptions): Home {
  const { rules } = opts;
  const codexHome = join(opts.dir, 'codex-home');
  const userDir = join(opts.dir, 'home');
  const workDir = join(opts.dir, 'work');
  for (const d of [codexHome, userDir, workDir]) mkdirSync(d, { recursive: true });
  const settings: string[] = [];
  const notes: string[] = [];

  const { config, source } = readUserConfig(opts.userHome);
  notes.push(source ? `config copied from ${source}` : 'no user config.toml: started from an empty one');
  for (const key of dropCommandKeys(config, loadCaptureRules().config.drop)) {
    notes.push(`dropped \`${key}\` from the copied config (it starts programs)`);
  }
  // Never let the copied config send codex to the user's keyring or real credentials.
  config.cli_auth_credentials_store = 'file';
  const profiles = isTable(config[rules.profileTable]) ? (config[rules.profileTable] as Table) : {};
  const setEverywhere = (key: string, value: string | undefined): void => {
    if (value === undefined) delete config[key];
    else config[key] = value;
    for (const profile of Object.values(profiles)) {
      if (isTable(profile) && key in profile) {
        if (value === undefined) delete profile[key];
        else profile[key] = value;
      }
    }
  };

  const env: Record<string, string> = {};
  for (const name of KEEP_ENV) {
    const v = opts.parentEnv[name];
    if (v !== undefined) env[name] = v;
  }
  env.HOME = userDir;
  env.USERPROFILE = userDir;
  env.CODEX_HOME = codexHome;
  env.NO_COLOR = '1';
  env.TERM = 'dumb';
  const proxyNames = proxyEnvNames(rules);
  for (const name of proxyNames) env[name] = opts.listeners.proxyUrl;
  for (const name of rules.noProxyEnv) env[name] = rules.noProxy;
  settings.push(`env ${[...proxyNames].join('/')}=${opts.listeners.proxyUrl}`);

  if (opts.approach === 'a') {
    // Patched exactly as `codex-mitm patch --approach a` would patch it for this auth mode and
    // version (same planner), with the run's listeners as the proxies.
    const planned = plannedApproachA(codexHome, config, opts);
    for (const [key, value] of [
      [rules.backend.configKey, planned.backendUrl],
      [rules.model.configKey, planned.modelUrl],
    ] as const) {
      setEverywhere(key, value);
      if (value !== undefined) settings.push(`config.toml: ${key} = "${value}"`);
    }
    for (const [name, value] of Object.entries(planned.env)) {
      env[name] = value;
      settings.push(`env ${name}=${value}`);
    }
  } else {
    // b and ca test the default upstreams: drop any redirect the user's config had.
    for (const key of [rules.backend.configKey, rules.model.configKey]) {
      if (key in config) notes.push(`removed \`${key}\` from the copied config (approach ${opts.approach} uses the default hosts)`);
      setEverywhere(key, undefined);
    }
  }

  if (opts.approach === 'ca' && opts.caEnv !== 'none') {
    const caFile = join(opts.dir, 'codex-mitm-verify-ca.pem');
    writeFileSync(caFile, opts.caPem);
    const names = opts.caEnv === 'both' ? [rules.caEnv, rules.fallbackCaEnv, ...rules.childCaEnv] : [opts.caEnv];
    for (const name of names) {
      env[name] = caFile;
      settings.push(`env ${name}=<run CA>`);
    }
  }

  writeFileSync(join(codexHome, 'config.toml'), stringify(config) + '\n');
  const auth = opts.apiKey ? { OPENAI_API_KEY: opts.apiKey } : fakeAuth(opts.auth);
  writeFileSync(join(codexHome, 'auth.json'), JSON.stringify(auth, null, 2) + '\n', { mode: 0o600 });
  settings.push(opts.apiKey ? 'auth.json: your API key (from the environment)' : `auth.json: fake ${opts.auth === 'apikey' ? 'API key' : 'ChatGPT sign-in'}`);
  return { codexHome, workDir, env, settings, notes };
}
