// `codex-mitm wizard` (and `codex-mitm` with no arguments in a terminal): the Ink wizard.
import type { Io } from '../io.js';

/** Variables that make Ink (through is-in-ci) hold every frame back until the app exits. */
const CI_VARS = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/**
 * Loads the wizard with Ink's CI detection off. Ink reads CI/CONTINUOUS_INTEGRATION once, when
 * it is first imported, and in CI mode draws nothing until exit — a blank screen in a real
 * terminal opened from a CI job or a shell that exports CI=1. We only get here with a terminal,
 * so the variables are hidden for that one import and put back at once.
 */
async function loadWizard(): Promise<typeof import('../tui/run.js')> {
  const saved = CI_VARS.map((k) => [k, process.env[k]] as const);
  for (const [k] of saved) delete process.env[k];
  try {
    return await import('../tui/run.js');
  } finally {
    for (const [k, v] of saved) if (v !== undefined) process.env[k] = v;
  }
}

export async function wizardCommand(_p: string | undefined, opts: { root?: string; codexHome?: string }, io: Io): Promise<number> {
  // asked for and not possible here: refused like any other bad input (exit 2), nothing written
  if (!io.isTTY || !process.stdin.isTTY) {
    io.stderr('codex-mitm: the wizard needs a terminal; use `codex-mitm scan` and `codex-mitm patch` instead (see --help)\n');
    return 2;
  }
  const { runWizard } = await loadWizard();
  return runWizard({ root: opts.root, codexHome: opts.codexHome }, io);
}
