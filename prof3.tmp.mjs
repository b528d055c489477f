import { mayNeedParse, needsParse } from './dist/scan/rust/prefilter.js';
import { loadRules } from './dist/scan/rust/rules.js';
import { runJobs } from './dist/scan/rust/pool.js';
import { globby } from 'globby';
import { readFileSync } from 'node:fs';
const root = process.argv[2]; const W = Number(process.argv[3]);
const rules = loadRules();
const files = await globby('**/*.rs', { cwd: root });
const jobs=[];
for (const f of files) { const buf=readFileSync(root+'/'+f);
  if (!mayNeedParse(buf, rules)) continue; const t=buf.toString('utf8'); if (!needsParse(f,t,rules)) continue; jobs.push({file:f, abs: root+'/'+f}); }
const t0=performance.now(); let n=0;
await runJobs(jobs, rules, ()=>n++, W);
console.log(W, 'workers', n, (performance.now()-t0).toFixed(0), 'ms', process.cpuUsage());
