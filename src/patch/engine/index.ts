export type { Plan, FilePlan, PlanReason, Replacement } from './plan.js';
export { changedFiles, isEmptyPlan, planToJson } from './plan.js';
export { renderDiff } from './diff.js';
export { applyPlan, unpatchState, readState, writeProblems, reverseRecorded, forceHint, type ApplyResult, type ApplyOptions, type UnpatchResult, type UnpatchOptions, type Writer } from './apply.js';
export type { PatchState, PatchStateFile } from './state.js';
export { STATE_VERSION, STATE_DIR_NAME, sha256, stateFileOf } from './state.js';
export { writeFileAtomic, unwritableReason } from './atomic.js';
export { verifyState } from './verify-state.js';
export { recordEdits, reverseEdits, type RecordedEdit } from './reverse.js';
