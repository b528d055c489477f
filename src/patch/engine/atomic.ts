// The one writer: temp file in the same folder, fsync, rename over the target, mode preserved;
// and its delete.
import { promises as fs, constants } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { alive } from './lock.js';

export async function writeFileAtomic(target: string, data: string | Buffer, mode?: number): Promise<void> {
  // Write through a symlink to the file it names (the link stays a link).
  const path = await fs.realpath(target).catch(() => target);
  const dir = dirname(path);
  let finalMode = mode;
  // the file's owner stays its owner when root (sudo) rewrites it
  let owner: { uid: number; gid: number } | undefined;
  try {
    const st = await fs.stat(path);
    finalMode ??= st.mode & 0o7777;
    if (process.getuid?.() === 0 && (st.uid !== 0 || st.gid !== 0)) owner = { uid: st.uid, gid: st.gid };
  } catch {
    finalMode ??= 0o644;
  }
  await cleanStaleTemps(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'wx', finalMode);
  try {
    await fh.writeFile(data);
    await fh.chmod(finalMode); // open() honours the umask; chmod does not
    if (owner) await fh.chown(owner.uid, owner.gid);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** Deletes `path` (nothing when it is gone already); the folder is synced like after a write. */
export async function removeFile(path: string): Promise<void> {
  await fs.rm(path, { force: true });
  await syncDir(dirname(path));
}

/** Removes the temp files an earlier write of `path` left behind when it was killed (kill -9 or a
 *  power cut between the write and the rename): `.<name>.<pid>.<12 hex>.tmp` beside it, regular
 *  files whose process is gone. Best effort. */
/** Removes `dir` when it is an empty folder; absent or not empty: left as it is. */
export async function removeDirIfEmpty(dir: string): Promise<void> {
  try {
    if ((await fs.readdir(dir)).length === 0) await fs.rmdir(dir);
  } catch {
    /* absent or not empty */
  }
}

export async function cleanStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const name = basename(path);
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return removed;
  }
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\.${esc}\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
  for (const e of entries) {
    const m = re.exec(e);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    const p = join(dir, e);
    try {
      const st = await fs.lstat(p);
      if (!st.isFile()) continue;
      await fs.rm(p, { force: true });
      removed.push(p);
    } catch {
      // gone already
    }
  }
  return removed;
}

async function syncDir(dir: string): Promise<void> {
  try {
    const dh = await fs.open(dir, constants.O_RDONLY);
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Some filesystems (and Windows) cannot fsync a directory; the rename is still atomic.
  }
}

/** Why `path` cannot be written (or created), or undefined when it can.
 *  Checks mode bits as well as access(2): root passes access() even on a read-only file. */
export async function unwritableReason(path: string): Promise<string | undefined> {
  const dir = dirname(path);
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) return `${path} is not a regular file`;
    if ((st.mode & 0o222) === 0) return `${path} is read-only`;
    await fs.access(path, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // created by the patch: the folder decides
    } else if (code === 'EACCES' || code === 'EPERM') return `${path} is not writable`;
    else if (typeof code === 'string') return `${path}: ${code}`;
    else throw err;
  }
  const d = await nearestExistingDir(dir);
  try {
    const st = await fs.stat(d);
    if ((st.mode & 0o222) === 0) return `folder ${d} is read-only`;
    await fs.access(d, constants.W_OK | constants.X_OK);
  } catch {
    return `folder ${d} is not writable`;
  }
  return undefined;
}

async function nearestExistingDir(dir: string): Promise<string> {
  let d = dir;
  for (;;) {
    try {
      await fs.stat(d);
      return d;
    } catch {
      const up = dirname(d);
      if (up === d) return d;
      d = up;
    }
  }
}
