// capture: run the user's codex through the intercepting proxy engine, forwarding every request to
// its real upstream and recording it (HAR 1.2 + live JSON lines), in a network namespace whose only
// way out is the proxy where the machine can make one. Nothing of the user's config that starts
// programs is run.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { privateDir, stateDir } from '../dirs.js';
import { InputError, type Approach, type Capabilities, type Channel } from '../model.js';
import { resolveCodexHome } from '../patch/codex-home/home.js';
import { startEngine, type Engine } from '../proxy/engine.js';
import { prepareSandbox } from '../proxy/isolate.js';
import { loadUserCa } from '../proxy/user-ca.js';
import { buildHome, plannedApproachA, proxyEnvNames } from '../verify/home.js';
import { scan } from '../pipeline.js';
import { channelRules, readScanReport } from '../verify/index.js';
import { isContacted } from '../verify/observe.js';
import { compareVersions, loadVerifyRules, type StandInRule, type VerifyRules } from '../verify/rules.js';
import { codexVersion, resolveBinary } from '../verify/run.js';
import { findCommandKeys } from './drop-commands.js';
import { harEntry, toHar, type Classify } from './har.js';
import { redactor } from './redact.js';
import { loadCaptureRules } from './rules.js';
import { summarise, type CaptureSummary } from './summary.js';

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export type CaptureApproach = Extract<Approach, 'a' | 'ca'>;

export interface CaptureOptions {
  codex?: string;
  approach?: CaptureApproach;
  /** Folder for the HAR and JSONL files (default: the state folder's captures/). */
  out?: string;
  /** Arguments for codex (after `--`). */
  args: string[];
  /** codex-rs tree or saved scan report: predictions and the default approach. */
  root?: string;
  /** throwaway: a copy of the user's config in a temporary home; user: the user's codex home. */
  home: 'throwaway' | 'user';
  codexHome?: string;
  upstreams: Record<string, string>;
  upstreamProxy?: string;
  /** PEM files of CAs trusted for upstream TLS. */
  upstreamCa: string[];
  keepSecrets: boolean;
  isolate: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Messages for the user (stderr): codex owns stdout and the terminal. */
  say: (line: string) => void;
}

export interface CaptureResult {
  har: string;
  jsonl: string;
  approach: CaptureApproach;
  version?: string;
  isolated: boolean;
  notes: string[];
  summary: CaptureSummary;
  exitCode: number;
}

type Table = Record<string, unknown>;

function readConfig(home: string): Table {
  const file = join(home, 'config.toml');
  if (!existsSync(file)) return {};
  try {
    return parse(readFileSync(file, 'utf8')) as Table;
  } catch (err) {
    if (err instanceof TomlError) throw new InputError(`invalid TOML: ${err.message.split('\n')[0]}`, file, err.line);
    throw err;
  }
}

/** `ca` where codex reads CODEX_CA_CERTIFICATE (the rules' version), else `a`; a scan's
 *  recommendation wins when it names one of the two. */
export function defaultApproach(version: string | undefined, rules: VerifyRules, recommended?: Approach): { approach: CaptureApproach; why: string } {
  if (recommended === 'a' || recommended === 'ca') return { approach: recommended, why: 'the scan recommends it' };
  if (version && compareVersions(version, rules.caEnvSince) >= 0) return { approach: 'ca', why: `codex ${version} reads ${rules.caEnv}` };
  if (version) return { approach: 'a', why: `codex ${version} predates ${rules.caEnv} (${rules.caEnvSince})` };
  return { approach: 'ca', why: 'codex version unknown' };
}

/** `-c key=value` arguments that switch off the user's program-starting keys (user home). Keys
 *  that cannot be emptied safely (a provider's auth command) are refused. */
function neutralise(config: Table, patterns: string[], home: string): string[] {
  const args: string[] = [];
  for (const f of findCommandKeys(config, patterns)) {
    const value = f.parent[f.key];
    const path = f.path.join('.');
    const topLevel = f.path.length === 1 || (f.path.length === 3 && f.path[0] === 'profiles');
    if (!topLevel) throw new InputError(`\`${path}\` runs a program and cannot be switched off for a run with --home user: use --home throwaway (a copy without it)`, join(home, 'config.toml'));
    args.push('-c', `${path}=${Array.isArray(value) ? '[]' : '{}'}`);
  }
  return args;
}

const OUTPUTS = ['.har', '.jsonl', '.proxy.log'] as const;

/** The files of one run, made new (never an earlier run's): one base name free for every output. */
function newFiles(dir: string, base: string): Record<(typeof OUTPUTS)[number], { path: string; fd: number }> {
  for (let i = 0; i < 1000; i++) {
    const name = `${base}${i ? `-${i}` : ''}`;
    if (OUTPUTS.some((ext) => existsSync(join(dir, name + ext)))) continue;
    const made: { path: string; fd: number }[] = [];
    try {
      for (const ext of OUTPUTS) made.push({ path: join(dir, name + ext), fd: openSync(join(dir, name + ext), 'wx', 0o600) });
      return Object.fromEntries(OUTPUTS.map((ext, k) => [ext, made[k]!])) as ReturnType<typeof newFiles>;
    } catch (err) {
      for (const m of made) closeSync(m.fd);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new InputError('no free file name for the recording', dir);
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export async function runCapture(opts: CaptureOptions): Promise<CaptureResult> {
  const rules = loadVerifyRules();
  const captureRules = loadCaptureRules();
  const bin = resolveBinary(opts.codex ?? 'codex', opts.cwd, opts.env.PATH);
  const scratch = mkdtempSync(join(tmpdir(), 'codex-mitm-capture-'));
  chmodSync(scratch, 0o700);
  let engine: Engine | undefined;
  let files: ReturnType<typeof newFiles> | undefined;
  let written = false;
  try {
    const bare: Record<string, string> = { PATH: opts.env.PATH ?? '', HOME: scratch, CODEX_HOME: scratch, NO_COLOR: '1' };
    const { version, text } = await codexVersion(bin, bare, scratch);
    if (!/^codex\b/i.test(text)) throw new InputError(`${bin} does not look like codex: \`--version\` printed ${text ? `"${text.slice(0, 80)}"` : 'nothing'}`);

    let channels: Channel[] | undefined;
    let capabilities: Capabilities | undefined;
    let recommended: Approach | undefined;
    if (opts.root) {
      const root = resolve(opts.cwd, opts.root);
      const scanned: { channels?: Channel[]; capabilities?: Capabilities; recommendation?: { approach: Approach } } = root.endsWith('.json') ? readScanReport(root) : await scan(root);
      channels = scanned.channels;
      capabilities = scanned.capabilities;
      recommended = scanned.recommendation?.approach;
    }
    const picked = opts.approach ? { approach: opts.approach, why: 'asked for' } : defaultApproach(version, rules, recommended);
    const approach = picked.approach;
    const notes: string[] = [`approach ${approach} (${picked.why})`];

    const ca = await loadUserCa(opts.env);
    if (ca.created) notes.push(`made the codex-mitm CA ${ca.certPath} (key 0600, reused from now on)`);
    const upstreamCa = opts.upstreamCa.map((f) => {
      try {
        return readFileSync(resolve(opts.cwd, f), 'utf8');
      } catch (err) {
        throw new InputError(`--upstream-ca: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, f);
      }
    });

    // output files first: a run that cannot record is not started
    const outDir = opts.out ? resolve(opts.cwd, opts.out) : join(stateDir(opts.env), captureRules.output.dir);
    if (!opts.out) privateDir(stateDir(opts.env));
    privateDir(outDir);
    const base = `codex-${version ?? 'unknown'}-${stamp(new Date())}`;
    files = newFiles(outDir, base);
    const jsonl = files['.jsonl'];
    const proxyLog = files['.proxy.log'];
    const redact = redactor(opts.keepSecrets ? undefined : captureRules.redact);
    const known = channelRules();
    const classify: Classify | undefined = known.classify;

    const standIns: StandInRule[] = approach === 'a' ? [rules.model, rules.backend] : [];
    engine = await startEngine({
      ca,
      answer: { kind: 'forward', upstreams: opts.upstreams, ...(opts.upstreamProxy ? { upstreamProxy: opts.upstreamProxy } : {}), trustedCAs: upstreamCa },
      reverse: standIns.map((r) => ({ name: r.name, upstream: r.upstream })),
      onExchange: (e) => writeSync(jsonl.fd, JSON.stringify(harEntry(e, classify, redact)) + '\n'),
      log: (line) => writeSync(proxyLog.fd, redact.text(line) + '\n'),
    });
    const stand = (r: StandInRule) => {
      const l = engine!.reverse.find((x) => x.name === r.name)!;
      return { name: l.name, port: l.port, baseUrl: `${l.origin}${r.basePath}` };
    };
    const listeners = approach === 'a' ? { model: stand(rules.model), backend: stand(rules.backend), proxyUrl: engine.proxy.url } : { model: { name: rules.model.name, port: 0, baseUrl: '' }, backend: { name: rules.backend.name, port: 0, baseUrl: '' }, proxyUrl: engine.proxy.url };

    let env: Record<string, string>;
    const cwd = opts.cwd;
    const args: string[] = [];
    const userHome = resolveCodexHome(opts.codexHome, opts.env, opts.cwd);
    if (opts.home === 'throwaway') {
      const apiKey = opts.env.OPENAI_API_KEY || opts.env.CODEX_API_KEY || undefined;
      const home = buildHome({ dir: scratch, userHome, approach, auth: 'apikey', caEnv: 'both', caPem: ca.cert, version, capabilities, listeners, parentEnv: opts.env, rules, ...(apiKey ? { apiKey } : {}) });
      env = home.env;
      // codex's terminal UI needs the user's terminal, not verify's dumb one
      for (const name of ['TERM', 'COLORTERM', 'NO_COLOR']) {
        if (opts.env[name] !== undefined) env[name] = opts.env[name]!;
        else delete env[name];
      }
      notes.push(...home.notes, `throwaway codex home ${home.codexHome} (removed after the run)`);
      if (!apiKey) notes.push('no OPENAI_API_KEY / CODEX_API_KEY in the environment: codex signs in with a fake key (the upstream will refuse it)');
    } else {
      const config = readConfig(userHome);
      args.push(...neutralise(config, captureRules.config.drop, userHome));
      env = Object.fromEntries(Object.entries(opts.env).filter((e): e is [string, string] => e[1] !== undefined));
      env.CODEX_HOME = userHome;
      for (const name of proxyEnvNames(rules)) env[name] = engine.proxy.url;
      for (const name of rules.noProxyEnv) env[name] = rules.noProxy;
      if (approach === 'ca') for (const name of [rules.caEnv, rules.fallbackCaEnv, ...rules.childCaEnv]) env[name] = ca.certPath;
      else {
        const planned = plannedApproachA(userHome, config, { auth: existsSync(join(userHome, 'auth.json')) && /"tokens"\s*:\s*\{/.test(readFileSync(join(userHome, 'auth.json'), 'utf8')) ? 'chatgpt' : 'apikey', version, capabilities, listeners, rules });
        for (const [key, value] of [[rules.backend.configKey, planned.backendUrl], [rules.model.configKey, planned.modelUrl]] as const) {
          if (value) args.push('-c', `${key}=${JSON.stringify(value)}`);
        }
        Object.assign(env, planned.env);
        for (const name of [rules.caEnv, rules.fallbackCaEnv, ...rules.childCaEnv]) delete env[name];
      }
      if (args.length) notes.push(`codex runs with ${args.filter((a) => a !== '-c').join(', ')}`);
    }

    const sandbox = await prepareSandbox({ ports: engine.ports, command: bin, args: [...args, ...opts.args], cwd, isolate: opts.isolate });
    notes.push(sandbox.isolated ? 'codex ran in a private network namespace: its only way out was the proxy' : `not isolated: ${sandbox.reason}`);
    opts.say(`codex-mitm capture: ${approach === 'a' ? 'reverse listeners ' + engine.reverse.map((r) => r.origin).join(', ') + ' and ' : ''}proxy ${engine.proxy.url}; recording to ${jsonl.path} (follow it with: tail -f ${jsonl.path})`);
    if (!sandbox.isolated) opts.say(`codex-mitm capture: ${sandbox.reason}`);

    const exitCode = await new Promise<number>((resolveExit, reject) => {
      const child = spawn(sandbox.file, sandbox.args, { stdio: 'inherit', env, cwd });
      // Ctrl-C belongs to codex (it shares the terminal); we stay to write the recording
      const ignore = (): void => undefined;
      const pass = (sig: NodeJS.Signals) => () => child.kill(sig);
      const onTerm = pass('SIGTERM');
      const onHup = pass('SIGHUP');
      process.on('SIGINT', ignore);
      process.on('SIGTERM', onTerm);
      process.on('SIGHUP', onHup);
      const unhook = (): void => {
        process.off('SIGINT', ignore);
        process.off('SIGTERM', onTerm);
        process.off('SIGHUP', onHup);
      };
      child.once('error', (err: NodeJS.ErrnoException) => {
        unhook();
        reject(new InputError(`cannot run ${bin}: ${err.code ?? err.message}`));
      });
      child.once('exit', (code, signal) => {
        unhook();
        resolveExit(code ?? (signal ? 128 + 15 : 1));
      });
    });
    const log = await sandbox.finish();
    await engine.close();
    engine.traffic.escapes.push(...log.escapes);
    notes.push(...log.notes);

    const predicted = (channels ?? []).filter((c) => isContacted(c)).map((c) => ({ id: c.id, name: c.name }));
    const meta = {
      codex: { bin, version, args: opts.args },
      approach,
      isolated: sandbox.isolated,
      redacted: !opts.keepSecrets,
      tlsFailures: engine.traffic.tlsFailures,
      escapes: engine.traffic.escapes,
      predicted,
      notes,
    };
    const har = toHar(engine.traffic.exchanges, classify, redact, meta, VERSION);
    const harFile = files['.har'];
    writeSync(harFile.fd, JSON.stringify(har, null, 1) + '\n');
    written = true;
    const summary = summarise(har.log.entries, { tlsFailures: engine.traffic.tlsFailures, escapes: engine.traffic.escapes, predicted });
    return { har: harFile.path, jsonl: jsonl.path, approach, ...(version ? { version } : {}), isolated: sandbox.isolated, notes, summary, exitCode };
  } finally {
    await engine?.close();
    rmSync(scratch, { recursive: true, force: true });
    for (const f of Object.values(files ?? {})) {
      closeSync(f.fd);
      // a run that never started leaves no empty recording behind
      if (!written) rmSync(f.path, { force: true });
    }
  }
}

