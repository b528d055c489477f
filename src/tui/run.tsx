// Starts the wizard on the terminal and resolves with its exit code.
import React from 'react';
import { render } from 'ink';
import type { Io } from '../io.js';
import { realActions, resolveHome, type WizardActions } from './actions.js';
import { App } from './app.js';
import { initialState, type State } from './state.js';

export interface WizardOptions {
  root?: string;
  codexHome?: string;
}

/** The first state from the command line and the environment. */
export function startState(opts: WizardOptions, io: Pick<Io, 'cwd' | 'env' | 'color'>, size?: { columns: number; rows: number }): State {
  const home = resolveHome(opts.codexHome, io.env, io.cwd);
  return initialState({
    cwd: io.cwd,
    root: opts.root,
    home: home.dir,
    homeSource: home.source,
    color: io.color,
    columns: size?.columns,
    rows: size?.rows,
  });
}

export async function runWizard(opts: WizardOptions, io: Io, actions: WizardActions = realActions(io.env, io.cwd)): Promise<number> {
  let code = 0;
  let last: State | undefined;
  const instance = render(
    <App
      initial={startState(opts, io, { columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 })}
      actions={actions}
      onExit={(c, s) => {
        code = c;
        last = s;
      }}
    />,
    { exitOnCtrlC: false, patchConsole: false },
  );
  await instance.waitUntilExit();
  if (last) io.stdout(farewell(code, last));
  return code;
}

/** The line left under the last frame. */
export function farewell(code: number, s: State): string {
  const saved = s.apply.saved ? `; next steps saved to ${s.apply.saved}` : '';
  if (s.apply.status === 'done') return saved ? `\ncodex-mitm: applied${saved}.\n` : '';
  if (code === 130) return `\ncodex-mitm: interrupted, nothing applied${saved}.\n`;
  return saved ? `\ncodex-mitm: nothing applied${saved}.\n` : '\ncodex-mitm: nothing written.\n';
}
