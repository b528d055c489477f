// Where codex-mitm keeps its own files: the config folder (the user's CA) and the state folder
// (captures). CODEX_MITM_CONFIG_DIR / CODEX_MITM_STATE_DIR override them (tests, portable setups).
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from './model.js';

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.CODEX_MITM_CONFIG_DIR) return env.CODEX_MITM_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'codex-mitm');
}

export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.CODEX_MITM_STATE_DIR) return env.CODEX_MITM_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'codex-mitm');
}

/** A private folder: made 0700 when missing; an existing one must be a real folder (a symbolic
 *  link or a file there is refused), and is narrowed to 0700 when others could read it. */
export function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) throw new InputError('not a folder (a symbolic link or a file is not trusted here)', dir);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}
