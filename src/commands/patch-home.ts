// `patch --approach a|ca`, `unpatch --approach a|ca`, `run`: the user's codex home.
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import type { Io } from '../io.js';
import { InputError } from '../model.js';
import { forceHint, planToJson, renderDiff, withLock } from '../patch/engine/index.js';
import {
  applyHome,
  checkHome,
  envFileApproach,
  findBlock,
  parseEnvFile,
  previewHome,
  resolveCodexHome,
  undoHome,
  type HomeApproach,
  type HomePlan,
  type HomeRequest,
} from '../patch/codex-home/index.js';
import { readHomeFile } from '../patch/codex-home/home.js';
import { homeRules } from '../patch/codex-home/rules.js';
import { join } from 'node:path';

export interface PatchHomeOptions {
  approach?: string;
  dryRun?: boolean;
  json?: boolean;
  codexHome?: string;
  root?: string;
  auth?: 'apikey' | 'chatgpt';
  codexVersion?: string;
  modelPort?: string;
  backendPort?: string;
  proxyPort?: string;
  listenHost?: string;
  ca?: string;
  force?: boolean;
}

function approachOf(opts: { approach?: string }): HomeApproach {
  if (opts.approach === 'a' || opts.approach === 'ca') return opts.approach;
  throw new InputError(`--approach ${opts.approach ?? ''} is not a or ca`);
}

function request(path: string | undefined, opts: PatchHomeOptions, io: Io): HomeRequest {
  const root = opts.root ?? path;
  return {
    approach: approachOf(opts),
    ...(opts.codexHome ? { codexHome: opts.codexHome } : {}),
    ...(root ? { root } : {}),
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.codexVersion !== undefined ? { codexVersion: opts.codexVersion } : {}),
    ...(opts.modelPort !== undefined ? { modelPort: opts.modelPort } : {}),
    ...(opts.backendPort !== undefined ? { backendPort: opts.backendPort } : {}),
    ...(opts.proxyPort !== undefined ? { proxyPort: opts.proxyPort } : {}),
    ...(opts.listenHost ? { listenHost: opts.listenHost } : {}),
    ...(opts.ca ? { ca: opts.ca } : {}),
    env: io.env,
    cwd: io.cwd,
    // a dry run checks what the real run checks (a read-only file refuses both, exit 2)
    write: true,
  };
}

export async function patchHomeCommand(path: string | undefined, opts: PatchHomeOptions, io: Io): Promise<number> {
  const approach = approachOf(opts);
  const req = request(path, opts, io);
  if (opts.dryRun) return patchHomeLocked(approach, req, opts, io);
  // one run per codex home: what it shows and what it writes are read under the same lock
  return withLock(resolveCodexHome(opts.codexHome, io.env, io.cwd), () => patchHomeLocked(approach, req, opts, io), io.env);
}

async function patchHomeLocked(approach: HomeApproach, req: HomeRequest, opts: PatchHomeOptions, io: Io): Promise<number> {
  const { prepared: prep, shown, removed, switching, unchanged, portWarnings: warnings } = await previewHome(approach, req);

  let written: string[] = [];
  let flowsDir: string | undefined;
  let plan: HomePlan = shown;
  if (!unchanged && !opts.dryRun) {
    const res = await applyHome(approach, req, prep);
    written = res.written;
    flowsDir = res.flowsDir;
    plan = { ...res.plan, notes: shown.notes };
  }

  if (opts.json) {
    io.stdout(
      JSON.stringify(
        {
          ...(planToJson(shown) as object),
          proxies: plan.proxies,
          env: plan.env,
          dryRun: Boolean(opts.dryRun),
          unchanged,
          written,
          removed,
          undone: switching,
          warnings,
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  for (const w of warnings) io.stderr(`codex-mitm: warning: ${w}\n`);
  if (unchanged) {
    io.stdout(`approach ${approach} is already applied to ${prep.input.home}; nothing to do (no-op)\n`);
  } else {
    io.stdout(renderDiff(shown, { color: io.color }));
    if (opts.dryRun) io.stdout(`\ndry run: nothing written to ${prep.input.home}\n`);
    else io.stdout(`\npatched ${prep.input.home} (approach ${approach}): ${written.length} file(s) written${switching.length ? `, approach ${switching.join(', ')} undone first` : ''}\n`);
  }
  if (shown.notes.length) io.stdout(`\nNotes:\n${shown.notes.map((n) => (n.startsWith('  ') ? n : `- ${n}`)).join('\n')}\n`);
  io.stdout(`\n${shown.nextSteps.join('\n')}\n`);
  void flowsDir;
  return 0;
}

export async function unpatchHomeCommand(path: string | undefined, opts: PatchHomeOptions, io: Io): Promise<number> {
  void path;
  const approach = approachOf(opts);
  const home = resolveCodexHome(opts.codexHome, io.env, io.cwd);
  await checkHome(home, true);
  const res = await undoHome(home, approach, { ...(opts.force ? { force: true } : {}), ...(opts.dryRun ? { dryRun: true } : {}) });
  // nothing applied: a no-op, like a second `patch` (exit 0), said plainly
  if (res.via === 'none') {
    io.stdout(`Nothing to unpatch: no approach ${approach} patch found in ${home}.\n`);
    return 0;
  }
  // A dry run that the real run would refuse says so the same way: exit 2.
  const wouldRefuse = Boolean(opts.dryRun) && !opts.force && res.refused.length > 0;
  if (opts.json) {
    io.stdout(JSON.stringify({ approach, target: home, dryRun: Boolean(opts.dryRun), ...res }, null, 2) + '\n');
    return wouldRefuse ? 2 : 0;
  }
  const verb = opts.dryRun ? 'would restore' : 'restored';
  for (const f of res.restored) io.stdout(`${verb} ${f}\n`);
  for (const f of res.removed) io.stdout(`${opts.dryRun ? 'would remove' : 'removed'} ${f}\n`);
  for (const k of res.kept) {
    const where = `${k.path}:${k.line}${k.lastLine > k.line ? `-${k.lastLine}` : ''}`;
    io.stdout(`${opts.dryRun ? 'would keep' : 'kept'} ${k.count} line${k.count === 1 ? '' : 's'} you added inside the managed block (${where})\n`);
  }
  for (const r of res.refused) io.stdout(`${opts.force ? 'overwrote edits in' : 'refused'} ${r.path}: ${r.reason}\n`);
  if (res.via === 'markers') io.stdout('(no patch state was recorded: cleaned from the codex-mitm markers in the files)\n');
  for (const c of res.saved ?? []) io.stdout(`kept a copy of the bytes before this cleanup: ${c}\n`);
  io.stdout(
    opts.dryRun
      ? `dry run: nothing written to ${home}\n`
      : `approach ${approach} undone in ${home}; flow files in ${join(home, homeRules().files.flows_dir)} (if any) are kept\n`,
  );
  if (wouldRefuse) {
    io.stderr(`codex-mitm: ${res.refused[0]!.path}: ${res.refused[0]!.reason}; a real unpatch would refuse (${forceHint(res.refused)})\n`);
    return 2;
  }
  return 0;
}

export async function runCommand(argv: string[], opts: { approach?: 'a' | 'ca'; codexHome?: string }, io: Io): Promise<number> {
  if (argv.length === 0) throw new InputError('nothing to run: codex-mitm run -- codex ...');
  const r = homeRules();
  const home = resolveCodexHome(opts.codexHome, io.env, io.cwd);
  await checkHome(home, false);
  const envPath = join(home, r.files.env_file);
  const envText = await readHomeFile(envPath, false);
  const envApproach = envText !== null ? envFileApproach(envText) : undefined;
  if (envText !== null && envApproach === undefined) throw new InputError('was not written by codex-mitm; refusing to use it', envPath);
  const cfg = await readHomeFile(join(home, r.files.config), false);
  const blockApproach = cfg !== null ? findBlock(cfg)?.approach : undefined;
  const applied = envApproach ?? blockApproach;
  const approach = opts.approach ?? applied;
  if (!approach) throw new InputError('no approach is applied here; run `codex-mitm patch --approach a|ca` first', home);
  if (applied !== approach) {
    throw new InputError(`approach ${approach} is not applied here${applied ? ` (approach ${applied} is)` : ''}; run \`codex-mitm patch --approach ${approach}\` first`, home);
  }
  const vars = envText !== null && envApproach === approach ? parseEnvFile(envText, envPath) : {};
  const env: NodeJS.ProcessEnv = { ...io.env, ...vars, ...(opts.codexHome ? { CODEX_HOME: home } : {}) };
  if (Object.keys(vars).length === 0)
    io.stderr(`codex-mitm: approach ${approach} lives in config.toml (${join(home, r.files.config)}${opts.codexHome ? ', and CODEX_HOME points there' : ''}): no variable to set\n`);
  // the proxies the approach points codex at must be running, or codex only retries and gives up
  const targets = proxyTargets(vars, approach === 'a' && cfg !== null ? cfg : '');
  const down = (await Promise.all(targets.map(async (t) => ((await listening(t.host, t.port)) ? undefined : t)))).filter(Boolean) as typeof targets;
  for (const t of down)
    io.stderr(`codex-mitm: nothing listens on ${t.host}:${t.port} (${t.from}): codex's requests fail until that proxy runs (start it with the command \`codex-mitm patch\` printed)\n`);
  return new Promise<number>((resolveCode, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const done = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      reject(err.code === 'ENOENT' ? new InputError(`command not found: ${argv[0]}`) : err);
    });
    child.on('exit', (code, signal) => {
      done();
      resolveCode(code ?? (signal ? 128 + (osSignal(signal) ?? 1) : 1));
    });
  });
}

function osSignal(sig: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[sig];
}

/** Loopback host:port pairs codex is pointed at: HTTPS_PROXY of the env file, loopback base URLs in config.toml. */
function proxyTargets(vars: Record<string, string>, block: string): { host: string; port: number; from: string }[] {
  const out: { host: string; port: number; from: string }[] = [];
  const add = (url: string, from: string): void => {
    const m = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):(\d+)/.exec(url);
    if (m && !out.some((o) => o.host === m[1] && o.port === Number(m[2]))) out.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), from });
  };
  for (const k of homeRules().ca.proxy_env) if (vars[k]) add(vars[k]!, `${k} from the env file`);
  for (const m of block.matchAll(/^\s*([a-z_]+)\s*=\s*"(https?:\/\/[^"]+)"/gm)) add(m[2]!, `${m[1]} in config.toml`);
  return out;
}

/** Whether something accepts a TCP connection on host:port (loopback only, half a second). */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host, port });
    const end = (ok: boolean) => {
      s.destroy();
      done(ok);
    };
    s.setTimeout(500, () => end(false));
    s.once('connect', () => end(true));
    s.once('error', () => end(false));
  });
}
