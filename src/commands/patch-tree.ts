// `codex-mitm patch --approach b [PATH]` and `codex-mitm unpatch --approach b [PATH]`.
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Io } from '../io.js';
import { InputError } from '../model.js';
import { findCodexRoot } from '../scan/discover.js';
import { planTreeB } from '../patch/approach-b/index.js';
import type { ApproachBPlan } from '../patch/approach-b/plan.js';
import { applyPlan, forceHint, writeProblems } from '../patch/engine/apply.js';
import { unpatchTreeB } from '../patch/approach-b/unpatch.js';
import { renderDiff } from '../patch/engine/diff.js';
import { changedFiles, planToJson } from '../patch/engine/plan.js';
import type { ApplyResult, UnpatchResult } from '../patch/engine/apply.js';
import { stateFileOf } from '../patch/engine/state.js';

export interface PatchTreeOptions {
  dryRun?: boolean;
  json?: boolean;
  includeDev?: boolean;
  /** Write even when the rebuild would not change what codex trusts (plan.trustUnchanged). */
  force?: boolean;
}

export interface UnpatchTreeOptions {
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Plans approach B, prints the diff (or the plan as JSON) and, unless --dry-run, applies it.
 *  JSON: the plan (files with display path, reasons and their unified diff, not the whole texts),
 *  plus `dryRun`, `applied`, `written`, `stateFile`. */
export async function patchTreeCommand(path: string | undefined, opts: PatchTreeOptions, io: Io): Promise<number> {
  const { plan, state } = await planTreeB(resolve(io.cwd, path ?? '.'), { includeDev: opts.includeDev });
  const files = changedFiles(plan);
  let applied: ApplyResult | undefined;
  if (opts.dryRun && files.length > 0) {
    // The preview tells the truth: the same writability check a real run makes.
    const problems = await writeProblems(plan);
    if (problems.length > 0) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
      throw new InputError(`cannot write: ${problems[0]}${more}; a real run would refuse (dry run: nothing was written)`);
    }
  }
  // A patch that changes nothing codex trusts is refused (shown as a preview) unless --force: the
  // rebuild it asks for costs minutes and captures nothing more than the CA in the OS store does.
  const pointless = plan.trustUnchanged && files.length > 0 && !opts.dryRun && !opts.force;
  const refusal = `nothing was written: this patch would not change what codex trusts (${plan.trustUnchangedWhy}); install the CA in the OS store instead, or pass --force to write it anyway`;
  if (!opts.dryRun && !pointless && files.length > 0) applied = await applyPlan(plan);
  const stateFile = applied?.stateFile ?? stateFileOf(plan.target, 'b');

  if (opts.json) {
    const base = planToJson(plan) as Record<string, unknown>;
    const json = {
      ...base,
      files: (base.files as Array<Record<string, unknown>>).map((f, i) => ({
        ...f,
        diff: renderDiff({ ...plan, files: [files[i]!] }),
      })),
      trustUnchanged: plan.trustUnchanged,
      uncaptured: plan.uncaptured,
      lockedWebpki: plan.lockedWebpki,
      lockedRemoved: plan.lockedRemoved,
      lockedKept: plan.lockedKept,
      dryRun: Boolean(opts.dryRun),
      includeDev: Boolean(opts.includeDev),
      unchanged: files.length === 0,
      applied: Boolean(applied && !applied.unchanged),
      written: applied?.written.map((w) => rel(plan.target, w)) ?? [],
      stateFile,
      alreadyPatched: state !== undefined && files.length === 0,
      refused: pointless,
    };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    if (pointless) io.stderr(`codex-mitm: ${refusal}\n`);
    return pointless ? 2 : 0;
  }

  const out: string[] = [];
  if (files.length > 0) out.push(renderDiff(plan, { color: io.color }).trimEnd(), '');
  out.push(...summary(plan, opts, applied, stateFile, state !== undefined, pointless));
  io.stdout(`${out.join('\n')}\n`);
  if (pointless) {
    io.stderr(`codex-mitm: ${refusal}\n`);
    return 2;
  }
  return 0;
}

function summary(plan: ApproachBPlan, opts: PatchTreeOptions, applied: ApplyResult | undefined, stateFile: string, patchedBefore: boolean, refused: boolean): string[] {
  const files = changedFiles(plan);
  const preview = Boolean(opts.dryRun) || refused;
  const out: string[] = [];
  if (plan.trustUnchanged) out.push(`Note: ${plan.notes[0]}`, '');
  if (files.length === 0) {
    out.push(
      patchedBefore
        ? `Nothing to do: already patched (recorded in ${rel(plan.target, stateFile)}); no manifest of the codex-cli binary compiles in webpki roots.`
        : 'Nothing to do: no manifest of the codex-cli binary compiles in webpki roots.',
    );
  } else {
    const n = files.reduce((k, f) => k + f.reasons.length, 0);
    out.push(`Approach B: ${n} feature(s) in ${files.length} manifest(s) ${preview ? 'would be switched' : 'switched'} to native roots:`);
    for (const f of files) for (const r of f.reasons) out.push(`  ${f.display}:${r.line}  ${r.message.split(':')[0]}`);
    if (refused) out.push('Preview only: nothing was written (see the note above; --force writes it).');
    else if (opts.dryRun) out.push('Dry run: nothing was written.');
    else out.push(`Wrote ${applied?.written.length ?? 0} file(s); original bytes kept under ${rel(plan.target, stateFile)} (undo: codex-mitm unpatch --approach b ${plan.target}).`);
  }
  const notes = plan.trustUnchanged ? plan.notes.slice(1) : plan.notes;
  if (notes.length > 0) out.push('', 'Left alone / worth knowing:', ...notes.map((n) => `  - ${n}`));
  out.push(...lockSection(plan, preview));
  if (plan.nextSteps.length > 0) out.push('', 'Next steps:', ...plan.nextSteps.map((s, i) => `  ${i + 1}. ${s}`));
  if (plan.uncaptured.length > 0) out.push('', 'Still not captured through the proxy:', ...plan.uncaptured.map((u) => `  - ${u}`));
  return out;
}

/** Cargo.lock's webpki-roots dependents: those the switches remove from Cargo.lock, those that
 *  leave codex-cli but stay listed (a feature left alone still enables them), and those that stay. */
function lockSection(plan: ApproachBPlan, dryRun: boolean): string[] {
  const out: string[] = [];
  const via = (l: ApproachBPlan['lockedRemoved'][number]) =>
    [
      l.switchedBy.length ? `via ${l.switchedBy.join(', ')} (${dryRun ? 'which this patch would switch' : 'switched by this patch'})` : '',
      l.switchedBefore?.length ? `via features an earlier run switched (now ${l.switchedBefore.join(', ')})` : '',
    ]
      .filter(Boolean)
      .join('; ');
  const compiled = plan.lockedRemoved.filter((l) => l.stillCompiledBy?.length);
  const gone = plan.lockedRemoved.filter((l) => !l.stillLockedBy?.length && !l.stillCompiledBy?.length);
  const listed = plan.lockedRemoved.filter((l) => l.stillLockedBy?.length && !l.stillCompiledBy?.length);
  if (compiled.length > 0) {
    out.push('', 'Cargo.lock: still compiled into codex-cli after the rebuild (a shipped feature left alone above turns them on):');
    for (const l of compiled) out.push(`  - ${l.package} ${l.version}: ${via(l)}; still enabled by ${l.stillCompiledBy!.join(', ')}`);
  }
  if (gone.length > 0) {
    out.push('', 'Cargo.lock: depend on webpki-roots only through switched features (removed from Cargo.lock once the rebuild regenerates it):');
    for (const l of gone) out.push(`  - ${l.package} ${l.version}: ${via(l)}`);
  }
  if (listed.length > 0) {
    out.push('', 'Cargo.lock: no longer compiled into codex-cli after the rebuild, but Cargo.lock keeps listing them (a feature left alone above still enables them):');
    for (const l of listed) out.push(`  - ${l.package} ${l.version}: ${via(l)}; still enabled by ${l.stillLockedBy!.join(', ')}`);
  }
  if (plan.lockedKept.length > 0) {
    out.push('', "Cargo.lock: still embedded after the rebuild (third-party crates' own webpki-roots features, not switched by this patch):");
    for (const l of plan.lockedKept) out.push(`  - ${l.package} ${l.version}: ${l.reason}`);
  }
  return out;
}

/** Restores every byte approach B changed (refuses files edited since, unless --force). */
export async function unpatchTreeCommand(path: string | undefined, opts: UnpatchTreeOptions, io: Io): Promise<number> {
  const root = await findCodexRoot(resolve(io.cwd, path ?? '.'));
  // nothing recorded: a no-op, like a second `patch` (exit 0), said plainly
  if (!existsSync(stateFileOf(root, 'b'))) {
    io.stdout(`Nothing to unpatch: no approach b patch is recorded in ${root} (${rel(root, stateFileOf(root, 'b'))} not found).\n`);
    return 0;
  }
  const res: UnpatchResult = await unpatchTreeB(root, { force: opts.force, dryRun: opts.dryRun });
  // A dry run exits as the real run would: 2 when it would refuse (no --force) or leave files unrestored.
  const refusedNow = res.refused.length > 0 && !opts.force;
  const lost = res.notRestored ?? [];
  const dryFail = opts.dryRun && (refusedNow || lost.length > 0);
  const failLine = () => {
    if (lost.length > 0) {
      const names = lost.map((l) => rel(root, l.path));
      return `${rel(root, lost[0]!.path)}: ${lost[0]!.reason}; a real run restores the others but not ${names.join(', ')}: put it back yourself (in a git checkout: \`git checkout -- ${names.join(' ')}\`), then delete ${rel(root, res.stateFile ?? stateFileOf(root, 'b'))}`;
    }
    const more = res.refused.length > 1 ? ` (and ${res.refused.length - 1} more)` : '';
    return `${rel(root, res.refused[0]!.path)}: ${res.refused[0]!.reason}${more}; a real run refuses to restore anything (${forceHint(res.refused)})`;
  };
  if (opts.json) {
    io.stdout(
      `${JSON.stringify(
        {
          approach: 'b',
          target: root,
          dryRun: Boolean(opts.dryRun),
          restored: res.restored.map((p) => rel(root, p)),
          removed: res.removed.map((p) => rel(root, p)),
          refused: res.refused.map((r) => ({ path: rel(root, r.path), reason: r.reason })),
          untouched: (res.untouched ?? []).map((p) => rel(root, p)),
          inPlace: (res.inPlace ?? []).map((p) => rel(root, p)),
          notRestored: lost.map((r) => ({ path: rel(root, r.path), reason: r.reason })),
        },
        null,
        2,
      )}\n`,
    );
    if (dryFail) {
      io.stderr(`codex-mitm: ${failLine()}\n`);
      return 2;
    }
    return 0;
  }
  const verb = opts.dryRun ? 'Would restore' : 'Restored';
  const out: string[] = [];
  const how = (res.inPlace ?? []).length > 0 ? ' (original bytes, or the patch undone in place)' : ' to their original bytes';
  out.push(`${verb} ${res.restored.length} file(s)${how}${res.restored.length ? ':' : '.'}`);
  const inPlace = new Set(res.inPlace ?? []);
  out.push(...res.restored.map((p) => `  ${rel(root, p)}${inPlace.has(p) ? ' (patch undone in place, keeping any edits made since)' : ''}`));
  if (res.removed.length > 0) out.push(`${opts.dryRun ? 'Would remove' : 'Removed'} ${res.removed.length} file(s) the patch created:`, ...res.removed.map((p) => `  ${rel(root, p)}`));
  if ((res.untouched ?? []).length > 0) out.push(`Already original: ${(res.untouched ?? []).map((p) => rel(root, p)).join(', ')}`);
  if (res.refused.length > 0) {
    out.push(opts.force ? 'Edited since the patch (overwritten with --force):' : 'Edited since the patch (a real run refuses; --force overwrites):');
    out.push(...res.refused.map((r) => `  ${rel(root, r.path)}: ${r.reason}`));
  }
  if (lost.length > 0) out.push(`${opts.dryRun ? 'Would not restore' : 'Not restored'}:`, ...lost.map((l) => `  ${rel(root, l.path)}: ${l.reason}`));
  if (opts.dryRun) out.push('Dry run: nothing was written.');
  else out.push('Patch state removed. Rebuild (`cargo build --release`) to get the original trust roots back.');
  io.stdout(`${out.join('\n')}\n`);
  if (dryFail) {
    io.stderr(`codex-mitm: ${failLine()}\n`);
    return 2;
  }
  return 0;
}

function rel(root: string, p: string): string {
  const r = relative(root, p);
  return r.startsWith('..') ? p : r.split('\\').join('/');
}
