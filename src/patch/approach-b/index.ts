// Approach B end to end: scan -> plan -> (apply) ; and unpatch.
import { join } from 'node:path';
import { readRegularTextSync } from '../../scan/cargo/read-file.js';
import { InputError, type ScanResult } from '../../model.js';
import { scan } from '../../pipeline.js';
import { binaryClosure, CLI_PACKAGE } from '../../scan/cargo/index.js';
import { applyPlan, type ApplyOptions, type ApplyResult } from '../engine/apply.js';
import { verifyState } from '../engine/verify-state.js';
import type { PatchState } from '../engine/state.js';
import { planApproachB, type ApproachBPlan } from './plan.js';
import { detectOs, type OsInfo } from './next-steps.js';

export { planApproachB, type ApproachBPlan, type PlanBOptions } from './plan.js';
export { loadApproachBRules, type ApproachBRules, type SwitchRule } from './rules.js';
export { detectOs, nextStepsB, uncapturedB, type OsInfo } from './next-steps.js';
export { versionInRange } from './semver.js';
export { replaceSpans, type SpanEdit } from './edit.js';
export { unintendedDifference } from './toml-check.js';
export { unpatchTreeB, reverseManifest } from './unpatch.js';

export const SHIPPED_BINARY = CLI_PACKAGE;

export interface ApproachBOptions {
  includeDev?: boolean;
  os?: OsInfo;
  /** Use and fill the scan's parse cache (default true; the wizard's preview passes false). */
  useCache?: boolean;
}

/** Scans `path` and plans approach B. Bad input (no codex tree, a manifest that does not parse, a
 *  state that no longer matches the tree) → InputError. */
export async function planTreeB(path: string, opts: ApproachBOptions = {}): Promise<{ plan: ApproachBPlan; scan: ScanResult; state?: PatchState }> {
  const result = await scan(path, { includeTests: true, useCache: opts.useCache });
  if (!result.crates.some((c) => c.name === SHIPPED_BINARY)) {
    throw new InputError(`not a codex-rs tree: no crate named ${SHIPPED_BINARY} among ${result.crates.length} manifests`, result.root);
  }
  const state = await verifyState(result.root, 'b');
  const shipped = binaryClosure(result.crates, SHIPPED_BINARY);
  const plan = planApproachB(result, readManifestText, {
    shipped,
    includeDev: opts.includeDev,
    patchedBefore: state !== undefined,
    ...(state ? { writtenBefore: writtenBy(state) } : {}),
    os: opts.os ?? detectOs(),
    manifestProblem: (rel) => {
      const got = readRegularTextSync(join(result.root, ...rel.split('/')), { noFollow: true });
      return 'text' in got ? undefined : `manifest ${got.why}`;
    },
  });
  return { plan, scan: result, ...(state ? { state } : {}) };
}

/** A manifest to edit: a regular file read without following a link, as UTF-8 (else InputError naming it). */
function readManifestText(abs: string): string {
  const got = readRegularTextSync(abs, { noFollow: true });
  if ('text' in got) return got.text;
  throw new InputError(`manifest ${got.why}; approach B cannot switch its features (nothing was written)`, abs);
}

/** The features the runs recorded in `state` wrote (undefined when a file kept no edits). */
function writtenBy(state: PatchState): Array<{ manifest: string; line: number; feature: string }> | undefined {
  const out: Array<{ manifest: string; line: number; feature: string }> = [];
  for (const f of state.files) {
    if (!f.edits) return undefined;
    for (const run of f.edits) for (const e of run) out.push({ manifest: f.path, line: e.line, feature: e.new.replace(/^(["'])(.*)\1$/, '$2') });
  }
  return out;
}

export async function applyTreeB(plan: ApproachBPlan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  return applyPlan(plan, opts);
}
