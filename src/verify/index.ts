// verify: run the installed codex once, offline, with a throwaway codex home, against loopback
// listeners; report which hosts and paths it contacted, through which route, with what TLS outcome.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { classifyUrl, loadChannelRules } from '../channels/rules.js';
import { parseJsonText } from '../json-error.js';
import { scan } from '../pipeline.js';
import { InputError, type Approach, type Capabilities, type Channel, type Recommendation } from '../model.js';
import { checkHome, resolveCodexHome } from '../patch/codex-home/home.js';
import { buildHome, type CaEnvChoice, type VerifyAuth } from './home.js';
import { startEngine } from '../proxy/engine.js';
import { prepareSandbox } from '../proxy/isolate.js';
import { loadUserCa } from '../proxy/user-ca.js';
import { sightingsOf } from './sightings.js';
import { failures, hostChannelsOf, observe, type Classify, type HostChannels, type Observation } from './observe.js';
import { loadVerifyRules, type StandInRule } from './rules.js';
import { codexVersion, resolveBinary, runDetached } from './run.js';

export type { Observation, Route } from './observe.js';

export interface VerifyOptions {
  /** codex binary (path or name on PATH). Default `codex`. */
  codex?: string;
  approach: Approach;
  /** The user's codex home to copy config.toml from. Default $CODEX_HOME or ~/.codex. */
  codexHome?: string;
  timeoutMs: number;
  auth: VerifyAuth;
  caEnv: CaEnvChoice;
  /** codex-rs source tree for static predictions, or a saved `scan --json` report (*.json). */
  root?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Prompt given to `codex exec`. */
  prompt?: string;
  /** Run codex in a private network namespace when the machine can (default true). */
  isolate?: boolean;
  /** Channel classifier and scan; default: src/channels/rules.ts and src/pipeline.ts. */
  classify?: Classify;
  scan?: (root: string) => Promise<{ channels?: Channel[]; capabilities?: Capabilities }>;
}

export interface VerifyReport {
  schemaVersion: 1;
  date: string;
  codex: {
    bin: string;
    version?: string;
    versionText: string;
    pid?: number;
    exitCode: number | null;
    signal: string | null;
    timedOut: boolean;
    stderrTail: string;
  };
  approach: Approach;
  auth: VerifyAuth;
  caEnv: CaEnvChoice;
  root?: string;
  settings: string[];
  notes: string[];
  /** codex ran in a private network namespace whose only way out was the proxy. */
  isolated: boolean;
  listeners: { reverse: { name: string; port: number; baseUrl: string }[]; proxy: { port: number; url: string } };
  observations: Observation[];
  failures: Observation[];
}

export const DEFAULT_PROMPT = 'Reply with the single word: ok';

/** The channel classifier of rules/channels.toml and the hosts each channel uses. */
export function channelRules(): { classify: Classify; hostChannels: HostChannels } {
  return { classify: classifyUrl, hostChannels: hostChannelsOf(loadChannelRules().channels) };
}

/** A saved `codex-mitm scan --json` report, used instead of scanning a tree. */
export function readScanReport(file: string): { channels?: Channel[]; capabilities?: Capabilities; recommendation?: Recommendation } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read scan report: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  const data = parseJsonText(text, file, 'scan report');
  const report = data as { schemaVersion?: unknown; channels?: unknown; capabilities?: Capabilities; recommendation?: Recommendation };
  if (report.schemaVersion !== 1 || !Array.isArray(report.channels)) {
    throw new InputError('not a codex-mitm scan report (schemaVersion 1 with channels)', file);
  }
  for (const [i, c] of (report.channels as Partial<Channel>[]).entries()) {
    if (typeof c.id !== 'string' || !Array.isArray(c.hosts) || typeof c.coverage !== 'object' || c.coverage === null) {
      throw new InputError(`channels[${i}] needs id, hosts and coverage`, file);
    }
  }
  return { channels: report.channels as Channel[], capabilities: report.capabilities, ...(report.recommendation ? { recommendation: report.recommendation } : {}) };
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export async function runVerify(opts: VerifyOptions): Promise<VerifyReport> {
  const rules = loadVerifyRules();
  const bin = resolveBinary(opts.codex ?? 'codex', opts.cwd, opts.env.PATH);
  // --codex-home, else $CODEX_HOME, else ~/.codex: resolved as `patch` and `run` resolve it. One
  // given explicitly must exist (and be a readable folder), as they require; the default may be
  // missing (codex never ran here): the run then starts from an empty config.
  const userHome = resolveCodexHome(opts.codexHome, opts.env, opts.cwd);
  if (opts.codexHome) await checkHome(userHome, false);

  let channels: Channel[] | undefined;
  let capabilities: Capabilities | undefined;
  let root: string | undefined;
  if (opts.root) {
    root = resolve(opts.cwd, opts.root);
    const result = root.endsWith('.json') ? readScanReport(root) : await (opts.scan ?? scan)(root);
    channels = result.channels ?? [];
    capabilities = result.capabilities;
  }
  const known = channelRules();
  const classify = opts.classify ?? known.classify;
  const hostChannels = channels ? hostChannelsOf(channels) : known.hostChannels;

  const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-verify-'));
  const ca = await loadUserCa(opts.env);
  const engine = await startEngine({
    ca,
    answer: { kind: 'stub', status: 503, body: 'codex-mitm verify: nothing is forwarded\n' },
    reverse: [rules.model, rules.backend].map((r) => ({ name: r.name, upstream: r.upstream })),
  });
  try {
    const stand = (r: StandInRule) => {
      const l = engine.reverse.find((x) => x.name === r.name)!;
      return { name: l.name, port: l.port, baseUrl: `${l.origin}${r.basePath}` };
    };
    const model = stand(rules.model);
    const backend = stand(rules.backend);
    // Version first, with a bare environment (no proxy, throwaway home).
    const bareEnv: Record<string, string> = { PATH: opts.env.PATH ?? '', HOME: dir, CODEX_HOME: dir, NO_COLOR: '1' };
    const { version, text: versionText } = await codexVersion(bin, bareEnv, dir);
    // codex prints `codex-cli 0.98.0`: anything else is not the program to verify
    if (!/^codex\b/i.test(versionText)) {
      throw new InputError(`${bin} does not look like codex: \`--version\` printed ${versionText ? `"${versionText.slice(0, 80)}"` : 'nothing'}`);
    }

    const home = buildHome({
      dir,
      userHome,
      approach: opts.approach,
      auth: opts.auth,
      caEnv: opts.caEnv,
      caPem: ca.cert,
      version,
      capabilities,
      listeners: { model, backend, proxyUrl: engine.proxy.url },
      parentEnv: opts.env,
      rules,
    });
    const sandbox = await prepareSandbox({
      ports: engine.ports,
      command: bin,
      args: ['exec', '--skip-git-repo-check', opts.prompt ?? DEFAULT_PROMPT],
      cwd: home.workDir,
      isolate: opts.isolate !== false,
    });
    const result = await runDetached(sandbox.file, sandbox.args, {
      env: home.env,
      cwd: home.workDir,
      timeoutMs: opts.timeoutMs,
      onInterrupt: () => rmSync(dir, { recursive: true, force: true }),
    });
    const log = await sandbox.finish();
    await engine.close();
    engine.traffic.escapes.push(...log.escapes);
    const notes = [...home.notes, ...log.notes];
    notes.push(sandbox.isolated ? 'codex ran in a private network namespace: its only way out was the proxy' : `not isolated: ${sandbox.reason}`);

    const observations = observe({
      sightings: sightingsOf(engine.traffic),
      escapes: engine.traffic.escapes,
      upstreamOf: { [rules.model.name]: rules.model.upstream, [rules.backend.name]: rules.backend.upstream },
      portOf: { [rules.model.name]: model.port, [rules.backend.name]: backend.port },
      classify,
      hostChannels,
      channels,
      approach: opts.approach,
      caEnv: opts.caEnv,
    });
    const report: VerifyReport = {
      schemaVersion: 1,
      date: new Date().toISOString(),
      codex: {
        bin,
        version,
        versionText,
        pid: result.pid,
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        stderrTail: tail(result.stderr, 12),
      },
      approach: opts.approach,
      auth: opts.auth,
      caEnv: opts.caEnv,
      settings: home.settings,
      notes,
      isolated: sandbox.isolated,
      listeners: { reverse: [model, backend], proxy: engine.proxy },
      observations,
      failures: failures(observations, opts.approach === 'a' || (opts.approach === 'ca' && opts.caEnv !== 'none')),
    };
    if (root) report.root = root;
    const treeVersion = capabilities?.version;
    if (treeVersion && version && treeVersion !== '0.0.0' && treeVersion !== version) {
      report.notes.push(`the scanned tree is version ${treeVersion} but the codex binary is ${version}: predictions may not apply`);
    }
    return report;
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
