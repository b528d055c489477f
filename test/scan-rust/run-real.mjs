// Dev tool (not a test): scan a real codex-rs tree with the compiled scanner and print findings.
// node test/scan-rust/run-real.mjs /tmp/cxmid/codex-rs [--no-cache] [--json] [--tests]
import { globby } from 'globby';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scanRust } from '../../dist/scan/rust/index.js';

const root = path.resolve(process.argv[2] ?? 'fixtures/codex-rs');
const args = new Set(process.argv.slice(3));
const t0 = performance.now();
const files = await globby('**/*.rs', { cwd: root, gitignore: false, ignore: ['**/target/**'] });
const manifests = await globby('**/Cargo.toml', { cwd: root, gitignore: false, ignore: ['**/target/**'] });
const crates = manifests.map((m) => {
  const name = /\[package\][^[]*?\bname\s*=\s*"([^"]+)"/.exec(readFileSync(path.join(root, m), 'utf8'))?.[1] ?? '';
  const dir = path.dirname(m) === '.' ? '' : path.dirname(m);
  return { name, manifest: m, dir, bins: [], deps: [] };
}).filter((c) => c.name);
const t1 = performance.now();
const out = await scanRust({ root, files, crates, useCache: !args.has('--no-cache') });
const t2 = performance.now();
const ru = process.resourceUsage();
if (args.has('--json')) { process.stdout.write(JSON.stringify(out, null, 1)); }
else {
const show = (x) => args.has('--tests') || !x.test;
for (const c of out.clients.filter(show)) console.log(`CLIENT ${c.file}:${c.line} ${c.constructor} [${c.calls.join(',')}] via=${(c.via ?? []).join(',')} ca=${c.tls.customCaEnv.join(',')}${c.test ? ' TEST' : ''}`);
for (const e of out.endpoints.filter(show)) console.log(`URL ${e.file}:${e.line} ${e.url} ${e.symbol ?? ''} ${e.overrides.map((o) => `${o.kind}:${o.name}@${o.file}:${o.line}`).join(' ')}${e.test ? ' TEST' : ''}`);
for (const v of out.envVars.filter(show)) console.log(`ENV ${v.file}:${v.line} ${v.name} via=${v.via}${v.test ? ' TEST' : ''}`);
for (const k of out.configKeys.filter(show)) console.log(`CFG ${k.file}:${k.line} ${k.struct}.${k.key}: ${k.type}${k.test ? ' TEST' : ''}`);
for (const w of out.warnings) console.log(`WARN ${w.kind} ${w.message}`);
}
console.error(JSON.stringify({ files: files.length, discoverMs: Math.round(t1 - t0), scanMs: Math.round(t2 - t1), maxRssMiB: Math.round(ru.maxRSS / 1024), cached: out.cached, parseErrors: out.parseErrors, clients: out.clients.length, endpoints: out.endpoints.length, envVars: out.envVars.length, configKeys: out.configKeys.length }));
