// Isolation for the codex that capture and verify run: on Linux, where `unshare` can make a
// network and mount namespace (root, or unprivileged user namespaces), codex runs in one whose
// only way out is the proxy: netns-launch.ts bridges 127.0.0.1:PORT inside to a Unix socket the
// engine serves outside. Anything that tries to go around the proxy fails and is logged (DNS).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOOPBACK } from './engine.js';
import type { LaunchSpec } from './netns-launch.js';
import type { Escape } from './traffic.js';

export type Support = { available: true; userns: boolean } | { available: false; reason: string };

const LAUNCHER = fileURLToPath(new URL('../../dist/proxy/netns-launch.js', import.meta.url));

let cached: Support | undefined;

/** Can this machine run a command in a private network namespace? Asked once per process. */
export function isolationSupport(): Support {
  if (cached) return cached;
  if (process.platform !== 'linux') return (cached = { available: false, reason: `network isolation needs Linux namespaces (this is ${process.platform})` });
  const tryIt = (args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync('unshare', [...args, 'sh', '-c', 'ip link set lo up && mount --bind /dev/null /dev/null'], { encoding: 'utf8', timeout: 10_000 });
  const plain = tryIt(['-n', '-m']);
  if (plain.status === 0) return (cached = { available: true, userns: false });
  const userns = tryIt(['-r', '-n', '-m']);
  if (userns.status === 0) return (cached = { available: true, userns: true });
  const why = (plain.error?.message ?? String(plain.stderr ?? '').trim().split('\n')[0]) || `exit ${plain.status}`;
  return (cached = { available: false, reason: `cannot make a network namespace here (unshare -n -m: ${why})` });
}

export interface Bridges {
  forwards: { port: number; socket: string }[];
  close(): Promise<void>;
}

/** One Unix socket per loopback port, in `dir` (a private folder), piping to 127.0.0.1:PORT. */
export async function startBridges(dir: string, ports: number[]): Promise<Bridges> {
  const servers: net.Server[] = [];
  const forwards: Bridges['forwards'] = [];
  const conns = new Set<net.Socket>();
  for (const port of ports) {
    const socket = join(dir, `p${port}.sock`);
    const server = net.createServer((inner) => {
      const up = net.connect(port, LOOPBACK);
      conns.add(inner).add(up);
      inner.pipe(up).pipe(inner);
      const end = (): void => {
        inner.destroy();
        up.destroy();
        conns.delete(inner);
        conns.delete(up);
      };
      for (const s of [inner, up]) {
        s.on('error', end);
        s.on('close', end);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, resolve);
    });
    servers.push(server);
    forwards.push({ port, socket });
  }
  return {
    forwards,
    async close() {
      for (const c of conns) c.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

export interface IsolatedCommand {
  file: string;
  args: string[];
  dnsLog: string;
}

/** The command line that runs `command args` inside the namespace, bridged by `bridges`. */
export function isolatedCommand(support: Extract<Support, { available: true }>, dir: string, bridges: Bridges, command: string, args: string[], cwd: string): IsolatedCommand {
  const dnsLog = join(dir, 'dns.jsonl');
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(dnsLog, '', { mode: 0o600 });
  writeFileSync(resolvConf, `nameserver ${LOOPBACK}\noptions attempts:1 timeout:1\n`);
  const spec: LaunchSpec = { forwards: bridges.forwards, dnsLog, resolvConf, command, args, cwd };
  const specFile = join(dir, 'launch.json');
  writeFileSync(specFile, JSON.stringify(spec), { mode: 0o600 });
  return { file: 'unshare', args: [...(support.userns ? ['-r'] : []), '-n', '-m', process.execPath, LAUNCHER, specFile], dnsLog };
}

export interface SandboxLog {
  escapes: Escape[];
  notes: string[];
}

/** What the launcher logged: each name looked up once (first time), and its notes. */
export function readSandboxLog(dnsLog: string): SandboxLog {
  let text = '';
  try {
    text = readFileSync(dnsLog, 'utf8');
  } catch {
    return { escapes: [], notes: [] };
  }
  const escapes = new Map<string, Escape>();
  const notes: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: { at?: number; name?: string; note?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.note) notes.push(entry.note);
    else if (entry.name && !escapes.has(entry.name)) escapes.set(entry.name, { target: entry.name, how: 'dns', at: entry.at ?? 0 });
  }
  return { escapes: [...escapes.values()], notes };
}

export interface Sandbox {
  /** What to spawn. */
  file: string;
  args: string[];
  isolated: boolean;
  /** Why not isolated (when asked for and not available, or not asked for). */
  reason?: string;
  /** After the command exited: bridges closed, the log read, the folder removed. */
  finish(): Promise<SandboxLog>;
}

/** `command args`, isolated when asked and possible, bridged to the engine's `ports`. */
export async function prepareSandbox(opts: { ports: number[]; command: string; args: string[]; cwd: string; isolate: boolean }): Promise<Sandbox> {
  const direct = (reason: string): Sandbox => ({
    file: opts.command,
    args: opts.args,
    isolated: false,
    reason,
    finish: async () => ({ escapes: [], notes: [] }),
  });
  if (!opts.isolate) return direct('isolation turned off (--no-isolate): nothing stops a client from going around the proxy');
  const support = isolationSupport();
  if (!support.available) return direct(`${support.reason}: isolation is not available, a client that ignores the proxy goes out unseen`);
  const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-sandbox-'));
  chmodSync(dir, 0o700);
  const bridges = await startBridges(dir, opts.ports);
  const cmd = isolatedCommand(support, dir, bridges, opts.command, opts.args, opts.cwd);
  return {
    file: cmd.file,
    args: cmd.args,
    isolated: true,
    async finish() {
      await bridges.close();
      const log = readSandboxLog(cmd.dnsLog);
      rmSync(dir, { recursive: true, force: true });
      return log;
    },
  };
}
