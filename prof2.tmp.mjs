import { mayNeedParse, needsParse } from './dist/scan/rust/prefilter.js';
import { loadRules } from './dist/scan/rust/rules.js';
import { analyzeFile } from './dist/scan/rust/analyze.js';
import { globby } from 'globby';
import { readFileSync } from 'node:fs';
const root = process.argv[2];
const rules = loadRules();
const files = await globby('**/*.rs', { cwd: root });
let parsed=0, empty=0, emptyBytes=0, bytes=0; const kinds={}; const tEmpty=[0], tAll=[0];
for (const f of files) { const buf=readFileSync(root+'/'+f);
  if (!mayNeedParse(buf, rules)) continue; const t=buf.toString('utf8'); if (!needsParse(f,t,rules)) continue;
  parsed++; bytes+=buf.length;
  const t0=performance.now(); const fa = analyzeFile(f, t, rules); const dt=performance.now()-t0; tAll[0]+=dt;
  const useful = fa.clients.length+fa.helpers.length+fa.urls.length+fa.envReads.length+fa.configFields.length+fa.paths.length+fa.constRefs.length;
  if (!useful) { empty++; emptyBytes+=buf.length; tEmpty[0]+=dt; }
  for (const k of ['clients','helpers','urls','envReads','configFields','paths','constRefs','scopes']) kinds[k]=(kinds[k]||0)+(fa[k]?.length?1:0);
}
console.log({parsed, bytes, empty, emptyBytes, tAll:tAll[0].toFixed(0), tEmpty:tEmpty[0].toFixed(0)}, kinds);
