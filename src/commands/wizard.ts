// `codex-mitm wizard` (and `codex-mitm` with no arguments in a terminal): the Ink wizard.
import type { Io } from '../io.js';
import { runWizard } from '../tui/run.js';

export async function wizardCommand(_p: string | undefined, opts: { root?: string; codexHome?: string }, io: Io): Promise<number> {
  if (!io.isTTY || !process.stdin.isTTY) {
    io.stdout('codex-mitm wizard needs a terminal; use `codex-mitm scan` and `codex-mitm patch` instead (see --help).\n');
    return 0;
  }
  return runWizard({ root: opts.root, codexHome: opts.codexHome }, io);
}
