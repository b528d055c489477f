// Which state folders codex-mitm trusts, and how it reads and writes inside them without following
// a link. A `.codex-mitm/` folder can come with a cloned checkout: its state is trusted only when it
// carries a keyed hash (HMAC-SHA256) that only this user's codex-mitm can make, with a secret kept
// 0600 under the codex-mitm config folder (dirs.ts configDir). No path component of the state
// folder, of its backups or of a recorded file (below the patched folder) may be a symbolic link.
import { promises as fs, constants } from 'node:fs';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join, relative, isAbsolute, sep } from 'node:path';
import { configDir, privateDir } from '../../dirs.js';
import { InputError } from '../../model.js';

const KEY_FILE = 'state-key';
const MAC_CONTEXT = 'codex-mitm patch state v1\n';

async function readKey(file: string): Promise<Buffer | undefined> {
  let fh;
  try {
    fh = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new InputError('is a symbolic link: the codex-mitm state key must be a regular file', file);
    throw new InputError(`cannot read the codex-mitm state key: ${code ?? (err as Error).message}`, file);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InputError('not a regular file: the codex-mitm state key must be one', file);
    if ((st.mode & 0o077) !== 0) throw new InputError(`the codex-mitm state key is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`, file);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new InputError('the codex-mitm state key belongs to another user', file);
    const text = (await fh.readFile('utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new InputError('the codex-mitm state key is damaged (delete it: states it signed are then refused)', file);
    return Buffer.from(text, 'hex');
  } finally {
    await fh.close();
  }
}

/** The user's state key; made on first use when `create`. undefined when none exists (and not `create`). */
export async function stateKey(env: NodeJS.ProcessEnv, create: boolean): Promise<Buffer | undefined> {
  const dir = create ? privateDir(configDir(env)) : configDir(env);
  const file = join(dir, KEY_FILE);
  const have = await readKey(file);
  if (have || !create) return have;
  try {
    const fh = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      await fh.writeFile(`${randomBytes(32).toString('hex')}\n`);
      await fh.chmod(0o600);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // another run may have made it at the same moment: both read the one on disk
  return (await readKey(file))!;
}

function macOf(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(MAC_CONTEXT).update(body).digest('hex');
}

/** The state's text with its `mac` field (the HMAC of the text without it). */
export async function signState(state: object, env: NodeJS.ProcessEnv): Promise<string> {
  const key = (await stateKey(env, true))!;
  const { mac: _old, ...rest } = state as { mac?: unknown };
  void _old;
  const body = JSON.stringify(rest);
  return `${JSON.stringify({ ...rest, mac: macOf(key, body) }, null, 2)}\n`;
}

/** Throws InputError unless `data` (a parsed state) carries the mac this user's key makes. */
export async function checkStateMac(data: Record<string, unknown>, file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const untrusted = (why: string): never => {
    throw new InputError(
      `patch state is not trusted: ${why}. A state folder that came with a checkout (or from another user) could make codex-mitm write anywhere; nothing was changed. Check the files it lists, restore them yourself (in a git checkout: \`git checkout -- .\` for the manifests), then delete ${file}`,
      file,
    );
  };
  const mac = data.mac;
  if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) untrusted('it carries no codex-mitm signature');
  const key = await stateKey(env, false);
  if (!key) untrusted(`there is no codex-mitm state key on this machine (${join(configDir(env), KEY_FILE)})`);
  const { mac: _m, ...rest } = data;
  void _m;
  const want = Buffer.from(macOf(key!, JSON.stringify(rest)), 'hex');
  if (!timingSafeEqual(want, Buffer.from(mac as string, 'hex'))) untrusted("its signature was not made by this user's codex-mitm (or the state was edited)");
}

/** Throws InputError when `dir` (an existing path) or the way to it from `root` goes through a link
 *  or something that is not a folder. Missing components are fine (they get created). */
export async function assertRealDirs(root: string, dir: string, what: string): Promise<void> {
  const rel = relative(root, dir);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    await assertNotLink(dir, what, true);
    return;
  }
  let cur = root;
  for (const part of rel === '' ? [] : rel.split(sep)) {
    cur = join(cur, part);
    if (!(await assertNotLink(cur, what, true))) return;
  }
}

/** false when `path` does not exist; throws when it is a link (or, with `dir`, not a folder). */
async function assertNotLink(path: string, what: string, dir: boolean): Promise<boolean> {
  let st;
  try {
    st = await fs.lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new InputError(`cannot check ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, path);
  }
  if (st.isSymbolicLink()) throw new InputError(`${what} goes through a symbolic link; codex-mitm does not follow links here (nothing was changed)`, path);
  if (dir && !st.isDirectory()) throw new InputError(`${what} goes through something that is not a folder (nothing was changed)`, path);
  return true;
}

/** Throws InputError when a component of `stored` (relative to `root`, with `/`) is a link, a
 *  folder component is not a folder, or the file itself exists and is not a regular file. */
export async function assertPlainPath(root: string, stored: string, what: string): Promise<void> {
  const parts = stored.split('/');
  let cur = root;
  for (const [i, part] of parts.entries()) {
    cur = join(cur, part);
    const last = i === parts.length - 1;
    let st;
    try {
      st = await fs.lstat(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new InputError(`cannot check ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, cur);
    }
    if (st.isSymbolicLink()) throw new InputError(`${last ? `${what} is` : `${what} goes through`} a symbolic link; codex-mitm does not write through links (nothing was changed)`, cur);
    if (!last && !st.isDirectory()) throw new InputError(`${what} goes through something that is not a folder (nothing was changed)`, cur);
    if (last && !st.isFile()) throw new InputError(`${what} is not a regular file (nothing was changed)`, cur);
  }
}

/** A file's bytes read without following a link; null when it does not exist. Not a regular file → InputError. */
export async function readNoFollow(file: string, what: string): Promise<Buffer | null> {
  let fh;
  try {
    fh = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new InputError(`${what} is a symbolic link; codex-mitm does not follow links here (nothing was changed)`, file);
    throw new InputError(`cannot read ${what}: ${code ?? (err as Error).message}`, file);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InputError(`${what} is not a regular file (nothing was changed)`, file);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
