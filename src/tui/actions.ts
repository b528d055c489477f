// The wizard's one adapter to the functions the commands call (scan, planners, diff, apply).
// Screens never import those modules; wiring changes touch only this file.
import { existsSync, promises as fs } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { InputError, type Approach, type ScanResult } from '../model.js';
import { renderDiff, stateFileOf, STATE_DIR_NAME, writeFileAtomic, type Plan } from '../patch/engine/index.js';
import { scan } from '../pipeline.js';
import { treeVersion } from '../scan/cargo/index.js';
import { AmbiguousRootError, findCodexRoot } from '../scan/discover.js';
import { sourceForVersion } from '../source/fetch.js';
import { codexVersion, resolveBinary } from '../verify/run.js';
import { webpkiManifests } from './webpki.js';
import {
  applyHome,
  detectAuth,
  expandPath,
  prepareHome,
  previewHome,
  resolveCodexHome,
  type HomeRequest,
} from '../patch/codex-home/index.js';
import { applyTreeB, planTreeB, type ApproachBPlan } from '../patch/approach-b/index.js';
import type { ApproachOption, EditAuth, HomeSource } from './state.js';

export type PlanLike = Plan;

export interface PlanRequest {
  approach: Approach;
  scan: ScanResult;
  /** codex-rs root the scan ran on. */
  root: string;
  home: string;
  /** Only when the user chose one other than auth.json's (the planner reads auth.json itself). */
  auth?: EditAuth;
  modelPort: number;
  backendPort: number;
  proxyPort: number;
  /** CA certificate (approach CA); undefined = the planner's default. */
  ca?: string;
}

export interface TreeInfo {
  /** The codex-rs folder (absolute). */
  root?: string;
  version?: string;
  auth?: EditAuth | null;
  /** The codex home, absolute. */
  home?: string;
  /** Where the auth mode comes from, or why it is unknown. */
  authSource?: string;
  rootError?: string;
  /** `codex --version` of the codex on PATH, or null when there is none. */
  installed?: string | null;
}

export interface WizardActions {
  /** codex-rs folder at or under `cwd`, or undefined. */
  /** The tree under cwd; `error` when cwd holds several or is inside one (no tree: neither). */
  detectRoot(cwd: string): Promise<{ root?: string; error?: string }>;
  /** Version of the tree and auth mode of the home. Never throws: problems come back as rootError. */
  info(root: string, home: string, cwd: string): Promise<TreeInfo>;
  /** Tab completion: the new input and the candidates (directories end with /). */
  complete(input: string, cwd: string): Promise<{ value: string; candidates: string[] }>;
  scan(root: string, onProgress: (done: number, total: number) => void): Promise<ScanResult>;
  /** Which approaches the scanned tree supports. */
  options(scan: ScanResult): ApproachOption[];
  plan(req: PlanRequest): Promise<Plan>;
  diff(plan: Plan, color: boolean): string;
  apply(plan: Plan): Promise<{ written: string[]; unchanged: boolean }>;
  /** The codex-rs source of a version (fetched once into the cache); returns its folder. */
  fetchSource(version: string, onProgress: (line: string) => void): Promise<string>;
  /** Writes `text` to `file` (relative to cwd); returns the absolute path. */
  save(file: string, text: string, cwd: string): Promise<string>;
}

/** codex home as Approach A finds it: --codex-home, $CODEX_HOME, ~/.codex. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): { dir: string; source: HomeSource } {
  return { dir: resolveCodexHome(flag, env, cwd), source: flag ? 'flag' : env.CODEX_HOME ? 'env' : 'default' };
}

/** One line for any error: InputError's own form, the first line of anything else. */
export function oneLine(err: unknown): string {
  if (err instanceof InputError) return err.oneLine;
  const e = err as { message?: unknown };
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  return msg.split('\n')[0]!.trim() || 'unknown error';
}

/** The command's flags in the planners' messages, in the wizard's words (it has fields, not flags). */
const FLAG_WORDS: [RegExp, string][] = [
  // The wizard passes an auth mode only when it was chosen on the Choose screen.
  [/\(from --auth\)/g, '(chosen on the Choose screen)'],
  [/pass --auth chatgpt/g, 'set "Auth mode" on the Choose screen (Esc) to ChatGPT sign-in'],
  [/pass --ca FILE/g, 'set the "CA certificate" field on the Choose screen (Esc)'],
  [/pass --codex-home/g, 'change "Codex home" on the Where screen'],
  [/--model-port/g, '"Model API proxy port"'],
  [/--backend-port/g, '"Backend proxy port"'],
  [/--proxy-port/g, '"Forward proxy port"'],
];

/** `text` naming the wizard's fields where it names a command-line flag. */
export function wizardWords(text: string): string {
  return FLAG_WORDS.reduce((msg, [re, words]) => msg.replace(re, words), text);
}

/** oneLine(err), naming the wizard's fields where the message names a command-line flag. */
export function wizardError(err: unknown): string {
  return wizardWords(oneLine(err));
}

async function readAuthMode(home: string): Promise<Pick<TreeInfo, 'auth' | 'authSource'>> {
  try {
    const a = await detectAuth(home, undefined);
    return { auth: a.mode ?? null, authSource: a.source };
  } catch (err) {
    return { auth: null, authSource: wizardError(err) };
  }
}

const installedCache = new Map<string, Promise<string | null>>();

/** The version of the codex on PATH (run once per PATH, offline, with a throwaway home). */
function installedCodex(env: NodeJS.ProcessEnv, cwd: string): Promise<string | null> {
  const key = env.PATH ?? '';
  let p = installedCache.get(key);
  if (!p) {
    p = (async () => {
      let bin: string;
      try {
        bin = resolveBinary('codex', cwd, env.PATH);
      } catch {
        return null;
      }
      const home = await fs.mkdtemp(join(tmpdir(), 'codex-mitm-version-'));
      try {
        const { version } = await codexVersion(bin, { PATH: env.PATH ?? '', HOME: home, CODEX_HOME: home, NO_COLOR: '1' }, home);
        return version ?? null;
      } catch {
        return null;
      } finally {
        await fs.rm(home, { recursive: true, force: true });
      }
    })();
    installedCache.set(key, p);
  }
  return p;
}

/** The codex-rs folder for a path the user gave (a checkout or the folder itself). */
async function findRoot(path: string): Promise<string> {
  const root = await findCodexRoot(path);
  try {
    await fs.access(join(root, 'Cargo.toml'));
  } catch {
    throw new InputError('no codex-rs folder (no Cargo.toml) here', root);
  }
  return root;
}

export async function complete(input: string, cwd: string): Promise<{ value: string; candidates: string[] }> {
  const typed = input.startsWith('~') ? expandPath(input, process.env, cwd) + (input.endsWith('/') ? '/' : '') : input;
  const slash = typed.lastIndexOf('/');
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const base = slash >= 0 ? typed.slice(slash + 1) : typed;
  const dir = resolve(cwd, dirPart || '.');
  let entries: { name: string; dir: boolean }[];
  try {
    const list = await fs.readdir(dir, { withFileTypes: true });
    entries = list.map((d) => ({ name: d.name, dir: d.isDirectory() || d.isSymbolicLink() }));
  } catch {
    return { value: input, candidates: [] };
  }
  const hits = entries
    .filter((e) => e.dir && e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
    .map((e) => `${e.name}/`)
    .sort();
  if (hits.length === 0) return { value: input, candidates: [] };
  let prefix = hits[0]!;
  for (const h of hits) while (!h.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const keep = slash >= 0 ? input.slice(0, input.length - base.length) : '';
  return { value: keep + (prefix.length > base.length ? prefix : base), candidates: hits.length > 1 ? hits : [] };
}

function options(scan: ScanResult): ApproachOption[] {
  const caps = scan.capabilities;
  // Channels codex never contacts (its own listeners, links) are not counted, as in the scan report.
  const channels = (scan.channels ?? []).filter((c) => c.contacted !== false);
  const count = (a: Approach, v: string) => channels.filter((c) => c.coverage[a] === v).length;
  // Every verdict counted, so that the counts add up to the total: "?" (the scan cannot tell,
  // e.g. a registry crate's own transport) whenever there is one.
  const covers = (a: Approach) => {
    const unknown = count(a, 'unknown');
    return `of ${channels.length} contacted channels: ✓ ${count(a, 'yes')} captured, ~ ${count(a, 'partial')} partly, ✗ ${count(a, 'no')} not${unknown ? `, ? ${unknown} unknown` : ''}`;
  };
  const webpki = webpkiManifests(scan);
  const left = webpki.local.length ? `, ${webpki.local.length} more only local (left alone)` : '';
  const aOk = caps ? caps.openaiBaseUrlKey || caps.openaiBaseUrlEnv : true;
  const caOk = caps ? caps.customCaEnv.length > 0 || caps.nativeTlsDefault : true;
  // Approach B's patch state in the tree: nothing left to switch because B switched it already
  // (its Preview says so and still gives the next steps: rebuild, run, undo).
  const bApplied = Boolean(scan.root) && existsSync(stateFileOf(scan.root, 'b'));
  return [
    {
      approach: 'a',
      ok: aOk,
      why: aOk ? covers('a') : 'this codex reads neither openai_base_url nor OPENAI_BASE_URL',
    },
    webpki.network.length === 0 && bApplied
      ? {
          approach: 'b',
          ok: true,
          applied: true,
          why: `already applied (${STATE_DIR_NAME}/b.json): nothing left to switch; undo with codex-mitm unpatch --approach b ${scan.root}`,
        }
      : {
          approach: 'b',
          ok: webpki.network.length > 0,
          why:
            webpki.network.length > 0
              ? `${covers('b')}; patches ${webpki.network.length} manifest${webpki.network.length === 1 ? '' : 's'} with webpki roots${left}`
              : webpki.local.length
                ? 'webpki roots only where TLS never reaches the network: nothing to switch'
                : 'no shipped manifest compiles in webpki roots',
        },
    {
      approach: 'ca',
      ok: caOk,
      why: caOk ? covers('ca') : 'this codex reads no custom CA and does not use the OS store',
    },
  ];
}

/** What apply needs to redo the command's steps for a plan shown in the preview. */
const requests = new WeakMap<Plan, { req: HomeRequest; unchanged: boolean }>();

function homeRequest(req: PlanRequest, env: NodeJS.ProcessEnv, cwd: string): HomeRequest {
  return {
    approach: req.approach === 'ca' ? 'ca' : 'a',
    codexHome: req.home,
    scan: req.scan,
    ...(req.auth ? { auth: req.auth } : {}),
    modelPort: req.modelPort,
    backendPort: req.backendPort,
    proxyPort: req.proxyPort,
    ...(req.ca ? { ca: req.ca } : {}),
    env,
    cwd,
  };
}

async function plan(req: PlanRequest, env: NodeJS.ProcessEnv, cwd: string): Promise<Plan> {
  if (req.approach === 'b') {
    const { plan: p } = await planTreeB(req.root, { useCache: false });
    return p;
  }
  const approach = req.approach === 'ca' ? 'ca' : 'a';
  const hr = homeRequest(req, env, cwd);
  // Exactly what `patch --approach a|ca` shows (src/patch/codex-home previewHome).
  const { shown, unchanged, portWarnings } = await previewHome(approach, hr);
  shown.notes.push(...portWarnings);
  // The planners speak the command's flags; the wizard has fields.
  shown.notes = shown.notes.map(wizardWords);
  requests.set(shown, { req: hr, unchanged });
  return shown;
}

async function apply(p: Plan): Promise<{ written: string[]; unchanged: boolean }> {
  if (p.approach === 'b') {
    const r = await applyTreeB(p as ApproachBPlan);
    return { written: r.written, unchanged: r.unchanged };
  }
  const made = requests.get(p);
  if (!made) throw new InputError('this plan was not made by the wizard; go back and preview again');
  if (made.unchanged) return { written: [], unchanged: true };
  const hr = made.req;
  const approach = p.approach === 'ca' ? 'ca' : 'a';
  const prepared = await prepareHome(approach, { ...hr, write: true });
  const r = await applyHome(approach, { ...hr, write: true }, prepared);
  return { written: r.written, unchanged: r.written.length === 0 };
}

/** The one thing to read before applying, when the planner flags it (B that changes no trust). */
export function warning(p: Plan): string | undefined {
  const b = p as Partial<ApproachBPlan>;
  return b.trustUnchanged ? p.notes[0] : undefined;
}

/** What the plan will not capture, when the planner says (approach B lists it). */
export function uncaptured(p: Plan): string[] | undefined {
  const u = (p as Partial<ApproachBPlan>).uncaptured;
  return Array.isArray(u) ? u : undefined;
}

export function realActions(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): WizardActions {
  return {
    async detectRoot(cwd) {
      try {
        return { root: await findRoot(cwd) };
      } catch (err) {
        return err instanceof AmbiguousRootError ? { error: wizardError(err) } : {};
      }
    },
    async info(root, home, cwd) {
      const abs = expandPath(home, process.env, cwd);
      const out: TreeInfo = { home: abs, ...(await readAuthMode(abs)), installed: await installedCodex(env, cwd) };
      try {
        const r = await findRoot(expandPath(root, process.env, cwd));
        out.root = r;
        out.version = await treeVersion(r);
      } catch (err) {
        out.rootError = wizardError(err);
      }
      return out;
    },
    complete,
    fetchSource: (version, onProgress) => sourceForVersion(version, { env, onProgress }),
    scan(root, onProgress) {
      // No parse cache: the wizard writes nothing until the user says y.
      return scan(root, { onProgress, useCache: false });
    },
    options,
    plan: (req) => plan(req, env, cwd),
    diff(p, color) {
      return renderDiff(p, { color });
    },
    apply,
    async save(file, text, cwd) {
      const abs = isAbsolute(file) ? file : expandPath(file, process.env, cwd);
      // never over a file that is not an earlier copy of these next steps (same first line)
      const old = await fs.readFile(abs, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : e));
      if (old instanceof Error) throw new InputError(old.code === 'EISDIR' ? 'is a directory; type a file name' : `cannot read it (${old.code ?? old.message})`, abs);
      if (old !== null && old.split('\n')[0] !== text.split('\n')[0]) throw new InputError('already exists and is not a copy of these next steps; type another name (nothing written)', abs);
      try {
        // <tree>/.codex-mitm may not exist yet (B not applied).
        await fs.mkdir(dirname(abs), { recursive: true });
        await writeFileAtomic(abs, text);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a folder on the way is a file' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'not writable here' : (code ?? (e as Error).message);
        throw new InputError(`cannot write it: ${why} (nothing written)`, abs);
      }
      return abs;
    },
  };
}
