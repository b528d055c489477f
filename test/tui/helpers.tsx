// Drives the wizard App in ink-testing-library with the real actions.
import React from 'react';
import { render } from 'ink-testing-library';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from '../../src/tui/app.js';
import { realActions, type WizardActions } from '../../src/tui/actions.js';
import { startState } from '../../src/tui/run.js';
import type { State } from '../../src/tui/state.js';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const FIXTURE = join(REPO, 'fixtures', 'codex-rs');

export const KEY = {
  enter: '\r',
  esc: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  tab: '\t',
  backspace: '\u007F',
  ctrlC: '\u0003',
};

const tick = () => new Promise((r) => setTimeout(r, 15));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `codex-mitm-${prefix}-`));
}

/** A copy of fixtures/codex-rs (tests that may write never touch the repo's fixture). */
export function fixtureCopy(): { dir: string; root: string } {
  const dir = tempDir('tree');
  const root = join(dir, 'codex-rs');
  cpSync(FIXTURE, root, { recursive: true });
  return { dir, root };
}

/** Every file under `dir` with its bytes (hex digest-free: the bytes themselves, as base64). */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

export function cleanupDirs(...dirs: string[]) {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

export interface Driven {
  frame: () => string;
  press: (...keys: string[]) => Promise<void>;
  type: (text: string) => Promise<void>;
  /** Waits (up to `ms`) until the frame contains `text`; throws with the frame otherwise. */
  waitFor: (text: string | RegExp, ms?: number) => Promise<string>;
  exited: () => { code: number; state: State } | undefined;
  /** Waits (up to `ms`) for the wizard to end; its exit code. */
  exitCode: (ms?: number) => Promise<number | undefined>;
  unmount: () => void;
}

export function drive(opts: {
  cwd: string;
  root?: string;
  home: string;
  color?: boolean;
  env?: NodeJS.ProcessEnv;
  columns?: number;
  rows?: number;
  actions?: WizardActions;
}): Driven {
  let exit: { code: number; state: State } | undefined;
  const initial = startState(
    { root: opts.root, codexHome: opts.home },
    { cwd: opts.cwd, env: opts.env ?? {}, color: opts.color ?? false },
    { columns: opts.columns ?? 100, rows: opts.rows ?? 30 },
  );
  const r = render(
    <App initial={initial} actions={opts.actions ?? realActions(opts.env ?? {}, opts.cwd)} fixedSize onExit={(code, state) => (exit = { code, state })} />,
  );
  const frame = () => r.lastFrame() ?? '';
  return {
    frame,
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(k);
        await tick();
      }
    },
    async type(text) {
      for (const ch of text) {
        r.stdin.write(ch);
        await tick();
      }
    },
    async waitFor(text, ms = 20000) {
      const end = Date.now() + ms;
      for (;;) {
        const f = frame();
        if (typeof text === 'string' ? f.includes(text) : text.test(f)) return f;
        if (Date.now() > end) throw new Error(`timed out waiting for ${String(text)}; frame:\n${f}`);
        await tick();
      }
    },
    exited: () => exit,
    async exitCode(ms = 5000) {
      const end = Date.now() + ms;
      while (!exit && Date.now() < end) await tick();
      return exit?.code;
    },
    unmount: () => r.unmount(),
  };
}

/** A frame without colour codes. */
export const strip = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');
/** Text without any whitespace: compare wrapped screen text with the string it wraps. */
export const squeeze = (s: string): string => s.replace(/\s+/g, '');
