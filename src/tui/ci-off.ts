// Hides CI and CONTINUOUS_INTEGRATION while Ink is first loaded. Ink reads them once, when it is
// first evaluated (through is-in-ci), and in CI mode draws nothing until the app exits: a blank
// screen in a real terminal opened from a CI job or a shell that exports CI=1. Imported by
// src/commands/wizard.ts just before src/tui/run.js (ES modules are evaluated in import order),
// which calls restoreCi() in its body, right after Ink and the wizard were evaluated.

/** Variables that make Ink (through is-in-ci) hold every frame back until the app exits. */
const CI_VARS = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

const saved = CI_VARS.map((k) => [k, process.env[k]] as const);
for (const [k] of saved) delete process.env[k];

/** Puts the variables back as they were (once; later calls do nothing). */
export function restoreCi(): void {
  for (const [k, v] of saved.splice(0)) if (v !== undefined) process.env[k] = v;
}
