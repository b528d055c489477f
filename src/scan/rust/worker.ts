// Worker thread of the Rust scan: processes batches of files sent by pool.ts.
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { processFile, type FileJob } from './file-job.js';
import { rulesFromSource, type RustRulesSource } from './rules.js';

// Parse trees live in native memory V8 does not see; collect now and then so they are freed.
let gc: (() => void) | undefined;
try {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc') as () => void;
} catch {
  gc = undefined;
}

// the main thread hands over the parsed rules (no TOML parser is loaded here) and the content
// hashes it already has facts for
const init = workerData as { known: string[]; rules: RustRulesSource };
const rules = rulesFromSource(init.rules);
const known = new Set<string>(init.known);
let sinceGc = 0;
parentPort?.on('message', (msg: { jobs: FileJob[] }) => {
  const results = msg.jobs.map((j) => {
    const r = processFile(j, rules, known);
    if (r.kind === 'facts') sinceGc += r.size;
    return r;
  });
  if (gc && sinceGc > 4_000_000) {
    sinceGc = 0;
    gc();
  }
  parentPort?.postMessage({ results });
});
// loaded (the native parser too): from now on the pool may terminate this thread safely
parentPort?.postMessage({ ready: true });
