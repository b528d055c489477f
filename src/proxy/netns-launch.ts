// Runs inside the private network namespace capture and verify make for codex (`unshare -n -m`):
// brings loopback up, bridges each proxy/listener port on 127.0.0.1 to the Unix socket the engine
// serves outside (the only way out), answers every DNS lookup with NXDOMAIN and logs it (a
// lookup here means a client tried to go around the proxy), then runs the command with this
// process's environment and terminal, and exits with its status.
//   usage: node netns-launch.js SPEC.json
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { dnsQuestion, nxdomain } from './dns.js';

export interface LaunchSpec {
  forwards: { port: number; socket: string }[];
  /** JSON lines: `{"at":ms,"name":"host","type":1}` per lookup, `{"note":"…"}` for set-up notes. */
  dnsLog: string;
  /** A resolv.conf naming 127.0.0.1, bind-mounted over /etc/resolv.conf. */
  resolvConf: string;
  command: string;
  args: string[];
  cwd: string;
}

const LOOPBACK = '127.0.0.1';

function note(spec: LaunchSpec, text: string): void {
  appendFileSync(spec.dnsLog, JSON.stringify({ note: text }) + '\n');
}

function dnsCatcher(spec: LaunchSpec): Promise<void> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg, from) => {
      const q = dnsQuestion(msg);
      if (!q) return;
      appendFileSync(spec.dnsLog, JSON.stringify({ at: Date.now(), name: q.name, type: q.type }) + '\n');
      sock.send(nxdomain(msg, q.end), from.port, from.address);
    });
    sock.on('error', (err) => {
      note(spec, `no DNS catcher: ${err.message}`);
      resolve();
    });
    sock.bind(53, LOOPBACK, () => {
      sock.unref();
      resolve();
    });
  });
}

function forward(port: number, socket: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((client) => {
      const up = net.connect(socket);
      client.pipe(up).pipe(client);
      const end = (): void => {
        client.destroy();
        up.destroy();
      };
      client.on('error', end);
      up.on('error', end);
      client.on('close', end);
      up.on('close', end);
    });
    server.on('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.unref();
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LaunchSpec;
  execFileSync('ip', ['link', 'set', 'lo', 'up'], { stdio: 'ignore' });
  if (existsSync('/etc/resolv.conf')) {
    try {
      execFileSync('mount', ['--bind', spec.resolvConf, '/etc/resolv.conf'], { stdio: 'ignore' });
      await dnsCatcher(spec);
    } catch {
      note(spec, 'could not take over /etc/resolv.conf: DNS lookups that go around the proxy are not logged');
    }
  }
  for (const f of spec.forwards) await forward(f.port, f.socket);
  const child = spawn(spec.command, spec.args, { stdio: 'inherit', cwd: spec.cwd, env: process.env });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    process.stderr.write(`codex-mitm: cannot start ${spec.command}: ${err.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1)));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!)) {
  main().catch((err: Error) => {
    process.stderr.write(`codex-mitm: sandbox set-up failed: ${err.message}\n`);
    process.exit(125);
  });
}
