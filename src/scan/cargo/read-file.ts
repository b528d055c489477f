// Reads only regular files: a FIFO, socket or device in a file's place is refused at once (never
// waited on, never read forever), a link is not followed where the caller says so, and bytes that
// are not UTF-8 are named as such instead of being decoded into U+FFFD.
import { promises as fs, constants, openSync, fstatSync, readFileSync, closeSync } from 'node:fs';

export type ReadOutcome = { text: string } | { why: string; code: 'ENOENT' | 'link' | 'special' | 'utf8' | 'error' };

const FLAGS = (noFollow: boolean) => constants.O_RDONLY | constants.O_NONBLOCK | (noFollow ? constants.O_NOFOLLOW : 0);

function kindOf(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** 1-based line of the first byte that is not UTF-8, or undefined when all are. */
export function badUtf8Line(buf: Buffer): number | undefined {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return undefined;
  } catch {
    // find the first bad offset: decode growing prefixes line by line
    let line = 1;
    let start = 0;
    for (let i = 0; i <= buf.length; i++) {
      if (i === buf.length || buf[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(start, i));
        } catch {
          return line;
        }
        line++;
        start = i + 1;
      }
    }
    return line;
  }
}

function decode(buf: Buffer): ReadOutcome {
  const bad = badUtf8Line(buf);
  if (bad !== undefined) return { why: `is not valid UTF-8 (line ${bad})`, code: 'utf8' };
  const text = buf.toString('utf8');
  return { text };
}

function failure(err: unknown): ReadOutcome {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { why: 'does not exist', code: 'ENOENT' };
  if (code === 'ELOOP') return { why: 'is a symbolic link (not followed)', code: 'link' };
  return { why: `cannot be read (${code ?? (err as Error).message})`, code: 'error' };
}

export async function readRegularText(file: string, opts: { noFollow?: boolean } = {}): Promise<ReadOutcome> {
  let fh;
  try {
    fh = await fs.open(file, FLAGS(Boolean(opts.noFollow)));
  } catch (err) {
    return failure(err);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { why: `is ${kindOf(st)}, not a regular file: not read`, code: 'special' };
    return decode(await fh.readFile());
  } catch (err) {
    return failure(err);
  } finally {
    await fh.close();
  }
}

export function readRegularTextSync(file: string, opts: { noFollow?: boolean } = {}): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(file, FLAGS(Boolean(opts.noFollow)));
  } catch (err) {
    return failure(err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { why: `is ${kindOf(st)}, not a regular file: not read`, code: 'special' };
    return decode(readFileSync(fd));
  } catch (err) {
    return failure(err);
  } finally {
    closeSync(fd);
  }
}
