// The user's codex-mitm CA: generated once, kept under the codex-mitm config folder (dirs.ts) with the
// key 0600 in a 0700 folder, and reused by every capture and verify run. A folder or file there
// that is a symbolic link, or a key readable by others, is refused rather than trusted.
import { lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import * as mockttp from 'mockttp';
import { configDir, privateDir } from '../dirs.js';
import { InputError } from '../model.js';

export interface UserCa {
  key: string;
  cert: string;
  /** The certificate file codex and its children are pointed at. */
  certPath: string;
  keyPath: string;
  /** Made by this call (else read back). */
  created: boolean;
}

const CERT = 'codex-mitm-ca.pem';
const KEY = 'codex-mitm-ca-key.pem';

function readRegular(file: string): string | undefined {
  let st;
  try {
    st = lstatSync(file);
  } catch {
    return undefined;
  }
  if (!st.isFile()) throw new InputError('not a regular file (a symbolic link is not trusted here)', file);
  return readFileSync(file, 'utf8');
}

/** Reads the CA folder; undefined when it does not exist. */
function readCa(dir: string): UserCa | undefined {
  const certPath = join(dir, CERT);
  const keyPath = join(dir, KEY);
  try {
    lstatSync(dir);
  } catch {
    return undefined;
  }
  privateDir(dir);
  const key = readRegular(keyPath);
  const cert = readRegular(certPath);
  if (key === undefined || cert === undefined) throw new InputError(`incomplete CA folder (needs ${CERT} and ${KEY}): delete it to make a new CA`, dir);
  const mode = lstatSync(keyPath).mode & 0o777;
  if (mode & 0o077) throw new InputError(`CA key is readable by others (mode ${mode.toString(8)}): chmod 600 it, or delete the folder to make a new CA`, keyPath);
  return { key, cert, certPath, keyPath, created: false };
}

/** The user's CA, made on first use. Made in a private temporary folder renamed into place, so
 *  two runs starting at once agree on one CA (the loser reads the winner's). */
export async function loadUserCa(env: NodeJS.ProcessEnv): Promise<UserCa> {
  const base = configDir(env);
  privateDir(base);
  const dir = join(base, 'ca');
  const existing = readCa(dir);
  if (existing) return existing;
  let who = 'user';
  try {
    who = `${userInfo().username}@${hostname()}`;
  } catch {
    // no passwd entry: keep the generic name
  }
  const made = await mockttp.generateCACertificate({ subject: { commonName: `codex-mitm CA (${who})`, organizationName: 'codex-mitm' }, bits: 2048 });
  const tmp = mkdtempSync(join(base, '.ca-'));
  writeFileSync(join(tmp, KEY), made.key, { mode: 0o600 });
  writeFileSync(join(tmp, CERT), made.cert, { mode: 0o644 });
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
    return readCa(dir)!;
  }
  return { ...made, certPath: join(dir, CERT), keyPath: join(dir, KEY), created: true };
}
