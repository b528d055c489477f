// Temporary codex homes, a fake `codex` on PATH, a throwaway CA, and the built CLI.
import { spawnSync } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import forge from 'node-forge';
import { afterEach, expect } from 'vitest';
import { REPO, runCli, type CliRun } from '../helpers/run-cli.js';

export { REPO };


export interface Sandbox {
  dir: string;
  /** The codex home (created). */
  home: string;
  /** $HOME for the CLI. */
  userHome: string;
  /** PATH for the CLI: a folder with (optionally) a fake codex. */
  bin: string;
  cli: (args: string[], env?: NodeJS.ProcessEnv) => CliRun;
  write: (name: string, text: string) => Promise<void>;
  read: (name: string) => Promise<string | null>;
  /** Every file under the codex home with its bytes (relative path -> content). */
  snapshot: () => Record<string, string>;
  cleanup: () => Promise<void>;
}

export async function sandbox(opts: { codexVersion?: string } = {}): Promise<Sandbox> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'cm-home-'));
  const home = join(dir, 'codex-home');
  const userHome = join(dir, 'user');
  const bin = join(dir, 'bin');
  await fs.mkdir(home);
  await fs.mkdir(userHome);
  await fs.mkdir(bin);
  if (opts.codexVersion) {
    await fs.writeFile(join(bin, 'codex'), `#!/bin/sh\necho "codex-cli ${opts.codexVersion}"\n`, { mode: 0o755 });
  }
  return {
    dir,
    home,
    userHome,
    bin,
    cli: (args, env = {}) => runCli(args, { cwd: dir, env: { PATH: bin, HOME: userHome, CODEX_HOME: '', ...env } }),
    write: (name, text) => fs.writeFile(join(home, name), text),
    read: (name) => fs.readFile(join(home, name), 'utf8').catch(() => null),
    snapshot: () => snapshotDir(home),
    cleanup: async () => {
      await fs.chmod(home, 0o755).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

function snapshotDir(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out[`${relative(root, p)}/`] = (st.mode & 0o777).toString(8);
        walk(p);
      } else out[relative(root, p)] = readFileSync(p, 'latin1');
    }
  };
  walk(root);
  return out;
}

/** A self-signed CA certificate (PEM) written to `path`. */
export async function writeCa(path: string): Promise<void> {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: 'commonName', value: 'codex-mitm test CA' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'basicConstraints', cA: true }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  await fs.writeFile(path, forge.pki.certificateToPem(cert));
}

/** `sandbox()` for a test file: call at its top; every sandbox made is removed after its test. */
export function sandboxes(): (opts?: { codexVersion?: string }) => Promise<Sandbox> {
  const made: Sandbox[] = [];
  afterEach(async () => {
    for (const sb of made.splice(0)) await sb.cleanup();
  });
  return async (opts) => {
    const sb = await sandbox(opts);
    made.push(sb);
    return sb;
  };
}

/** `patch --approach a` for codex 0.125.0 with an API key (add --codex-home and the rest). */
export const PATCH_A = ['patch', '--approach', 'a', '--codex-version', '0.125.0', '--auth', 'apikey'];

/** The output is one line (an error says itself in one). */
export const expectOneLine = (s: string): void => {
  expect(s.trim().split('\n')).toHaveLength(1);
};
