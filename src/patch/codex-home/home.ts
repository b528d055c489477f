// The user's codex home: where it is, whether it can be read and written, what it holds.
// auth.json is only inspected for its shape (which keys are non-null); nothing from it is kept,
// printed or copied.
import { promises as fs, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { badUtf8Line } from '../../scan/cargo/read-file.js';
import { InputError } from '../../model.js';
import { homeRules } from './rules.js';
import { jsonErrorLine } from '../../json-error.js';

export interface HomeFiles {
  home: string;
  configPath: string;
  configText: string | null;
  envPath: string;
  envText: string | null;
}

export type AuthChoice = { mode: 'apikey' | 'chatgpt'; source: string } | { mode: undefined; source: string };

export function userHome(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

/** `~/x` -> absolute, relative paths against cwd. */
export function expandPath(p: string, env: NodeJS.ProcessEnv, cwd: string): string {
  if (p === '~' || p.startsWith('~/')) return join(userHome(env), p.slice(1));
  return resolve(cwd, p);
}

/** --codex-home, else $CODEX_HOME, else ~/.codex. */
export function resolveCodexHome(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (flag) return expandPath(flag, env, cwd);
  if (env.CODEX_HOME) return expandPath(env.CODEX_HOME, env, cwd);
  return join(userHome(env), '.codex');
}

/** Refuses a missing, unreadable or (when writing) read-only codex home. Mode bits count too:
 *  root passes access(2) everywhere. */
export async function checkHome(home: string, write: boolean): Promise<void> {
  let st;
  try {
    st = await fs.stat(home);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'codex home does not exist (run codex once to create it, or point --codex-home at an existing one)' : `cannot read codex home (${code})`, home);
  }
  if (!st.isDirectory()) throw new InputError('codex home is not a directory', home);
  try {
    await fs.access(home, constants.R_OK | constants.X_OK);
  } catch {
    throw new InputError('codex home is not readable', home);
  }
  if ((st.mode & 0o444) === 0) throw new InputError('codex home is not readable', home);
  if (write) {
    let ok = (st.mode & 0o222) !== 0;
    try {
      await fs.access(home, constants.W_OK);
    } catch {
      ok = false;
    }
    if (!ok) throw new InputError('codex home is read-only; nothing written', home);
  }
}

/** Text of a file in the codex home; null when absent. A folder or other non-file is refused. */
export async function readHomeFile(path: string, writeCheck: boolean): Promise<string | null> {
  let st;
  try {
    st = await fs.lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`cannot read (${(err as NodeJS.ErrnoException).code})`, path);
  }
  if (st.isDirectory()) throw new InputError('is a directory, expected a file', path);
  if (st.isSymbolicLink()) throw new InputError('is a symbolic link; codex-mitm edits regular files only (edit the target by hand)', path);
  if (!st.isFile()) throw new InputError('is not a regular file', path);
  if (writeCheck && (st.mode & 0o222) === 0) throw new InputError('is read-only; nothing written', path);
  const max = homeRules().files.max_bytes;
  if (max !== undefined && st.size > max) throw new InputError(`is ${st.size} bytes, more than the ${max} a codex home file can sensibly hold; refusing to read it (nothing written)`, path);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    throw new InputError(`cannot read (${(err as NodeJS.ErrnoException).code})`, path);
  }
  const bad = badUtf8Line(bytes);
  if (bad !== undefined) throw new InputError('is not valid UTF-8 (codex reads it as UTF-8 TOML/JSON); nothing was written', path, bad);
  return bytes.toString('utf8');
}

export async function readHome(home: string, write: boolean): Promise<HomeFiles> {
  await checkHome(home, write);
  const f = homeRules().files;
  const configPath = join(home, f.config);
  const envPath = join(home, f.env_file);
  return {
    home,
    configPath,
    configText: await readHomeFile(configPath, write),
    envPath,
    envText: await readHomeFile(envPath, write),
  };
}

/** --auth, else the shape of auth.json: `auth_mode`, non-null OPENAI_API_KEY (API key), `tokens` (ChatGPT). */
export async function detectAuth(home: string, flag: string | undefined): Promise<AuthChoice> {
  if (flag === 'apikey' || flag === 'chatgpt') return { mode: flag, source: '--auth' };
  const path = join(home, homeRules().files.auth);
  const text = await readHomeFile(path, false);
  if (text === null) return { mode: undefined, source: 'no auth.json' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Never echo the parser's message: it can quote the file's content (tokens, keys).
    throw new InputError('is not valid JSON', path, jsonErrorLine(text));
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new InputError('is not a JSON object', path, 1);
  const o = data as Record<string, unknown>;
  const mode = typeof o.auth_mode === 'string' ? o.auth_mode.toLowerCase() : undefined;
  const modes = homeRules().auth;
  if (mode && modes.apikey_modes.includes(mode)) return { mode: 'apikey', source: `auth.json (auth_mode ${mode})` };
  if (mode && modes.chatgpt_modes.includes(mode)) return { mode: 'chatgpt', source: `auth.json (auth_mode ${mode})` };
  if (o.OPENAI_API_KEY !== null && o.OPENAI_API_KEY !== undefined) return { mode: 'apikey', source: 'auth.json (OPENAI_API_KEY)' };
  if (o.tokens !== null && o.tokens !== undefined) return { mode: 'chatgpt', source: 'auth.json (tokens)' };
  return { mode: undefined, source: 'auth.json holds neither an API key nor tokens' };
}
