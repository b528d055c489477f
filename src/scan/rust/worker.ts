// Worker thread of the Rust scan: analyzes batches of files sent by pool.ts.
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { analyzeFile } from './analyze.js';
import type { Job, JobResult } from './pool.js';
import { jobText } from './pool.js';
import { loadRules } from './rules.js';

// Parse trees live in native memory V8 does not see; collect now and then so they are freed.
let gc: (() => void) | undefined;
try {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc') as () => void;
} catch {
  gc = undefined;
}

const rules = loadRules();
let sinceGc = 0;
parentPort?.on('message', (batch: { id: number; jobs: Job[] }) => {
  const results: JobResult[] = batch.jobs.map((j) => {
    try {
      const text = jobText(j);
      sinceGc += text.length;
      return { file: j.file, facts: analyzeFile(j.file, text, rules) };
    } catch (e) {
      return { file: j.file, error: e instanceof Error ? e.message : String(e) };
    }
  });
  if (gc && sinceGc > 4_000_000) {
    sinceGc = 0;
    gc();
  }
  parentPort?.postMessage({ id: batch.id, results });
});
