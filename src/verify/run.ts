// Run codex in its own process group under a timeout; the whole group is killed before we return.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../model.js';

export interface RunResult {
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

const TAIL = 16 * 1024;

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (process.platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Resolve `bin` (a path, or a name looked up on PATH) to an executable file. */
export function resolveBinary(bin: string, cwd: string, pathEnv: string | undefined): string {
  if (bin.includes('/') || bin.includes('\\') || isAbsolute(bin)) {
    const file = resolve(cwd, bin);
    if (!executable(file)) throw new InputError(`codex binary not found or not executable: ${file}`);
    return file;
  }
  const exts = process.platform === 'win32' ? ['', '.exe', '.cmd'] : [''];
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = join(dir, bin + ext);
      if (executable(file)) return file;
    }
  }
  throw new InputError(`\`${bin}\` not found on PATH; pass --codex BIN`);
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Spawn `bin args` detached (own process group), stop it after `timeoutMs` (SIGTERM, then SIGKILL),
 * and always SIGKILL the group once the main process is gone, so no grandchild survives.
 * Resolves when the process has exited and its pipes are closed.
 */
export function runDetached(
  bin: string,
  args: string[],
  opts: { env: Record<string, string>; cwd: string; timeoutMs: number; onInterrupt?: () => void },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const child = spawn(bin, args, { env: opts.env, cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    // The child has its own process group, so a Ctrl-C on us would not reach it: pass it on.
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const onSignal = (signal: NodeJS.Signals): void => {
      killGroup(pid, 'SIGKILL');
      for (const s of signals) process.off(s, onSignal);
      opts.onInterrupt?.();
      process.kill(process.pid, signal);
    };
    for (const s of signals) process.on(s, onSignal);
    const unhook = (): void => {
      for (const s of signals) process.off(s, onSignal);
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout = (stdout + d.toString()).slice(-TAIL);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-TAIL);
    });
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(pid, 'SIGTERM');
      hardKill = setTimeout(() => killGroup(pid, 'SIGKILL'), 1500);
    }, opts.timeoutMs);
    // Pipes held open by a grandchild must not keep us waiting.
    let pipeWait: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      unhook();
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      if (pipeWait) clearTimeout(pipeWait);
      killGroup(pid, 'SIGKILL');
      resolvePromise({ pid, exitCode: exited?.code ?? null, signal: exited?.signal ?? null, timedOut, stdout, stderr });
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      unhook();
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      killGroup(pid, 'SIGKILL');
      reject(new InputError(`cannot run ${bin}: ${err.code ?? err.message}`));
    });
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      killGroup(pid, 'SIGKILL');
      pipeWait = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, 2000);
    });
    child.once('close', () => {
      if (!exited) exited = { code: child.exitCode, signal: child.signalCode };
      finish();
    });
  });
}

/** `codex --version` → "0.98.0" (undefined when it prints no version). */
export async function codexVersion(
  bin: string,
  env: Record<string, string>,
  cwd: string,
): Promise<{ version?: string; text: string }> {
  const result = await runDetached(bin, ['--version'], { env, cwd, timeoutMs: 20_000 });
  const text = (result.stdout || result.stderr).trim().split('\n')[0] ?? '';
  const m = /(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)/.exec(text);
  return { version: m?.[1], text };
}
