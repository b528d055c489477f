import { writeFile } from 'node:fs/promises';
import type { Io } from '../io.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBinaryEvidence, type TreeFacts } from '../binary/evidence.js';
import { renderBinaryText, versionLine } from '../binary/render.js';
import { loadChannelRules } from '../channels/rules.js';
import { InputError, type ScanResult } from '../model.js';
import { sourceForVersion } from '../source/fetch.js';
import { loadVerifyRules } from '../verify/rules.js';
import { codexVersion, resolveBinary } from '../verify/run.js';
import { render, type Format } from '../report/index.js';
import { scan } from '../pipeline.js';
import { loadRules } from '../scan/rust/rules-load.js';
import { progressReporter } from './progress.js';

export interface ScanCommandOptions {
  codexVersion?: string;
  sourceRepo?: string;
  binary?: string;
  json?: boolean;
  markdown?: boolean;
  sarif?: boolean;
  includeTests?: boolean;
  cache?: boolean;
  output?: string;
}

/** Facts of the tree the binary is compared with. */
function treeFacts(r: ScanResult): TreeFacts {
  const prod = <T extends { test?: boolean }>(xs: T[] | undefined) => (xs ?? []).filter((x) => !x.test);
  const contacted = (r.channels ?? []).filter((c) => c.contacted !== false);
  return {
    root: r.root,
    ...(r.capabilities?.version ? { version: r.capabilities.version } : {}),
    hosts: [...new Set([...contacted.flatMap((c) => c.hosts), ...prod(r.endpoints).map((e) => e.host).filter(Boolean)])],
    paths: [...new Set(prod(r.endpoints).flatMap((e) => e.paths ?? []))],
    envVars: [...new Set(prod(r.envVars).filter((e) => !e.debugOnly && !e.forChild).map((e) => e.name))],
    configKeys: [...new Set(prod(r.configKeys).map((k) => k.key))],
  };
}

/** Names the rules know: channel overrides, codex's proxy and CA variables. */
function ruleNames(): { hosts: string[]; env: string[]; config: string[] } {
  const ch = loadChannelRules().channels;
  const a = loadVerifyRules();
  const env = [...ch.flatMap((c) => c.env), ...(loadRules().data.env?.known_names ?? []), a.caEnv, a.fallbackCaEnv, a.model.envVar ?? '', ...a.proxyEnv].filter(Boolean);
  return { hosts: ch.flatMap((c) => c.hosts), env, config: [...ch.flatMap((c) => c.config), a.model.configKey, a.backend.configKey] };
}

/** The codex on PATH, when there is one: its version. */
async function installedVersion(io: Io): Promise<string | undefined> {
  let bin: string;
  try {
    bin = resolveBinary('codex', io.cwd, io.env.PATH);
  } catch {
    return undefined;
  }
  const home = await mkdtemp(join(tmpdir(), 'codex-mitm-version-'));
  try {
    return (await codexVersion(bin, { PATH: io.env.PATH ?? '', HOME: home, CODEX_HOME: home, NO_COLOR: '1' }, home)).version;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export async function scanCommand(path: string | undefined, opts: ScanCommandOptions, io: Io): Promise<number> {
  const formats = (['json', 'markdown', 'sarif'] as const).filter((f) => opts[f]);
  if (formats.length > 1) throw new InputError(`choose one of --json, --markdown, --sarif (got ${formats.map((f) => `--${f}`).join(' ')})`);
  if (path && opts.codexVersion) throw new InputError('give a tree or --codex-version, not both');
  const format: Format = formats[0] ?? 'table';
  const fetchSource = (version: string) =>
    sourceForVersion(version, { ...(opts.sourceRepo ? { repo: opts.sourceRepo } : {}), env: io.env, onProgress: (l) => io.stderr(`codex-mitm: ${l}\n`) });
  let target = path ?? (opts.codexVersion ? await fetchSource(opts.codexVersion) : io.cwd);
  const progress = progressReporter(io);
  let result: ScanResult | undefined;
  try {
    result = await scan(target, { includeTests: opts.includeTests, useCache: opts.cache !== false, onProgress: progress.update });
  } catch (err) {
    progress.done();
    // no tree given and none here: the binary alone, or the source of the installed codex
    if (path || opts.codexVersion || !(err instanceof InputError)) throw err;
    if (opts.binary) return binaryOnly(opts, io, format);
    const installed = await installedVersion(io);
    if (!installed) throw new InputError(`${err.oneLine}; give a codex-rs tree, --codex-version X to fetch the source of a version, or --binary PATH for evidence from a codex binary`);
    io.stderr(`codex-mitm: no codex-rs tree here; using the source of the installed codex ${installed} (rust-v${installed})\n`);
    target = await fetchSource(installed);
    result = await scan(target, { includeTests: opts.includeTests, useCache: opts.cache !== false, onProgress: progress.update });
  } finally {
    progress.done();
  }
  // a folder that is not codex's (a home folder, another Rust project): refused, naming what is there
  const prefix = loadRules().data.tree?.package_prefix;
  if (prefix && result.crates.length > 0 && !result.crates.some((c) => c.name === prefix || c.name.startsWith(`${prefix}-`))) {
    const names = result.crates.map((c) => c.name).sort();
    const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? `, and ${names.length - 4} more` : '');
    throw new InputError(
      `not a codex-rs tree: ${result.summary.manifests} Cargo.toml ${result.summary.manifests === 1 ? 'declares' : 'declare'} ${names.length} package${names.length === 1 ? '' : 's'} (${shown}), none named ${prefix}-*; pass a codex checkout or its codex-rs folder`,
      result.root,
    );
  }
  const evidence = opts.binary ? binaryEvidence(opts.binary, result) : undefined;
  if (evidence && format === 'json') (result as ScanResult & { binary?: unknown }).binary = evidence;
  const report = render(result, format, { color: io.color && !opts.output, includeTests: Boolean(opts.includeTests), width: opts.output ? undefined : io.columns });
  const text = evidence && format !== 'json' && format !== 'sarif' ? `${versionLine(evidence, evidence.crossCheck)}\n\n${report.replace(/\n?$/, '\n')}\n${renderBinaryText(evidence)}` : report;
  if (opts.output) {
    try {
      await writeFile(opts.output, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(err));
      throw new InputError(`cannot write the report: ${why}`, opts.output);
    }
  }
  else io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

function binaryEvidence(file: string, tree?: ScanResult) {
  const names = ruleNames();
  return readBinaryEvidence(file, { channelHosts: names.hosts, envNames: names.env, configKeys: names.config, ...(tree ? { tree: treeFacts(tree) } : {}) });
}

/** `scan --binary PATH` with no tree: a report marked binary-only. */
function binaryOnly(opts: ScanCommandOptions, io: Io, format: Format): number {
  const ev = binaryEvidence(opts.binary!);
  if (format === 'json') io.stdout(JSON.stringify({ schemaVersion: 1, binaryOnly: true, binary: ev }, null, 2) + '\n');
  else io.stdout(renderBinaryText(ev));
  return 0;
}
