// Worker thread of the Rust scan: processes batches of files sent by pool.ts.
import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { processFile, type FileJob } from './file-job.js';
import { rulesFromSource, type RustRules, type RustRulesSource } from './rules.js';

// Parse trees live in native memory V8 does not see; collect now and then so they are freed.
let gc: (() => void) | undefined;
try {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc') as () => void;
} catch {
  gc = undefined;
}

// The first message hands over the parsed rules (no TOML parser is loaded here) and the content
// hashes the main thread already has facts for; every later one is a batch of files.
let rules: RustRules | undefined;
let known = new Set<string>();
let sinceGc = 0;
parentPort?.on('message', (msg: { init: { known: string[]; rules: RustRulesSource } } | { jobs: FileJob[] }) => {
  if ('init' in msg) {
    rules = rulesFromSource(msg.init.rules);
    known = new Set(msg.init.known);
    return;
  }
  const current = rules;
  if (!current) throw new Error('worker: a batch came before the rules');
  const results = msg.jobs.map((j) => {
    const r = processFile(j, current, known);
    if (r.kind === 'facts') sinceGc += r.size;
    return r;
  });
  if (gc && sinceGc > 4_000_000) {
    sinceGc = 0;
    gc();
  }
  parentPort?.postMessage({ results });
});
