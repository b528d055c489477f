#!/usr/bin/env node
// npm run bench [-- PATH] [--runs N] [--no-ast-grep]
//
// Speed bar (issue 2): times `codex-mitm scan PATH --json` cold (--no-cache) and warm (cache primed),
// and ast-grep (`ast-grep run --pattern '$A::builder()' --lang rust PATH --json`) on the same tree,
// each in a child process, a few times, in turns (cold, warm, ast-grep, cold, ...) and each with the
// tree's files in the page cache; prints wall times, peak RSS and the ratios against the targets
// (cold <= 0.5x ast-grep, warm <= 0.1x ast-grep, peak RSS <= 250 MiB). Not a test.
//
// Without PATH it builds a synthetic tree of about 34 MB / 2,100 .rs files from fixtures/codex-rs
// (crates copied under new folder and package names, files padded with neutral Rust) in os.tmpdir().
// ast-grep is not a dependency: it is installed on demand with
// `npm install --prefix <os cache>/codex-mitm-bench @ast-grep/cli`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, homedir, loadavg, platform, tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(PKG, 'bin', 'codex-mitm.js');
const FIXTURE = join(PKG, 'fixtures', 'codex-rs');
const TARGET_FILES = 2100;
const TARGET_BYTES = 34_000_000;
const RSS_LIMIT_MIB = 250;

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const o = { path: undefined, runs: 3, astGrep: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Math.max(1, Number(argv[++i]) || 3);
    else if (a.startsWith('--runs=')) o.runs = Math.max(1, Number(a.slice(7)) || 3);
    else if (a === '--no-ast-grep') o.astGrep = false;
    else if (a === '-h' || a === '--help') {
      console.log('usage: npm run bench [-- PATH] [--runs N] [--no-ast-grep]');
      process.exit(0);
    } else if (!o.path) o.path = resolve(a);
    else throw new Error(`unexpected argument ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------- file helpers
function walk(dir, base = dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'target' || e.name === '.git' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (e.isFile()) out.push(relative(base, p).split(sep).join('/'));
  }
  return out;
}

function treeStats(root) {
  let files = 0;
  let bytes = 0;
  for (const f of walk(root)) {
    if (!f.endsWith('.rs')) continue;
    files++;
    bytes += statSync(join(root, f)).size;
  }
  return { files, bytes };
}

function osCacheDir() {
  if (process.env.XDG_CACHE_HOME) return process.env.XDG_CACHE_HOME;
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Caches');
  if (platform() === 'win32') return process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local');
  return join(homedir(), '.cache');
}

// ---------------------------------------------------------------- synthetic tree
/** Neutral Rust (no URLs, env reads or clients) used to pad copied files to a realistic size. */
function filler(tag, bytes) {
  const parts = [`\n// --- synthetic padding for the codex-mitm benchmark (${tag}) ---\n`];
  let n = parts[0].length;
  for (let i = 0; n < bytes; i++) {
    const chunk =
      `\n/// Padding item ${i}: keeps the parser busy like ordinary code does.\n` +
      `#[derive(Debug, Clone, Default)]\npub struct Pad${tag}N${i} {\n    pub name: String,\n    pub count: u64,\n    pub items: Vec<Option<u32>>,\n}\n\n` +
      `impl Pad${tag}N${i} {\n    pub fn step(&mut self, x: u64) -> Result<u64, String> {\n` +
      `        let mut acc = x.wrapping_add(self.count);\n        for j in 0..${(i % 7) + 2} {\n` +
      `            acc = acc.wrapping_mul(31).wrapping_add(j as u64);\n            if acc % ${(i % 5) + 3} == 0 {\n` +
      `                self.items.push(Some((acc % 1000) as u32));\n            }\n        }\n` +
      `        match acc % 3 {\n            0 => Ok(acc / 2),\n            1 => Ok(acc.saturating_mul(3).saturating_add(1)),\n` +
      `            _ => Err(format!("{} rejected value {}", self.name, acc)),\n        }\n    }\n}\n`;
    parts.push(chunk);
    n += chunk.length;
  }
  return parts.join('');
}

function buildSyntheticTree() {
  if (!existsSync(join(FIXTURE, 'Cargo.toml'))) throw new Error(`fixture not found: ${FIXTURE}`);
  const files = walk(FIXTURE);
  const fixtureHash = createHash('sha256');
  for (const f of files) fixtureHash.update(f).update(readFileSync(join(FIXTURE, f)));
  const id = fixtureHash.digest('hex').slice(0, 12);
  const root = join(tmpdir(), `codex-mitm-bench-tree-${id}`, 'codex-rs');
  const done = join(root, '..', '.complete');
  if (existsSync(done)) return root;
  // trees built from older fixture versions are stale: remove them
  for (const e of readdirSync(tmpdir())) {
    if (e.startsWith('codex-mitm-bench-tree-')) rmSync(join(tmpdir(), e), { recursive: true, force: true });
  }
  process.stderr.write(`Building a synthetic tree in ${dirname(root)} ...\n`);

  const rs = files.filter((f) => f.endsWith('.rs'));
  if (rs.length === 0) throw new Error(`no .rs files in ${FIXTURE}`);
  // top-level folders are the crates; files directly in the root are copied once
  const topDirs = [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]))];
  const copies = Math.ceil(TARGET_FILES / rs.length);
  const perFile = Math.floor(TARGET_BYTES / (copies * rs.length));
  const members = [];
  for (let k = 0; k < copies; k++) {
    const rename = (d) => (k === 0 ? d : `${d}-c${k}`);
    for (const f of files) {
      const [top, ...rest] = f.split('/');
      if (rest.length === 0) continue; // root files handled below
      const dest = join(root, rename(top), ...rest);
      mkdirSync(dirname(dest), { recursive: true });
      let text = readFileSync(join(FIXTURE, f), 'utf8');
      if (rest[rest.length - 1] === 'Cargo.toml' && k > 0) {
        // new package, lib and bin names so every copy is its own crate
        text = text.replace(/^(\s*name\s*=\s*")([^"]+)(")/gm, (_m, a, name, b) => `${a}${name}${/^\w+$/.test(name) ? '_' : '-'}c${k}${b}`);
      } else if (f.endsWith('.rs') && text.length < perFile) {
        text += filler(`C${k}F${rs.indexOf(f)}`, perFile - text.length);
      }
      writeFileSync(dest, text);
    }
    for (const d of topDirs) if (existsSync(join(FIXTURE, d, 'Cargo.toml'))) members.push(rename(d));
  }
  for (const f of files.filter((x) => !x.includes('/'))) {
    let text = readFileSync(join(FIXTURE, f), 'utf8');
    if (f === 'Cargo.toml') {
      const list = `members = [\n${members.map((m) => `    "${m}",`).join('\n')}\n]`;
      text = /members\s*=\s*\[[\s\S]*?\]/.test(text) ? text.replace(/members\s*=\s*\[[\s\S]*?\]/, list) : text;
    }
    writeFileSync(join(root, f), text);
  }
  writeFileSync(done, new Date().toISOString());
  return root;
}

// ---------------------------------------------------------------- measuring
let gnuTime;
function hasGnuTime() {
  if (gnuTime !== undefined) return gnuTime;
  gnuTime = false;
  if (existsSync('/usr/bin/time')) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', 'true'], { encoding: 'utf8' });
    gnuTime = r.status === 0 && /^\d+(\.\d+)? \d+ \d+(\.\d+)? \d+(\.\d+)?\s*$/m.test(r.stderr);
  }
  return gnuTime;
}

/** Peak RSS of a running pid on Linux without GNU time: VmHWM is a high-water mark, so the last read counts. */
function readHwmKiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs cmd once; resolves { wallMs, cpuMs (user+sys, or NaN), rssMiB (or NaN), code, stderr }. stdout is discarded. */
function measure(cmd, args, env) {
  return new Promise((done, fail) => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-bench-run-'));
    const timeFile = join(dir, 'time');
    const useTime = hasGnuTime();
    const [file, argv] = useTime ? ['/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args]] : [cmd, args];
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d) => {
      if (stderr.length < 20000) stderr += d;
    });
    let hwm = 0;
    const poll = useTime ? undefined : setInterval(() => (hwm = Math.max(hwm, readHwmKiB(child.pid))), 20);
    child.on('error', (e) => {
      if (poll) clearInterval(poll);
      rmSync(dir, { recursive: true, force: true });
      fail(e);
    });
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      let rssKiB = hwm || NaN;
      let cpuMs = NaN;
      if (useTime && existsSync(timeFile)) {
        const m = /(\d+(?:\.\d+)?) (\d+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)\s*$/.exec(readFileSync(timeFile, 'utf8').trim());
        if (m) {
          rssKiB = Number(m[2]);
          cpuMs = (Number(m[3]) + Number(m[4])) * 1000;
        }
        const exit = /Command exited with non-zero status (\d+)/.exec(readFileSync(timeFile, 'utf8'));
        if (exit) code = Number(exit[1]);
      }
      rmSync(dir, { recursive: true, force: true });
      done({ wallMs, cpuMs, rssMiB: rssKiB / 1024, code, stderr });
    });
  });
}

/** Reads every .rs file of the tree, untimed: each timed run starts with the files in the page
 *  cache (the OS may drop them between runs), so disk reads do not decide a comparison. */
function warmPageCache(root, files) {
  for (const f of files) readFileSync(join(root, f));
}

/**
 * Runs the commands of `specs` in turns (a, b, c, a, b, c, ...), `runs` times each, so a machine
 * that gets busier or quieter during the benchmark affects all of them alike.
 */
async function interleaved(specs, runs, root, files) {
  const samples = specs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, sp] of specs.entries()) {
      warmPageCache(root, files);
      const s = await measure(sp.cmd, sp.args, sp.env);
      if (!(sp.okCodes ?? [0]).includes(s.code)) {
        throw new Error(`${sp.label} failed (exit ${s.code}): ${sp.cmd} ${sp.args.join(' ')}\n${s.stderr.trim().split('\n').slice(-5).join('\n')}`);
      }
      process.stderr.write(`  ${pad(sp.label, 16)} run ${i + 1}/${runs}: ${fmtS(s.wallMs)} wall, ${fmtS(s.cpuMs)} CPU, ${fmtMiB(s.rssMiB)}\n`);
      samples[k].push(s);
    }
  }
  return specs.map((sp, k) => {
    const walls = samples[k].map((s) => s.wallMs).sort((a, b) => a - b);
    const cpus = samples[k].map((s) => s.cpuMs).sort((a, b) => a - b);
    return {
      label: sp.label,
      median: walls[Math.floor(walls.length / 2)],
      min: walls[0],
      cpu: cpus[Math.floor(cpus.length / 2)],
      rss: Math.max(...samples[k].map((s) => s.rssMiB)),
    };
  });
}

// ---------------------------------------------------------------- ast-grep
function findAstGrep(dir) {
  const bin = join(dir, 'node_modules', '.bin');
  for (const name of platform() === 'win32' ? ['ast-grep.cmd', 'sg.cmd'] : ['ast-grep', 'sg']) {
    if (existsSync(join(bin, name))) return join(bin, name);
  }
  return undefined;
}

function ensureAstGrep() {
  const dir = join(osCacheDir(), 'codex-mitm-bench');
  let bin = findAstGrep(dir);
  if (bin) return bin;
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`Installing @ast-grep/cli into ${dir} (once) ...\n`);
  const npm = platform() === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', '@ast-grep/cli'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: platform() === 'win32',
  });
  bin = findAstGrep(dir);
  if (r.status !== 0 || !bin) throw new Error(`could not install @ast-grep/cli (npm exit ${r.status})`);
  return bin;
}

// ---------------------------------------------------------------- output
const fmtS = (ms) => (!Number.isFinite(ms) ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const fmtMiB = (m) => (Number.isFinite(m) ? `${Math.round(m)} MiB` : 'n/a');
const pad = (s, n) => s + ' '.repeat(Math.max(0, n - s.length));
const mark = (ok) => (ok ? 'yes' : 'NO');

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(join(PKG, 'dist', 'cli.js'))) throw new Error('dist/ missing: run `npm run build` first');
  const root = o.path ?? buildSyntheticTree();
  if (!existsSync(root)) throw new Error(`no such folder: ${root}`);
  const stats = treeStats(root);
  console.log(`codex-mitm bench: ${root}`);
  console.log(
    `  ${stats.files} .rs files, ${(stats.bytes / 1048576).toFixed(1)} MiB of Rust${o.path ? '' : ' (synthetic, from fixtures/codex-rs)'}; ` +
      `${o.runs} runs each; node ${process.version}; ${availableParallelism()} CPUs; ` +
      `RSS via ${hasGnuTime() ? '/usr/bin/time' : platform() === 'linux' ? '/proc VmHWM polling' : 'unavailable'}`,
  );

  const load = loadavg()[0];
  if (platform() !== 'win32' && load > availableParallelism() * 0.5) {
    console.log(`  note: load average ${load.toFixed(2)} on ${availableParallelism()} CPUs before the runs; timings will be noisy`);
  }

  // our cache goes to a private folder so the user's cache is neither used nor touched
  const cacheHome = mkdtempSync(join(tmpdir(), 'codex-mitm-bench-cache-'));
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' };
  const node = process.execPath;
  const rsFiles = walk(root).filter((f) => f.endsWith('.rs'));
  const specs = [
    { label: 'codex-mitm cold', cmd: node, args: [BIN, 'scan', root, '--json', '--no-cache'], env },
    { label: 'codex-mitm warm', cmd: node, args: [BIN, 'scan', root, '--json'], env },
  ];
  if (o.astGrep) {
    try {
      const bin = ensureAstGrep();
      process.stderr.write(`ast-grep: ${bin}\n`);
      // exit 1 = no match, still a full scan
      specs.push({ label: 'ast-grep', cmd: bin, args: ['run', '--pattern', '$A::builder()', '--lang', 'rust', '--json=stream', root], env: process.env, okCodes: [0, 1] });
    } catch (e) {
      console.log(`  ast-grep unavailable: ${e instanceof Error ? e.message : e}`);
    }
  }
  let results;
  try {
    // the warm runs find the cache primed by this one
    await measure(node, [BIN, 'scan', root, '--json'], env);
    process.stderr.write('cold (--no-cache), warm (cache primed) and ast-grep, in turns:\n');
    results = await interleaved(specs, o.runs, root, rsFiles);
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
  const sg = results[2];

  console.log('');
  console.log(`  ${pad('', 18)}${pad('wall (median)', 16)}${pad('wall (min)', 14)}${pad('CPU (median)', 15)}peak RSS`);
  for (const r of results) {
    console.log(`  ${pad(r.label, 18)}${pad(fmtS(r.median), 16)}${pad(fmtS(r.min), 14)}${pad(fmtS(r.cpu), 15)}${fmtMiB(r.rss)}`);
  }
  console.log('');
  const [cold, warm] = results;
  if (sg) {
    // medians decide; the ratio of the fastest runs is shown too (less sensitive to a busy machine)
    const rc = cold.median / sg.median;
    const rw = warm.median / sg.median;
    const best = (x) => `${(x.min / sg.min).toFixed(2)}x fastest runs`;
    console.log(`  cold / ast-grep = ${rc.toFixed(2)}x median, ${best(cold)}  (target <= 0.5x): ${mark(rc <= 0.5)}`);
    console.log(`  warm / ast-grep = ${rw.toFixed(2)}x median, ${best(warm)}  (target <= 0.1x): ${mark(rw <= 0.1)}`);
    if (Number.isFinite(sg.cpu)) {
      console.log(`  CPU time ratios (user+sys, less sensitive to a busy machine): cold ${(cold.cpu / sg.cpu).toFixed(2)}x, warm ${(warm.cpu / sg.cpu).toFixed(2)}x`);
    }
  } else {
    console.log('  ratios against ast-grep: not measured');
  }
  const peak = Math.max(cold.rss, warm.rss);
  if (platform() !== 'win32') console.log(`  load average after the runs: ${loadavg()[0].toFixed(2)}`);
  console.log(
    `  codex-mitm peak RSS ${fmtMiB(peak)} (target <= ${RSS_LIMIT_MIB} MiB): ${Number.isFinite(peak) ? mark(peak <= RSS_LIMIT_MIB) : 'not measured'}`,
  );
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
