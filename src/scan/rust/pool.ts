// Runs analyzeFile over jobs: inline for small sets (or when no compiled worker exists, as under
// vitest from sources), else on worker threads that start at once (their start-up overlaps the
// reading of files) and take batches from a shared queue as the reader fills it.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyzeFile } from './analyze.js';
import type { FileFacts } from './facts.js';
import type { RustRules } from './rules.js';

export interface Job {
  file: string;
  /** Absolute path: workers read the file themselves (less copying, less memory held here). */
  abs?: string;
  text?: string;
}
export interface JobResult {
  file: string;
  facts?: FileFacts;
  error?: string;
}

export interface Pool {
  submit(job: Job): void;
  /** No more jobs: resolves when every result was delivered. */
  finish(): Promise<void>;
}

const workerUrl = new URL('./worker.js', import.meta.url);
const BATCH_BYTES = 256_000;
const BATCH_FILES = 24;

/** The job's text: as given, else read from its absolute path. */
export function jobText(job: Job): string {
  return job.text ?? readFileSync(job.abs!, 'utf8');
}

function runInline(job: Job, rules: RustRules): JobResult {
  try {
    return { file: job.file, facts: analyzeFile(job.file, jobText(job), rules) };
  } catch (e) {
    return { file: job.file, error: e instanceof Error ? e.message : String(e) };
  }
}

/** A pool of `workers` threads (inline when fewer than 2 or no compiled worker file exists). */
export function startPool(rules: RustRules, onResult: (r: JobResult) => void, workers = Math.min(2, availableParallelism())): Pool {
  const workerPath = fileURLToPath(workerUrl);
  if (workers < 2 || !existsSync(workerPath)) {
    return {
      submit: (job) => onResult(runInline(job, rules)),
      finish: async () => {},
    };
  }
  const queue: Job[][] = [];
  let pending: Job[] = [];
  let pendingBytes = 0;
  let closed = false;
  let failure: unknown;
  const idle: ((batch: Job[] | undefined) => void)[] = [];

  const flush = (): void => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    const take = idle.shift();
    if (take) take(batch);
    else queue.push(batch);
  };
  const next = (): Promise<Job[] | undefined> => {
    const b = queue.shift();
    if (b) return Promise.resolve(b);
    if (closed) return Promise.resolve(undefined);
    return new Promise((resolve) => idle.push(resolve));
  };

  let threads: Promise<void>[] | undefined;
  // threads start with the first job: a run served from the cache starts none
  const spawn = (): Promise<void>[] => Array.from({ length: workers }, () =>
    new Promise<void>((resolve) => {
      const w = new Worker(workerPath);
      let inFlight: Job[] | undefined;
      const pump = async (): Promise<void> => {
        const batch = await next();
        if (!batch) {
          await w.terminate();
          resolve();
          return;
        }
        inFlight = batch;
        w.postMessage({ id: 0, jobs: batch });
      };
      w.on('message', (msg: { results: JobResult[] }) => {
        inFlight = undefined;
        for (const r of msg.results) onResult(r);
        void pump();
      });
      w.on('error', (e) => {
        // a crashed worker: finish its batch here, keep going with the others
        failure = e;
        for (const j of inFlight ?? []) onResult(runInline(j, rules));
        inFlight = undefined;
        void (async () => {
          for (let b = await next(); b; b = await next()) for (const j of b) onResult(runInline(j, rules));
          resolve();
        })();
      });
      void pump();
    }),
  );

  return {
    submit(job) {
      threads ??= spawn();
      const size = job.text?.length ?? 0;
      pending.push(job.abs ? { file: job.file, abs: job.abs } : job);
      pendingBytes += size;
      if (pendingBytes >= BATCH_BYTES || pending.length >= BATCH_FILES) flush();
    },
    async finish() {
      flush();
      closed = true;
      for (const take of idle.splice(0)) take(undefined);
      await Promise.all(threads ?? []);
      void failure;
    },
  };
}

/** All jobs at once (tests, small callers). */
export async function runJobs(jobs: Job[], rules: RustRules, onResult: (r: JobResult) => void, workers?: number): Promise<void> {
  const pool = startPool(rules, onResult, workers);
  for (const j of jobs) pool.submit(j);
  await pool.finish();
}
