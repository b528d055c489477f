// `codex-mitm diff A B`: what changed in codex's networking between two trees, saved `scan --json`
// reports or versions (fetched as `scan --codex-version` fetches them). Exit 0 either way.
import { readFileSync } from 'node:fs';
import type { Io } from '../io.js';
import { InputError, type ScanResult } from '../model.js';
import { diffScans } from '../diff/index.js';
import { renderDiffJson, renderDiffMarkdown, renderDiffText } from '../diff/render.js';
import { scan } from '../pipeline.js';
import { sourceForVersion, tagOf } from '../source/fetch.js';
import { readScanReport } from '../verify/index.js';

export interface DiffOptions {
  json?: boolean;
  markdown?: boolean;
  sourceRepo?: string;
}

const VERSION = /^(rust-v|v)?\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/;

/** A tree, a scan report (*.json) or a version to fetch → a scan result and its label. */
export async function scanOf(what: string, opts: DiffOptions, io: Io): Promise<{ result: ScanResult; label: string }> {
  if (what.endsWith('.json')) {
    readScanReport(what); // validates (one-line error naming the file)
    const full = JSON.parse(readFileSync(what, 'utf8')) as Partial<ScanResult>;
    const result = { endpoints: [], envVars: [], configKeys: [], tlsFeatures: [], ...full } as ScanResult;
    return { result, label: what };
  }
  if (VERSION.test(what)) {
    const { tag, version } = tagOf(what);
    const root = await sourceForVersion(version, { ...(opts.sourceRepo ? { repo: opts.sourceRepo } : {}), env: io.env, onProgress: (l) => io.stderr(`${l}\n`) });
    return { result: await scan(root), label: tag };
  }
  return { result: await scan(what), label: what };
}

export async function diffCommand(a: string, b: string, opts: DiffOptions, io: Io): Promise<number> {
  if (opts.json && opts.markdown) throw new InputError('--json and --markdown cannot be used together');
  const [sa, sb] = [await scanOf(a, opts, io), await scanOf(b, opts, io)];
  const d = diffScans(sa.result, sb.result, { a: sa.label, b: sb.label });
  io.stdout(opts.json ? renderDiffJson(d) : opts.markdown ? renderDiffMarkdown(d) : renderDiffText(d));
  return 0;
}
