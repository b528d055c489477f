// Runs analyzeFile over jobs: inline for small sets (or when no compiled worker exists, as under
// vitest from sources), else on worker threads fed batches largest-first.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { analyzeFile } from './analyze.js';
import type { FileFacts } from './facts.js';
import type { RustRules } from './rules.js';

export interface Job {
  file: string;
  text: string;
}
export interface JobResult {
  file: string;
  facts?: FileFacts;
  error?: string;
}

const workerUrl = new URL('./worker.js', import.meta.url);
const INLINE_BYTES = 400_000;
const BATCH_BYTES = 400_000;

export async function runJobs(
  jobs: Job[],
  rules: RustRules,
  onResult: (r: JobResult) => void,
  workers = Math.min(2, availableParallelism()),
  inlineBelow = INLINE_BYTES,
): Promise<void> {
  const total = jobs.reduce((n, j) => n + j.text.length, 0);
  const workerPath = fileURLToPath(workerUrl);
  if (total < inlineBelow || workers < 2 || !existsSync(workerPath)) {
    for (const j of jobs) {
      try {
        onResult({ file: j.file, facts: analyzeFile(j.file, j.text, rules) });
      } catch (e) {
        onResult({ file: j.file, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return;
  }
  const sorted = [...jobs].sort((a, b) => b.text.length - a.text.length);
  const batches: Job[][] = [];
  let cur: Job[] = [];
  let bytes = 0;
  for (const j of sorted) {
    cur.push(j);
    bytes += j.text.length;
    if (bytes >= BATCH_BYTES || cur.length >= 24) {
      batches.push(cur);
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length) batches.push(cur);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, batches.length) }, () =>
      new Promise<void>((resolve, reject) => {
        const w = new Worker(workerPath);
        const send = (): void => {
          if (next >= batches.length) {
            void w.terminate().then(() => resolve());
            return;
          }
          const id = next++;
          w.postMessage({ id, jobs: batches[id] });
        };
        w.on('message', (msg: { id: number; results: JobResult[] }) => {
          for (const r of msg.results) onResult(r);
          send();
        });
        w.on('error', reject);
        send();
      }),
    ),
  );
}
