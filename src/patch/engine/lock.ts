// One patch run per folder at a time: `<folder>/.codex-mitm.lock` (O_EXCL, holding the pid) is
// taken before a run reads what it plans from and released when it is done. A second run waits for
// it (CODEX_MITM_LOCK_WAIT_MS, default 15 s), then refuses; a lock whose process is gone is taken
// over. Re-entrant within one process (a command that locks, then calls the engine that locks).
import { promises as fs, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { InputError } from '../../model.js';

export const LOCK_NAME = '.codex-mitm.lock';
const held = new Map<string, number>();

/** A process with this pid runs (one we may not signal counts too). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holder(file: string): Promise<{ pid: number; host: string } | undefined> {
  try {
    const [pid, host] = (await fs.readFile(file, 'utf8')).trim().split(/\s+/);
    return Number.isInteger(Number(pid)) && Number(pid) > 0 ? { pid: Number(pid), host: host ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

async function take(file: string): Promise<boolean> {
  try {
    const fh = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      await fh.writeFile(`${process.pid} ${hostname()}\n`);
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // a folder that does not exist yet (or cannot be written) has nothing to protect; the run
    // itself reports why it cannot write
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return true;
    throw err;
  }
}

/** Runs `fn` holding the lock of `folder`. */
export async function withLock<T>(folder: string, fn: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const dir = resolve(folder);
  const file = join(dir, LOCK_NAME);
  const n = held.get(file) ?? 0;
  if (n > 0) {
    held.set(file, n + 1);
    try {
      return await fn();
    } finally {
      held.set(file, held.get(file)! - 1);
    }
  }
  const waitMs = Number(env.CODEX_MITM_LOCK_WAIT_MS ?? 15_000);
  const until = Date.now() + (Number.isFinite(waitMs) ? waitMs : 15_000);
  let mine = false;
  for (;;) {
    if (await take(file)) {
      mine = await fs
        .lstat(file)
        .then((st) => st.isFile())
        .catch(() => false);
      break;
    }
    const h = await holder(file);
    // a lock left by a run that died (same machine, process gone), or one that is not a lock: take it over
    if (!h || (h.host === hostname() && !alive(h.pid))) {
      const st = await fs.lstat(file).catch(() => undefined);
      if (st && !st.isFile()) throw new InputError('is not a regular file; a codex-mitm lock belongs here (remove it)', file);
      await fs.rm(file, { force: true });
      continue;
    }
    if (Date.now() >= until) {
      throw new InputError(`another codex-mitm run (pid ${h.pid}) is patching ${dir}; nothing was changed (try again when it has finished, or delete the lock if no codex-mitm runs)`, file);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  held.set(file, 1);
  try {
    return await fn();
  } finally {
    held.delete(file);
    if (mine) await fs.rm(file, { force: true });
  }
}
