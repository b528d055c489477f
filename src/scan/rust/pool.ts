// Runs processFile over jobs: inline for small sets (or when no compiled worker exists, as under
// vitest from sources), else on worker threads that start with the first job and take batches
// from a shared queue. The main thread only hands out paths: reading, the prefilter and the parse
// all happen on the workers.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { processFile, type FileJob, type FileOutcome } from './file-job.js';
import type { RustRules } from './rules.js';

export interface Pool {
  submit(job: FileJob): void;
  /** No more jobs: resolves when every result was delivered. */
  finish(): Promise<void>;
}

const workerUrl = new URL('./worker.js', import.meta.url);
/** Files per message: small enough that the two workers end together. */
const BATCH_FILES = 16;

/**
 * A pool of `workers` threads (inline when fewer than 2 or no compiled worker file exists).
 * `known`: content hashes the caller holds facts for (see processFile).
 */
export function startPool(
  rules: RustRules,
  onResult: (r: FileOutcome) => void,
  workers = Math.min(2, availableParallelism()),
  known: ReadonlySet<string> = new Set(),
): Pool {
  const workerPath = fileURLToPath(workerUrl);
  if (workers < 2 || !existsSync(workerPath)) {
    return {
      submit: (job) => onResult(processFile(job, rules, known)),
      finish: async () => {},
    };
  }
  const queue: FileJob[][] = [];
  let pending: FileJob[] = [];
  let closed = false;
  const idle: ((batch: FileJob[] | undefined) => void)[] = [];
  // one thread per batch handed out, up to `workers`: a run served from the cache starts none,
  // a run with one changed file one
  const threads: Promise<void>[] = [];
  let flushed = 0;

  const flush = (): void => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    flushed++;
    while (threads.length < Math.min(workers, flushed)) threads.push(spawn());
    const take = idle.shift();
    if (take) take(batch);
    else queue.push(batch);
  };
  const next = (): Promise<FileJob[] | undefined> => {
    const b = queue.shift();
    if (b) return Promise.resolve(b);
    if (closed) return Promise.resolve(undefined);
    return new Promise((resolve) => idle.push(resolve));
  };
  const runInline = (jobs: FileJob[]): void => {
    for (const j of jobs) onResult(processFile(j, rules, known));
  };

  const spawn = (): Promise<void> =>
    new Promise<void>((resolve) => {
      // the parsed rules go along: a worker loads no TOML parser
      const w = new Worker(workerPath, { workerData: { known: [...known], rules: { data: rules.data, query: rules.query, hash: rules.hash } } });
      // batches sent and not yet answered, oldest first: two at a time, so that a worker never
      // waits for this thread (busy with the manifests) to hand it the next one
      const inFlight: FileJob[][] = [];
      let ended = false;
      let stopped = false;
      // Terminating a thread while it still loads the native parser can abort the whole process
      // (an uncaught Napi::Error): a worker that got no batch is stopped only once it said it is ready.
      let markReady: () => void = () => {};
      const ready = new Promise<void>((r) => (markReady = r));
      const stop = (): void => {
        if (stopped) return;
        stopped = true;
        void ready.then(() => w.terminate()).then(() => resolve());
      };
      const pump = async (): Promise<void> => {
        const batch = await next();
        if (stopped) {
          if (batch) runInline(batch);
          return;
        }
        if (!batch) {
          ended = true;
          if (inFlight.length === 0) stop();
          return;
        }
        inFlight.push(batch);
        w.postMessage({ jobs: batch });
      };
      w.on('message', (msg: { results: FileOutcome[] } | { ready: true }) => {
        if ('ready' in msg) {
          markReady();
          return;
        }
        inFlight.shift();
        for (const r of msg.results) onResult(r);
        if (!ended) void pump();
        else if (inFlight.length === 0) stop();
      });
      w.on('exit', () => markReady());
      w.on('error', () => {
        // a crashed worker: finish its batches here, keep going with the others
        stopped = true;
        for (const b of inFlight.splice(0)) runInline(b);
        void (async () => {
          if (!ended) for (let b = await next(); b; b = await next()) runInline(b);
          resolve();
        })();
      });
      void pump();
      void pump();
    });

  return {
    submit(job) {
      pending.push(job);
      if (pending.length >= BATCH_FILES) flush();
    },
    async finish() {
      flush();
      closed = true;
      for (const take of idle.splice(0)) take(undefined);
      await Promise.all(threads);
    },
  };
}

/** All jobs at once (tests, small callers). */
export async function runJobs(jobs: FileJob[], rules: RustRules, onResult: (r: FileOutcome) => void, workers?: number): Promise<void> {
  const pool = startPool(rules, onResult, workers);
  for (const j of jobs) pool.submit(j);
  await pool.finish();
}
