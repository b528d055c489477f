// Pure planners for approach a (loopback reverse proxies via config key / env file) and the CA
// route (forward proxy + CA env vars). Text in (the codex home's files with anything codex-mitm
// added already taken out), plan out.
import { basename, dirname, join } from 'node:path';
import type { Approach, Channel } from '../../model.js';
import type { FilePlan, Plan, PlanReason } from '../engine/plan.js';
import { applyConfigEdits, parseConfig, verifyConfigEdit, type KeyEdit } from './config-edit.js';
import { renderEnvFile, shQuote } from './envfile.js';
import { proxyCommands, coverageNotes, directNotes, type ProxyCommand } from './proxies.js';
import { homeRules } from './rules.js';
import { routesFor, type CodexTarget } from './version.js';

export interface HomePlanInput {
  home: string;
  /** config.toml as the user wrote it (null: absent). */
  configText: string | null;
  /** codex-mitm.env before any codex-mitm patch (null: absent). */
  envText: string | null;
  /** Auth mode; undefined when unknown (approach a then assumes an API key and says so). */
  auth?: 'apikey' | 'chatgpt';
  authSource: string;
  target: CodexTarget;
  /** Loopback host proxies listen on. */
  host: string;
  modelPort: number;
  backendPort: number;
  proxyPort: number;
  /** Approach ca: absolute path of the CA certificate (PEM). */
  ca?: string;
  /** Channels from a scanned tree, for coverage notes. */
  channels?: Channel[];
}

export interface HomePlan extends Plan {
  /** Proxy commands to start (also in nextSteps, as text). */
  proxies: ProxyCommand[];
  /** Variables the env file sets (what `run` adds to codex's environment). */
  env: Record<string, string>;
}

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function base(input: HomePlanInput, approach: Approach): HomePlan {
  return { approach, target: input.home, files: [], notes: [], nextSteps: [], proxies: [], env: {} };
}

function srcLabel(t: CodexTarget): string {
  return t.source === 'flag' ? '--codex-version' : t.source === 'tree' ? 'the scanned tree' : t.source === 'path' ? '`codex --version`' : 'neither --codex-version, codex on PATH nor --root';
}

export function planApproachA(input: HomePlanInput): HomePlan {
  const r = homeRules();
  const plan = base(input, 'a');
  const routes = routesFor(input.target);
  const auth = input.auth ?? 'apikey';
  const h = urlHost(input.host);
  const backendUrl = `http://${h}:${input.backendPort}${r.backend.path}`;
  const modelUrl =
    auth === 'apikey' ? `http://${h}:${input.modelPort}${r.model_api.apikey_path}` : `http://${h}:${input.backendPort}${r.model_api.chatgpt_path}`;

  plan.notes.push(
    input.auth
      ? `auth mode: ${auth === 'apikey' ? 'API key' : 'ChatGPT sign-in'} (from ${input.authSource})`
      : `auth mode unknown (${input.authSource}); planned for an API key — pass --auth chatgpt if you sign in with ChatGPT`,
  );
  plan.notes.push(`codex version: ${input.target.version ?? 'unknown'} (from ${srcLabel(input.target)})`);
  if (input.target.note) plan.notes.push(input.target.note);
  plan.notes.push(...routes.why);
  if (auth === 'chatgpt') {
    plan.notes.push(
      `ChatGPT sign-in: the built-in openai provider's base URL defaults to https://chatgpt.com${r.model_api.chatgpt_path} and only the ${r.model_api.env_var} / \`${r.model_api.config_key}\` override replaces it (\`${r.backend.config_key}\` does not), so the model API is pointed at ${modelUrl}: one reverse proxy to chatgpt.com carries both.`,
    );
  }

  const cfgPath = join(input.home, r.files.config);
  const cfg = input.configText === null ? {} : parseConfig(input.configText, cfgPath);
  const edits: (KeyEdit & { rule: string; message: string })[] = [];
  edits.push({
    path: [r.backend.config_key],
    value: backendUrl,
    rule: `approach-a/${r.backend.config_key}`,
    message: `ChatGPT backend (analytics, remote skills, MCP apps, cloud requirements) -> ${backendUrl}`,
  });
  if (routes.configKey) {
    edits.push({
      path: [r.model_api.config_key],
      value: modelUrl,
      rule: `approach-a/${r.model_api.config_key}`,
      message: `model API -> ${modelUrl}`,
    });
  }
  // The active profile's values win over top-level ones.
  const profileName = typeof cfg[r.backend.profile_selector] === 'string' ? (cfg[r.backend.profile_selector] as string) : undefined;
  const profiles = (cfg[r.backend.profile_table] ?? {}) as Record<string, Record<string, unknown> | undefined>;
  if (profileName && profiles[profileName]?.[r.backend.config_key] !== undefined) {
    edits.push({
      path: [r.backend.profile_table, profileName, r.backend.config_key],
      value: backendUrl,
      rule: `approach-a/profile-${r.backend.config_key}`,
      message: `active profile "${profileName}" sets ${r.backend.config_key} itself (profile values win) -> ${backendUrl}`,
    });
  }
  for (const [name, p] of Object.entries(profiles)) {
    if (name !== profileName && p && typeof p === 'object' && p[r.backend.config_key] !== undefined) {
      plan.notes.push(`profile "${name}" sets ${r.backend.config_key} too; left alone (not the active profile): \`codex --profile ${name}\` would bypass the proxy`);
    }
  }
  const active = profileName ? profiles[profileName] : undefined;
  const provider = (active?.model_provider ?? cfg.model_provider) as string | undefined;
  if (provider !== undefined && provider !== 'openai') {
    plan.notes.push(`model_provider is "${provider}": its own base_url decides where the model API goes, not ${r.model_api.config_key}/${r.model_api.env_var}`);
  }

  const { text, placed } = applyConfigEdits(input.configText, edits, 'a', cfgPath);
  verifyConfigEdit(input.configText, text, edits, cfgPath);
  const reasons: PlanReason[] = placed.map((p) => {
    const e = edits.find((x) => x.path.join('.') === p.path.join('.'))!;
    return {
      rule: e.rule,
      line: p.line,
      message: p.placed === 'in-place' ? `${e.message} (changed in place; the old statement is kept in a comment for unpatch)` : e.message,
    };
  });
  plan.files.push(file(input.home, r.files.config, input.configText, text, reasons));

  if (routes.envVar) {
    plan.env[r.model_api.env_var] = modelUrl;
    const envText = renderEnvFile('a', Object.entries(plan.env), input.home);
    plan.files.push(
      file(input.home, r.files.env_file, input.envText, envText, [
        { rule: `approach-a/${r.model_api.env_var}`, line: 1, message: `model API -> ${modelUrl} (codex reads ${r.model_api.env_var} from its environment)` },
      ]),
    );
  }

  // A base URL the user had configured is where the reverse proxy must forward to, not the default.
  const upstreams: Partial<Record<'model' | 'backend', string>> = {};
  const configured = (v: unknown): string | undefined => {
    if (typeof v !== 'string') return undefined;
    try {
      const u = new URL(v);
      return /^https?:$/.test(u.protocol) && !r.ports.loopback.includes(u.hostname.replace(/^\[|\]$/g, '')) ? `${u.origin}/` : undefined;
    } catch {
      return undefined;
    }
  };
  const oldBackend = configured(active?.[r.backend.config_key] ?? cfg[r.backend.config_key]);
  const oldModel = routes.configKey ? configured(cfg[r.model_api.config_key]) : undefined;
  // in ChatGPT mode the model API rides on the backend proxy
  if (oldBackend) upstreams.backend = oldBackend;
  if (oldModel) upstreams[auth === 'chatgpt' ? 'backend' : 'model'] = oldModel;
  for (const [port, url] of Object.entries(upstreams)) {
    plan.notes.push(`your config pointed the ${port === 'model' ? 'model API' : 'ChatGPT backend'} at ${url}: the reverse proxy forwards there, not to the default host`);
  }
  plan.proxies = proxyCommands('a', { home: input.home, host: input.host, modelPort: input.modelPort, backendPort: input.backendPort, proxyPort: input.proxyPort, auth, upstreams });
  finish(plan, input, routes.envVar);
  return plan;
}

export function planApproachCa(input: HomePlanInput): HomePlan {
  const r = homeRules();
  const plan = base(input, 'ca');
  const routes = routesFor(input.target);
  const ca = input.ca ?? join('~', r.ca.default_ca.replace(/^~\//, ''));
  const proxyUrl = `http://${urlHost(input.host)}:${input.proxyPort}`;
  for (const k of r.ca.proxy_env) plan.env[k] = proxyUrl;
  for (const k of r.ca.no_proxy_env) plan.env[k] = r.ca.no_proxy;
  for (const k of routes.caEnv) plan.env[k] = ca;
  for (const k of r.ca.child_ca_env ?? []) plan.env[k] = ca;
  plan.notes.push(`codex version: ${input.target.version ?? 'unknown'} (from ${srcLabel(input.target)})`);
  if (input.target.note) plan.notes.push(input.target.note);
  plan.notes.push(
    routes.caEnv.includes(r.ca.ca_env)
      ? `${r.ca.ca_env} is read by codex's shared client builder (${r.ca.ca_env_since}+)${input.target.version ? '' : '; harmless where it is not read'}; ${r.ca.fallback_env} covers native-tls (OpenSSL) clients on Linux on every version`
      : `codex ${input.target.version} predates ${r.ca.ca_env} (${r.ca.ca_env_since}); ${r.ca.fallback_env} covers native-tls (OpenSSL) clients on Linux`,
  );
  plan.notes.push(
    `${r.ca.fallback_env} replaces OpenSSL's default roots for codex: connections that bypass the proxy (${r.ca.no_proxy}) are plain or local; macOS/Windows builds ignore ${r.ca.fallback_env} (add the CA to the system store there)`,
  );
  if (r.ca.inherited_note) plan.notes.push(r.ca.inherited_note);
  const envText = renderEnvFile('ca', Object.entries(plan.env), input.home);
  plan.files.push(
    file(input.home, r.files.env_file, input.envText, envText, [
      { rule: 'approach-ca/proxy', line: 1, message: `${r.ca.proxy_env.join(', ')} -> ${proxyUrl}` },
      { rule: 'approach-ca/ca', line: 1, message: `${routes.caEnv.join(', ')} -> ${ca}` },
    ]),
  );
  // mitmproxy signs with <confdir>/mitmproxy-ca.pem; its default confdir is ~/.mitmproxy
  const caDir = dirname(ca);
  const confdir = basename(caDir) === '.mitmproxy' ? undefined : caDir;
  if (confdir) {
    plan.notes.push(
      `the CA is not in ~/.mitmproxy: the proxy command uses --set confdir=${caDir}, so mitmproxy signs with ${join(caDir, 'mitmproxy-ca.pem')} (certificate and private key); it must belong to the CA codex is told to trust`,
    );
  }
  plan.proxies = proxyCommands('ca', { home: input.home, host: input.host, modelPort: input.modelPort, backendPort: input.backendPort, proxyPort: input.proxyPort, auth: input.auth ?? 'apikey', ...(confdir ? { confdir } : {}) });
  finish(plan, input, true);
  return plan;
}

function finish(plan: HomePlan, input: HomePlanInput, envFile: boolean): void {
  const r = homeRules();
  // Follow-up commands name the home explicitly, so they act on this one whatever $CODEX_HOME is.
  const homeFlag = `--codex-home ${shQuote(input.home)}`;
  plan.nextSteps.push('Start the proxies (each in its own terminal):', ...plan.proxies.map((p) => `  ${p.command}`));
  if (envFile) {
    const envPath = join(input.home, r.files.env_file);
    plan.nextSteps.push(`Then start codex with the env file: \`codex-mitm run ${homeFlag} -- codex\`, or \`. ${shQuote(envPath)}\` in your shell first.`);
  } else {
    plan.nextSteps.push('Then start codex as usual (the settings are in config.toml).');
  }
  plan.nextSteps.push(
    `Flow files hold bearer tokens and API keys: they go to ${join(input.home, r.files.flows_dir)}/ (created 0700 by codex-mitm, so only you can read them); keep them private and delete them when done.`,
  );
  plan.nextSteps.push(`Undo with \`codex-mitm unpatch --approach ${plan.approach} ${homeFlag}\`.`);
  if (plan.approach === 'a') plan.notes.push(...directNotes(input.target.version));
  if (input.channels) plan.notes.push(...coverageNotes(input.channels, plan.approach as 'a' | 'ca'));
}

function file(home: string, name: string, oldText: string | null, newText: string, reasons: PlanReason[]): FilePlan {
  return { path: join(home, name), display: name, oldText, newText, ...(oldText === null ? { mode: 0o644 } : {}), reasons };
}
