// Input checks that touch the machine: loopback listen host, ports (and whether they are taken),
// the CA certificate file.
import { promises as fs } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:net';
import { InputError } from '../../model.js';
import { homeRules } from './rules.js';

export function checkListenHost(host: string): string {
  // 127.0.0.0/8 is loopback as a whole (127.0.0.2, and the short form 127.1)
  const v4 = /^127(?:\.\d{1,3}){1,3}$/.test(host) && host.split('.').every((o) => Number(o) <= 255);
  if (!v4 && !homeRules().ports.loopback.includes(host)) {
    throw new InputError(
      `--listen-host ${host} is not a loopback address; the proxies see bearer tokens, so they listen on ${homeRules().ports.loopback.join(', ')} only`,
    );
  }
  return host;
}

export function parsePort(v: string | number | undefined, fallback: number, flag: string): number {
  if (v === undefined) return fallback;
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw new InputError(`${flag} ${s} is not a port number (1-65535)`);
  return Number(s);
}

/** true when something already listens on host:port (binds briefly, then lets go). */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'EADDRINUSE'));
    srv.listen({ host: host === 'localhost' ? '127.0.0.1' : host, port, exclusive: true }, () => srv.close(() => done(false)));
  });
}

/** The CA file must exist and hold a PEM certificate. */
export async function checkCaFile(path: string): Promise<void> {
  let text: string;
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) throw new InputError('CA certificate is not a regular file', path);
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? 'CA certificate not found (start mitmproxy once to create it, or pass --ca FILE)' : `cannot read CA certificate (${code})`,
      path,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new InputError('is not a PEM certificate (no BEGIN CERTIFICATE block)', path);
  try {
    new X509Certificate(text);
  } catch {
    throw new InputError('is not a valid PEM certificate', path);
  }
}
