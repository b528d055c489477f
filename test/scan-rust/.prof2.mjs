import { analyzeFile } from '/work/main/dist/scan/rust/analyze.js';
import { loadRules } from '/work/main/dist/scan/rust/rules.js';
import fs from 'node:fs';
const root = '/tmp/cx0.98.0/codex-rs'; const rules = loadRules();
const t0=performance.now();
for (const f of fs.readFileSync('/tmp/sel98.txt','utf8').trim().split('\n')) analyzeFile(f, fs.readFileSync(root+'/'+f,'utf8'), rules);
console.log(performance.now()-t0);
