// Where codex-mitm keeps its own files: the config folder (the user's CA) and the state folder
// (captures). CODEX_MITM_CONFIG_DIR / CODEX_MITM_STATE_DIR override them (tests, portable setups).
import { homedir } from 'node:os';
import { join } from 'node:path';

export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.CODEX_MITM_CONFIG_DIR) return env.CODEX_MITM_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'codex-mitm');
}

export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.CODEX_MITM_STATE_DIR) return env.CODEX_MITM_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'codex-mitm');
}
