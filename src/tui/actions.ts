// The wizard's one adapter to the functions the commands call (scan, planners, diff, apply).
// Screens never import those modules; wiring changes touch only this file.
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { InputError, type Approach, type ScanResult } from '../model.js';
import { applyPlan, renderDiff, writeFileAtomic, type Plan } from '../patch/engine/index.js';
import type { ApproachOption, EditAuth, HomeSource } from './state.js';

export type PlanLike = Plan;

export interface PlanRequest {
  approach: Approach;
  scan: ScanResult;
  /** codex-rs root the scan ran on. */
  root: string;
  home: string;
  auth: EditAuth;
  modelPort: number;
  backendPort: number;
  proxyPort: number;
}

export interface TreeInfo {
  /** The codex-rs folder (absolute). */
  root?: string;
  version?: string;
  auth?: EditAuth | null;
  rootError?: string;
}

export interface WizardActions {
  /** codex-rs folder at or under `cwd`, or undefined. */
  detectRoot(cwd: string): Promise<string | undefined>;
  /** Version of the tree and auth mode of the home. Never throws: problems come back as rootError. */
  info(root: string, home: string): Promise<TreeInfo>;
  /** Tab completion: the new input and the candidates (directories end with /). */
  complete(input: string, cwd: string): Promise<{ value: string; candidates: string[] }>;
  scan(root: string, onProgress: (done: number, total: number) => void): Promise<ScanResult>;
  /** Which approaches the scanned tree supports. */
  options(scan: ScanResult): ApproachOption[];
  plan(req: PlanRequest): Promise<Plan>;
  diff(plan: Plan, color: boolean): string;
  apply(plan: Plan): Promise<{ written: string[]; unchanged: boolean }>;
  /** Writes `text` to `file` (relative to cwd); returns the absolute path. */
  save(file: string, text: string, cwd: string): Promise<string>;
}

/** codex home as Approach A finds it: --codex-home, $CODEX_HOME, ~/.codex. */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): { dir: string; source: HomeSource } {
  if (flag) return { dir: resolve(cwd, expandTilde(flag)), source: 'flag' };
  if (env.CODEX_HOME) return { dir: resolve(cwd, expandTilde(env.CODEX_HOME)), source: 'env' };
  return { dir: join(homedir(), '.codex'), source: 'default' };
}

export function expandTilde(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

/** One line for any error: InputError's own form, the first line of anything else. */
export function oneLine(err: unknown): string {
  if (err instanceof InputError) return err.oneLine;
  const e = err as { message?: unknown };
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  return msg.split('\n')[0]!.trim() || 'unknown error';
}

async function readAuthMode(home: string): Promise<EditAuth | null> {
  let text: string;
  try {
    text = await fs.readFile(join(home, 'auth.json'), 'utf8');
  } catch {
    return null;
  }
  try {
    const j = JSON.parse(text) as { OPENAI_API_KEY?: unknown; tokens?: unknown };
    if (typeof j.OPENAI_API_KEY === 'string' && j.OPENAI_API_KEY) return 'apikey';
    if (j.tokens && typeof j.tokens === 'object') return 'chatgpt';
    return null;
  } catch {
    return null;
  }
}

async function treeVersion(root: string): Promise<string | undefined> {
  try {
    const doc = parseToml(await fs.readFile(join(root, 'Cargo.toml'), 'utf8')) as {
      workspace?: { package?: { version?: unknown } };
      package?: { version?: unknown };
    };
    const v = doc.workspace?.package?.version ?? doc.package?.version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

async function findRoot(path: string): Promise<string> {
  const mod = (await import('../scan/index.js')) as { findCodexRoot?: (p: string) => Promise<string> };
  if (mod.findCodexRoot) return mod.findCodexRoot(path);
  throw new InputError(`${path}: findCodexRoot is not available yet`);
}

export async function complete(input: string, cwd: string): Promise<{ value: string; candidates: string[] }> {
  const typed = expandTilde(input);
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
  const channels = scan.channels ?? [];
  const count = (a: Approach) => channels.filter((c) => c.coverage[a] === 'yes' || c.coverage[a] === 'partial').length;
  const covers = (a: Approach) => `captures ${count(a)} of ${channels.length} channels`;
  const webpki = scan.tlsFeatures.filter((t) => t.roots === 'webpki' && !t.test && !/dev-dependencies$/.test(t.table));
  const aOk = caps ? caps.openaiBaseUrlKey || caps.openaiBaseUrlEnv : true;
  const caOk = caps ? caps.customCaEnv.length > 0 || caps.nativeTlsDefault : true;
  return [
    {
      approach: 'a',
      ok: aOk,
      why: aOk ? covers('a') : 'this codex reads neither openai_base_url nor OPENAI_BASE_URL',
    },
    {
      approach: 'b',
      ok: webpki.length > 0,
      why: webpki.length > 0 ? `${webpki.length} manifest entries with webpki roots; ${covers('b')}` : 'no shipped manifest compiles in webpki roots',
    },
    {
      approach: 'ca',
      ok: caOk,
      why: caOk ? covers('ca') : 'this codex reads no custom CA and does not use the OS store',
    },
  ];
}

async function plan(req: PlanRequest): Promise<Plan> {
  if (req.approach === 'b') {
    const mod = (await import('../patch/approach-b/index.js')) as Record<string, unknown>;
    const fn = mod.planApproachB as ((scan: ScanResult, opts?: { root?: string }) => Plan | Promise<Plan>) | undefined;
    if (!fn) throw new InputError('the approach B planner is not available yet');
    return fn(req.scan, { root: req.root });
  }
  const mod = (await import('../patch/codex-home/index.js')) as Record<string, unknown>;
  const name = req.approach === 'a' ? 'planApproachA' : 'planApproachCa';
  const fn = mod[name] as ((o: Record<string, unknown>) => Plan | Promise<Plan>) | undefined;
  if (!fn) throw new InputError(`the approach ${req.approach.toUpperCase()} planner is not available yet`);
  return fn({
    codexHome: req.home,
    scan: req.scan,
    root: req.root,
    auth: req.auth,
    modelPort: req.modelPort,
    backendPort: req.backendPort,
    proxyPort: req.proxyPort,
    version: req.scan.capabilities?.version,
  });
}

export function realActions(): WizardActions {
  return {
    async detectRoot(cwd) {
      try {
        return await findRoot(cwd);
      } catch {
        return undefined;
      }
    },
    async info(root, home) {
      const out: TreeInfo = { auth: await readAuthMode(home) };
      try {
        const r = await findRoot(root);
        out.root = r;
        out.version = await treeVersion(r);
      } catch (err) {
        out.rootError = oneLine(err);
      }
      return out;
    },
    complete,
    async scan(root, onProgress) {
      const mod = (await import('../scan/index.js')) as {
        scan?: (p: string, o?: { onProgress?: (d: number, t: number) => void; useCache?: boolean }) => Promise<ScanResult>;
      };
      if (!mod.scan) throw new InputError('the scanner is not available yet');
      return mod.scan(root, { onProgress });
    },
    options,
    plan,
    diff(p, color) {
      return renderDiff(p, { color });
    },
    async apply(p) {
      const r = await applyPlan(p);
      return { written: r.written, unchanged: r.unchanged };
    },
    async save(file, text, cwd) {
      const abs = isAbsolute(file) ? file : resolve(cwd, expandTilde(file));
      await writeFileAtomic(abs, text);
      return abs;
    },
  };
}
