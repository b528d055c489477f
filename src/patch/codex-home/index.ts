// Approach A and the CA route over the user's codex home: gather inputs from disk, plan (pure),
// undo an earlier codex-mitm patch, apply through the engine. The CLI and the wizard both call these.
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import { assertRealDirs } from '../engine/trust.js';
import { InputError, type ScanResult } from '../../model.js';
import { scan as scanTree } from '../../pipeline.js';
import { applyPlan, isEmptyPlan, readState, sha256, unpatchState, withLock, writeFileAtomic, removeDirIfEmpty, type UnpatchResult } from '../engine/index.js';
import { checkCaFile, checkListenHost, parsePort, portInUse } from './checks.js';
import { findBlock, hasManagedContent, parseConfig, reverseConfig, type KeptLines } from './config-edit.js';
import { assertOneLine, envFileApproach } from './envfile.js';
import { detectAuth, expandPath, readHome, readHomeFile, resolveCodexHome, checkHome, type HomeFiles } from './home.js';
import { planApproachA as planA, planApproachCa as planCa, type HomePlan, type HomePlanInput } from './plan.js';
import { homeRules } from './rules.js';
import { parseVersionFlag, resolveTarget } from './version.js';

export type { HomePlan, HomePlanInput } from './plan.js';
export { applyConfigEdits, reverseConfig, verifyConfigEdit, findBlock, parseConfig, type KeptLines } from './config-edit.js';
export { renderEnvFile, parseEnvFile, envFileApproach } from './envfile.js';
export { resolveCodexHome, detectAuth, expandPath } from './home.js';
export { routesFor, resolveTarget, parseCodexVersion, parseVersionFlag, compareVersions, type CodexTarget } from './version.js';
export { portInUse, checkListenHost, checkCaFile } from './checks.js';
export { scanToml } from './toml-scan.js';

export type HomeApproach = 'a' | 'ca';

/** What the CLI options (or the wizard) ask for. Ports may be strings (commander). */
export interface HomeRequest {
  approach?: HomeApproach;
  codexHome?: string;
  /** Source tree for capabilities and coverage (scanned unless `scan` is given). */
  root?: string;
  scan?: ScanResult;
  auth?: 'apikey' | 'chatgpt' | null;
  codexVersion?: string;
  /** Alias of codexVersion (wizard). */
  version?: string;
  modelPort?: number | string;
  backendPort?: number | string;
  proxyPort?: number | string;
  listenHost?: string;
  ca?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Will the caller write? Then a read-only home is refused up front. */
  write?: boolean;
}

export interface Prepared {
  input: HomePlanInput;
  files: HomeFiles;
  /** Approaches codex-mitm already applied here (marker in config.toml / env file / engine state). */
  applied: HomeApproach[];
}

export function stateDirOf(home: string): string {
  return join(home, homeRules().files.state_dir);
}

/** Reads the codex home and every input the planners need; refuses bad input before anything is written. */
export async function prepareHome(approach: HomeApproach, req: HomeRequest): Promise<Prepared> {
  const r = homeRules();
  const env = req.env ?? process.env;
  const cwd = req.cwd ?? process.cwd();
  const host = checkListenHost(req.listenHost ?? '127.0.0.1');
  const modelPort = parsePort(req.modelPort, r.ports.model, '--model-port');
  const backendPort = parsePort(req.backendPort, r.ports.backend, '--backend-port');
  const proxyPort = parsePort(req.proxyPort, r.ports.proxy, '--proxy-port');
  const flagVersion = req.codexVersion ?? req.version;
  const codexVersion = flagVersion !== undefined ? parseVersionFlag(flagVersion) : undefined;
  const home = resolveCodexHome(req.codexHome, env, cwd);
  // written into the env file's comments and the printed commands: one line or nothing
  assertOneLine(home, 'the codex home path', join(home, r.files.env_file));
  const files = await readHome(home, req.write ?? false);
  await checkFlowsDir(join(home, r.files.flows_dir));
  const auth = await detectAuth(home, req.auth ?? undefined);
  if (approach === 'a' && auth.mode !== 'chatgpt' && modelPort === backendPort) {
    throw new InputError(`--model-port and --backend-port are both ${modelPort}; approach a with an API key needs two proxies`);
  }
  let scan = req.scan;
  if (!scan && req.root) {
    scan = await scanTree(expandPath(req.root, env, cwd));
  }
  const target = resolveTarget({ ...(codexVersion !== undefined ? { codexVersion } : {}), capabilities: scan?.capabilities, env });
  let ca: string | undefined;
  if (approach === 'ca') {
    ca = expandPath(req.ca ?? r.ca.default_ca, env, cwd);
    assertOneLine(ca, '--ca', join(home, r.files.env_file));
    await checkCaFile(ca);
  }
  const envOurs = files.envText !== null ? envFileApproach(files.envText) : undefined;
  if (files.envText !== null && envOurs === undefined) {
    throw new InputError('exists and was not written by codex-mitm; move it away first', files.envPath);
  }
  // codex refuses a malformed config.toml at start, whichever approach runs next: so do we.
  if (files.configText !== null) parseConfig(files.configText, files.configPath);
  const applied = await appliedApproaches(home, files);
  const configText = files.configText !== null && hasManagedContent(files.configText) ? reverseConfig(files.configText).text : files.configText;
  const input: HomePlanInput = {
    home,
    configText,
    envText: null,
    ...(auth.mode ? { auth: auth.mode } : {}),
    authSource: auth.source,
    target,
    host,
    modelPort,
    backendPort,
    proxyPort,
    ...(ca ? { ca } : {}),
    ...(scan?.channels ? { channels: scan.channels } : {}),
  };
  return { input, files, applied };
}

async function appliedApproaches(home: string, files: HomeFiles): Promise<HomeApproach[]> {
  const out = new Set<HomeApproach>();
  const blk = files.configText !== null ? findBlock(files.configText) : undefined;
  if (blk?.approach === 'a' || blk?.approach === 'ca') out.add(blk.approach);
  else if (files.configText !== null && hasManagedContent(files.configText)) out.add('a');
  const e = files.envText !== null ? envFileApproach(files.envText) : undefined;
  if (e === 'a' || e === 'ca') out.add(e);
  for (const a of ['a', 'ca'] as const) if (await readState(home, a, stateDirOf(home)).catch(() => undefined)) out.add(a);
  return [...out];
}

export function planFor(approach: HomeApproach, input: HomePlanInput): HomePlan {
  return approach === 'a' ? planA(input) : planCa(input);
}

/** Pure planner (HomePlanInput), or gather-and-plan from disk (HomeRequest, as the wizard calls it). */
export function planApproachA(input: HomePlanInput): HomePlan;
export function planApproachA(req: HomeRequest): Promise<HomePlan>;
export function planApproachA(x: HomePlanInput | HomeRequest): HomePlan | Promise<HomePlan> {
  return 'configText' in x ? planA(x) : prepareHome('a', x).then((p) => planA(p.input));
}
export function planApproachCa(input: HomePlanInput): HomePlan;
export function planApproachCa(req: HomeRequest): Promise<HomePlan>;
export function planApproachCa(x: HomePlanInput | HomeRequest): HomePlan | Promise<HomePlan> {
  return 'configText' in x ? planCa(x) : prepareHome('ca', x).then((p) => planCa(p.input));
}

/** The plan as it reads against the files on disk now (old text = current bytes). A config.toml
 *  that only changes back to the user's bytes (another approach undone) is shown as well. */
export function againstCurrent(plan: HomePlan, files: HomeFiles, pristineConfig: string | null): HomePlan {
  const current = new Map<string, string | null>([
    [files.configPath, files.configText],
    [files.envPath, files.envText],
  ]);
  const out: HomePlan = {
    ...plan,
    notes: [...plan.notes],
    files: plan.files.map((f) => {
      const oldText = current.has(f.path) ? current.get(f.path)! : f.oldText;
      return { ...f, oldText, ...(oldText === null ? { mode: f.mode ?? 0o644 } : {}) };
    }),
  };
  if (!plan.files.some((f) => f.path === files.configPath) && files.configText !== null && pristineConfig !== files.configText) {
    if (pristineConfig !== null)
      out.files.unshift({
        path: files.configPath,
        display: homeRules().files.config,
        oldText: files.configText,
        newText: pristineConfig,
        reasons: [{ rule: 'unpatch', line: 1, message: 'the earlier codex-mitm patch is undone' }],
      });
  }
  return out;
}

/** Files on disk that the plan would remove (a codex-mitm env file the new plan does not write). */
export function removals(plan: HomePlan, files: HomeFiles, pristineConfig: string | null): string[] {
  const out = files.envText !== null && !plan.files.some((f) => f.path === files.envPath) ? [files.envPath] : [];
  if (files.configText !== null && pristineConfig === null && !plan.files.some((f) => f.path === files.configPath)) out.push(files.configPath);
  return out;
}

export interface HomePreview {
  prepared: Prepared;
  /** The plan against a pristine config (what `applyHome` will write). */
  fresh: HomePlan;
  /** The plan as shown: against the bytes on disk now, with notes on switching and removals. */
  shown: HomePlan;
  /** Files an earlier patch wrote that this one removes. */
  removed: string[];
  /** Approaches applied here now that are undone first. */
  switching: HomeApproach[];
  /** Already applied with these settings: applying again is a no-op. */
  unchanged: boolean;
  /** Ports of the printed proxy commands that something already listens on. */
  portWarnings: string[];
}

/** What `patch --approach a|ca` (and the wizard's preview) shows before anything is written. */
export async function previewHome(approach: HomeApproach, req: HomeRequest): Promise<HomePreview> {
  const prepared = await prepareHome(approach, req);
  const fresh = planFor(approach, prepared.input);
  const shown = againstCurrent(fresh, prepared.files, prepared.input.configText);
  const removed = removals(fresh, prepared.files, prepared.input.configText);
  const switching = prepared.applied.filter((a) => a !== approach);
  const unchanged = isEmptyPlan(shown) && removed.length === 0 && switching.length === 0 && prepared.applied.includes(approach);
  if (switching.length > 0) shown.notes.unshift(`approach ${switching.join(', ')} is applied here: it is undone first (unpatch ${switching.join(', ')}, then patch ${approach})`);
  for (const f of removed) shown.notes.push(`${f} is removed (written by an earlier codex-mitm patch)`);
  const portWarnings: string[] = [];
  for (const p of fresh.proxies) {
    if (await portInUse(p.host, p.port)) portWarnings.push(`${p.host}:${p.port} is already in use (a proxy already running there is fine; anything else will clash)`);
  }
  return { prepared, fresh, shown, removed, switching, unchanged, portWarnings };
}

export interface UndoResult {
  restored: string[];
  removed: string[];
  refused: { path: string; reason: string }[];
  /** Lines the user added inside the managed block of config.toml: kept in place, not removed. */
  kept: ({ path: string } & KeptLines)[];
  /** 'state': from the engine's backups; 'markers': from the markers in the files (no state). */
  via: 'state' | 'markers' | 'none';
  /** Copies of files cleaned from their markers (no state, so no backup existed), made before the
   *  first change. */
  saved?: string[];
}

/**
 * Undoes approach `approach` in `home`: the engine's exact backups when a state is recorded,
 * else the markers codex-mitm leaves (block, in-place records, env file header) — a crash-left or
 * state-less patch is still cleaned byte for byte.
 */
export async function undoHome(
  home: string,
  approach: HomeApproach,
  opts: { force?: boolean; dryRun?: boolean; undoInPlace?: boolean } = {},
): Promise<UndoResult> {
  return opts.dryRun ? undoLocked(home, approach, opts) : withLock(home, () => undoLocked(home, approach, opts));
}

async function undoLocked(home: string, approach: HomeApproach, opts: { force?: boolean; dryRun?: boolean; undoInPlace?: boolean }): Promise<UndoResult> {
  const stateDir = stateDirOf(home);
  const r = homeRules();
  const out: UndoResult = { restored: [], removed: [], refused: [], kept: [], via: 'none' };
  let keptInState: UndoResult['kept'][number] | undefined;
  if (await readState(home, approach, stateDir)) {
    const configFile = join(home, r.files.config);
    const res: UnpatchResult = await unpatchState(home, approach, {
      stateDir,
      ...(opts.force ? { force: true } : {}),
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.undoInPlace ? { undoInPlace: true } : {}),
      // codex writes config.toml itself ([projects.x] trust, model choices): undo only our marked
      // block and recorded in-place values, and keep everything else it added since.
      reverseEdited: (abs, current) => {
        if (abs !== configFile) return undefined;
        const text = current.toString('utf8');
        if (!hasManagedContent(text)) return undefined;
        const rev = reverseConfig(text);
        const back = rev.text;
        // A block whose markers were damaged cannot be told apart from the user's lines: refuse.
        if (back !== null && hasManagedContent(back)) return undefined;
        if (rev.kept) keptInState = { path: configFile, ...rev.kept };
        return back;
      },
    });
    out.restored.push(...res.restored);
    out.removed.push(...res.removed);
    out.refused.push(...res.refused);
    // Only when config.toml was undone in place (not when --force put the backup back instead).
    if (keptInState && (res.inPlace ?? []).includes(keptInState.path)) out.kept.push(keptInState);
    out.via = 'state';
    if (opts.dryRun) return out;
  }
  // Markers left without (or after) a state.
  const configPath = join(home, r.files.config);
  const envPath = join(home, r.files.env_file);
  const cfg = await readHomeFile(configPath, false);
  if (cfg !== null && hasManagedContent(cfg)) {
    const blk = findBlock(cfg);
    if (!blk || blk.approach === approach) {
      const rev = reverseConfig(cfg);
      const back = rev.text;
      if (back !== null && hasManagedContent(back)) {
        throw new InputError('the codex-mitm block in config.toml is damaged (a marker is missing): remove its lines by hand', configPath);
      }
      if (!opts.dryRun) {
        // no state, so no backup: one is made before the first byte changes
        (out.saved ??= []).push(await saveCopy(home, configPath, cfg));
        if (back === null) await fs.rm(configPath, { force: true });
        else await writeFileAtomic(configPath, back);
      }
      (back === null ? out.removed : out.restored).push(configPath);
      if (rev.kept) out.kept.push({ path: configPath, ...rev.kept });
      if (out.via === 'none') out.via = 'markers';
    }
  }
  const envText = await readHomeFile(envPath, false);
  if (envText !== null && envFileApproach(envText) === approach) {
    if (!opts.dryRun) {
      (out.saved ??= []).push(await saveCopy(home, envPath, envText));
      await fs.rm(envPath, { force: true });
    }
    out.removed.push(envPath);
    if (out.via === 'none') out.via = 'markers';
  }
  if (!opts.dryRun) await removeDirIfEmpty(join(home, r.files.flows_dir));
  return out;
}

export interface ApplyHomeResult {
  written: string[];
  undone: HomeApproach[];
  plan: HomePlan;
  flowsDir: string;
}

/**
 * Applies approach `approach`: undoes whatever codex-mitm applied before (another approach, or
 * the same one with other settings), re-reads the home, plans and writes through the engine, and
 * creates the flows folder 0700.
 */
export async function applyHome(approach: HomeApproach, req: HomeRequest, prepared: Prepared): Promise<ApplyHomeResult> {
  return withLock(prepared.input.home, async () => {
    // what was previewed must still be there: another run may have patched in between
    const now = await readHome(prepared.input.home, true);
    if (now.configText !== prepared.files.configText || now.envText !== prepared.files.envText) {
      throw new InputError('changed since the plan was shown (another codex-mitm run?); nothing was written, run the command again', now.configText !== prepared.files.configText ? now.configPath : now.envPath);
    }
    return applyLocked(approach, req, prepared);
  });
}

async function applyLocked(approach: HomeApproach, req: HomeRequest, prepared: Prepared): Promise<ApplyHomeResult> {
  const home = prepared.input.home;
  const undone: HomeApproach[] = [];
  let prep = prepared;
  const flowsDir = join(home, homeRules().files.flows_dir);
  // Already applied with the same settings: a no-op.
  const same = planFor(approach, prep.input);
  if (
    prep.applied.length === 1 &&
    prep.applied[0] === approach &&
    isEmptyPlan(againstCurrent(same, prep.files, prep.input.configText)) &&
    removals(same, prep.files, prep.input.configText).length === 0
  ) {
    return { written: [], undone, plan: same, flowsDir };
  }
  if (prep.applied.length > 0) {
    for (const a of prep.applied) {
      // a re-run replaces its own block: what codex or the user added since stays
      await undoHome(home, a, { undoInPlace: true });
      undone.push(a);
    }
    const { root: _root, ...rest } = req;
    void _root;
    const stub = { ...(prepared.input.channels ? { channels: prepared.input.channels } : {}) } as ScanResult;
    prep = await prepareHome(approach, { ...rest, write: true, scan: stub, codexVersion: prepared.input.target.version ?? '0.0.0' });
    // The scan is not repeated: keep its target too.
    prep.input.target = prepared.input.target;
  }
  const plan = planFor(approach, prep.input);
  await checkFlowsDir(flowsDir);
  const res = await applyPlan(plan, { stateDir: stateDirOf(home) });
  await fs.mkdir(flowsDir, { recursive: true, mode: 0o700 });
  // chmod through no link: the folder is checked again right before
  await checkFlowsDir(flowsDir);
  await fs.chmod(flowsDir, 0o700);
  return { written: res.written, undone, plan, flowsDir };
}

/** A copy of `text` (the bytes of `file`) under <state dir>/undone/, 0600 in 0700 folders, no link
 *  followed; returns its path. */
async function saveCopy(home: string, file: string, text: string): Promise<string> {
  const dir = join(stateDirOf(home), 'undone');
  await assertRealDirs(home, dir, 'the patch state folder');
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await assertRealDirs(home, dir, 'the patch state folder');
  await fs.chmod(stateDirOf(home), 0o700);
  await fs.chmod(dir, 0o700);
  const copy = join(dir, `${basename(file)}.${sha256(text)}`);
  await writeFileAtomic(copy, text, 0o600);
  return copy;
}

/** The flows folder, when it exists, must be a real folder: a link would get its target chmod'ed
 *  and the captures written elsewhere; a file there would fail after config.toml was written. */
async function checkFlowsDir(dir: string): Promise<void> {
  let st;
  try {
    st = await fs.lstat(dir);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) throw new InputError('is a symbolic link; codex-mitm keeps the flow files (bearer tokens) in a real folder of its own: move the link away (nothing was written)', dir);
  if (!st.isDirectory()) throw new InputError('is not a folder; the flow files go there: move it away (nothing was written)', dir);
}


export { checkHome };
