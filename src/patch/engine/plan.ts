// The plan model every patcher produces (pure: text in, text out + reasons) and the engine applies.
import type { Approach } from '../../model.js';

/** Why a file changes: the rule that fired, the 1-based line in the old text, words a user can check. */
export interface PlanReason {
  rule: string;
  line: number;
  message: string;
  /** The finding behind the change, e.g. `reqwest feature "rustls-tls"`. */
  finding?: string;
}

export interface FilePlan {
  /** Absolute path of the file to write. */
  path: string;
  /** Path shown in the diff, relative to the plan's target, with `/`. */
  display: string;
  /** Current text; null when the file is created by the patch. */
  oldText: string | null;
  newText: string;
  /** Mode for a created file (existing files keep theirs). */
  mode?: number;
  reasons: PlanReason[];
  /** The replacements that turn oldText into newText (old-text offsets). When given, the state
   *  records them so `unpatch` can undo the patch in place (keeping edits made since). */
  replacements?: Replacement[];
}

/** `oldText.slice(start, end)` is replaced by `text`. */
export interface Replacement {
  start: number;
  end: number;
  text: string;
}

export interface Plan {
  approach: Approach;
  /** Absolute: the codex-rs tree root (approach b) or the codex home (a / ca). */
  target: string;
  /** Only files whose text changes belong here; an empty list means "nothing to do". */
  files: FilePlan[];
  /** What was left alone and why. */
  notes: string[];
  nextSteps: string[];
}

/** Drops files whose new text equals the old one (a second run plans nothing). */
export function changedFiles(plan: Plan): FilePlan[] {
  return plan.files.filter((f) => f.oldText !== f.newText);
}

/** true when applying the plan would write nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return changedFiles(plan).length === 0;
}

/** The plan as JSON-friendly data; texts only when asked (they can be large). */
export function planToJson(plan: Plan, opts: { texts?: boolean } = {}): unknown {
  return {
    approach: plan.approach,
    target: plan.target,
    files: changedFiles(plan).map((f) => ({
      path: f.path,
      display: f.display,
      created: f.oldText === null,
      ...(f.mode !== undefined ? { mode: f.mode } : {}),
      reasons: f.reasons,
      ...(opts.texts ? { oldText: f.oldText, newText: f.newText } : {}),
    })),
    notes: plan.notes,
    nextSteps: plan.nextSteps,
  };
}
