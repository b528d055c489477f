// Worker threads for the Rust scan, started before the tree is even listed: a worker takes about
// as long to boot (load the parser and the scan code) as the main thread takes to walk the tree,
// so both happen at once. Tiny on purpose: importing it loads nothing of the scan.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const workerUrl = new URL('./worker.js', import.meta.url);
let started: Worker[] = [];

export function workerPath(): string | undefined {
  const p = fileURLToPath(workerUrl);
  return existsSync(p) ? p : undefined;
}

/** The worker count the scan uses on this machine. */
export function defaultWorkers(): number {
  return Math.min(2, availableParallelism());
}

/** Boots `count` workers now; they wait for their init message (see worker.ts). */
export function prestartWorkers(count = defaultWorkers()): void {
  const p = workerPath();
  if (!p || count < 2 || started.length > 0) return;
  started = Array.from({ length: count }, () => {
    const w = new Worker(p);
    w.unref(); // an idle, untaken worker never keeps the process alive (an error before the parse)
    return w;
  });
}

/** A booted worker if one is waiting, else a new one. */
export function takeWorker(path: string): Worker {
  const w = started.shift();
  if (!w) return new Worker(path);
  w.ref();
  return w;
}

/** Workers nobody took (a small tree, a cached run): stop them. */
export function dropPrestarted(): void {
  for (const w of started.splice(0)) void w.terminate();
}
