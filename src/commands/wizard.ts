// `codex-mitm wizard` (and `codex-mitm` with no arguments in a terminal): the Ink wizard.
import { restoreCi } from '../tui/ci-off.js';
import { runWizard } from '../tui/run.js';
import type { Io } from '../io.js';

// Ink and the wizard are loaded (above, in this order) with Ink's CI detection off: we only run
// the wizard with a terminal, so CI=1 must not blank it. The variables are back from here on.
restoreCi();

export async function wizardCommand(_p: string | undefined, opts: { root?: string; codexHome?: string }, io: Io): Promise<number> {
  // asked for and not possible here: refused like any other bad input (exit 2), nothing written
  if (!io.isTTY || !process.stdin.isTTY) {
    io.stderr('codex-mitm: the wizard needs a terminal; use `codex-mitm scan` and `codex-mitm patch` instead (see --help)\n');
    return 2;
  }
  return runWizard({ root: opts.root, codexHome: opts.codexHome }, io);
}
