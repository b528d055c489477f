// Property: for generated manifests (random whitespace, comments, quoting, inline vs multi-line
// arrays, CRLF, table forms), patch then unpatch returns the exact bytes, and the patched text
// parses to the original document with exactly the intended feature substitutions.
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { locateFeatureStrings } from '../../src/util/toml-spans.js';
import { planApproachB } from '../../src/patch/approach-b/plan.js';
import { applyPlan, unpatchState } from '../../src/patch/engine/apply.js';
import type { ScanResult, TlsFeature } from '../../src/model.js';
import { prng } from '../helpers/prng.js';


// Independent expectation (written by hand from rules/approach-b.toml, not read from it).
const SWITCH: Record<string, { range: (v: string) => boolean; map: Record<string, string> }> = {
  reqwest: {
    range: (v) => /^(\^|=)?0\.1[12]/.test(v),
    map: { 'rustls-tls': 'rustls-tls-native-roots', 'rustls-tls-webpki-roots': 'rustls-tls-native-roots' },
  },
  'tokio-tungstenite': { range: () => true, map: { 'rustls-tls-webpki-roots': 'rustls-tls-native-roots' } },
  'opentelemetry-otlp': { range: (v) => /^0\.(2\d|3\d)/.test(v), map: { 'reqwest-rustls-webpki-roots': 'reqwest-rustls' } },
  'hyper-rustls': { range: (v) => /^0\.2[4-7]/.test(v), map: { 'webpki-roots': 'native-tokio' } },
};
const FEATURES: Record<string, string[]> = {
  reqwest: ['json', 'stream', 'rustls-tls', 'blocking', 'rustls-tls-webpki-roots', 'rustls-tls-native-roots', 'cookies'],
  'tokio-tungstenite': ['proxy', 'rustls-tls-webpki-roots', 'rustls-tls-native-roots'],
  'opentelemetry-otlp': ['grpc-tonic', 'reqwest-rustls-webpki-roots', 'reqwest-blocking-client', 'trace'],
  'hyper-rustls': ['http2', 'webpki-roots', 'ring'],
};
const VERSIONS: Record<string, string[]> = {
  reqwest: ['0.12', '0.12.28', '^0.11', '0.13', '0.10'],
  'tokio-tungstenite': ['0.28.0', '0.21'],
  'opentelemetry-otlp': ['0.31.0', '0.29', '1.2'],
  'hyper-rustls': ['0.27', '0.24.2', '0.23'],
};

interface Gen {
  text: string;
  versions: Map<string, string>;
}

function generate(r: () => number): Gen {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const nl = r() < 0.4 ? '\r\n' : '\n';
  const sp = () => pick(['', ' ', '  ', '\t']);
  const trail = () => (r() < 0.2 ? pick([' ', '\t', '  ']) : '');
  const comment = () => (r() < 0.25 ? `${sp()}# ${pick(['rustls-tls here', 'note "webpki-roots"', 'x = ["rustls-tls"]', 'keep me'])}` : '');
  const q = () => (r() < 0.3 ? "'" : '"');
  const versions = new Map<string, string>();
  const lines: string[] = [];
  lines.push(`[package]${comment()}`);
  lines.push(`name${sp()}=${sp()}"pkg"${trail()}`);
  lines.push(`description = "switches rustls-tls to native roots"${comment()}`);
  if (r() < 0.5) lines.push('');
  const tables = r() < 0.5 ? ['dependencies', 'dev-dependencies'] : ['dependencies'];
  for (const table of tables) {
    const deps = Object.keys(FEATURES).filter(() => r() < 0.7);
    const inline = deps.filter(() => r() < 0.7);
    lines.push(`[${table}]${comment()}`);
    lines.push(`serde${sp()}=${sp()}"1"${trail()}`);
    const featureList = (dep: string): string => {
      const fs = FEATURES[dep]!.filter(() => r() < 0.5);
      if (fs.length === 0) fs.push(pick(FEATURES[dep]!));
      const qq = q();
      if (r() < 0.5) return `[${sp()}${fs.map((f) => `${q() === "'" ? `'${f}'` : `${qq}${f}${qq}`}`).join(`,${sp()}`)}${sp()}]`;
      const items = fs.map((f) => `${pick(['    ', '\t', '  '])}${qq}${f}${qq},${comment()}${trail()}`);
      if (r() < 0.3) items.splice(1, 0, `    # ${pick(['"rustls-tls"', 'comment'])}`);
      return `[${nl}${items.join(nl)}${nl}]`;
    };
    for (const dep of deps) {
      if (table === 'dev-dependencies' && versions.has(dep) && r() < 0.5) continue;
      const v = versions.get(dep) ?? pick(VERSIONS[dep]!);
      versions.set(dep, v);
      if (inline.includes(dep)) {
        const dflt = r() < 0.5 ? `${sp()}default-features${sp()}=${sp()}false,` : '';
        lines.push(`${dep}${sp()}=${sp()}{${sp()}version${sp()}=${sp()}"${v}",${dflt}${sp()}features${sp()}=${sp()}${featureList(dep)}${sp()}}${comment()}${trail()}`);
      }
    }
    for (const dep of deps.filter((d) => !inline.includes(d))) {
      if (!versions.has(dep)) continue;
      lines.push(`${trail()}`);
      lines.push(`[${table}.${dep}]${comment()}`);
      lines.push(`version = "${versions.get(dep)!}"`);
      lines.push(`features${sp()}=${sp()}${featureList(dep)}${comment()}`);
    }
    lines.push('');
  }
  return { text: lines.join(nl) + (r() < 0.8 ? nl : ''), versions };
}

function tlsFeaturesOf(text: string, versions: Map<string, string>): TlsFeature[] {
  return locateFeatureStrings(text)
    .filter((s) => s.dependency in SWITCH)
    .map((s) => ({
      manifest: 'Cargo.toml',
      line: s.line,
      crate: 'pkg',
      test: s.table.includes('dev'),
      dependency: s.dependency,
      feature: s.feature,
      roots: s.feature in SWITCH[s.dependency]!.map || s.feature === 'webpki-roots' ? 'webpki' : 'none',
      table: s.table as TlsFeature['table'],
      inherited: false,
      version: versions.get(s.dependency),
      declared: { manifest: 'Cargo.toml', line: s.line, start: s.start, end: s.end },
    }));
}

function expected(old: Record<string, unknown>, versions: Map<string, string>, includeDev: boolean): Record<string, unknown> {
  const doc = structuredClone(old);
  for (const table of includeDev ? ['dependencies', 'dev-dependencies'] : ['dependencies']) {
    const t = doc[table] as Record<string, { features?: string[] }> | undefined;
    for (const [dep, entry] of Object.entries(t ?? {})) {
      const sw = SWITCH[dep];
      if (!sw || typeof entry !== 'object' || !sw.range(versions.get(dep)!)) continue;
      entry.features = entry.features?.map((f) => sw.map[f] ?? f);
    }
  }
  return doc;
}

function rewriteByHand(text: string, versions: Map<string, string>, includeDev: boolean): string {
  let out = text;
  const spans = locateFeatureStrings(text).sort((a, b) => b.start - a.start);
  for (const s of spans) {
    const sw = SWITCH[s.dependency];
    if (!sw || !sw.range(versions.get(s.dependency)!)) continue;
    if (s.table !== 'dependencies' && !(includeDev && s.table === 'dev-dependencies')) continue;
    const to = sw.map[s.feature];
    if (!to) continue;
    out = `${out.slice(0, s.start + 1)}${to}${out.slice(s.end - 1)}`;
  }
  return out;
}

describe('approach B: generated manifests', () => {
  it('patch then unpatch returns the exact bytes; the patch changes only the intended features', async () => {
    // tmpfs when there is one: the engine fsyncs every write, which is slow on disk and proves nothing here.
    const base = (await fs.stat('/dev/shm').then((s) => s.isDirectory(), () => false)) ? '/dev/shm' : tmpdir();
    const dir = await fs.mkdtemp(join(base, 'cm-prop-'));
    const file = join(dir, 'Cargo.toml');
    let changed = 0;
    const CASES = 1000;
    for (let seed = 1; seed <= CASES; seed++) {
      const r = prng(seed);
      const { text, versions } = generate(r);
      const includeDev = r() < 0.5;
      const ctx = `seed ${seed}`;
      const old = parse(text) as Record<string, unknown>;
      const result: ScanResult = {
        schemaVersion: 1,
        tool: { name: 'codex-mitm', version: 'test' },
        root: dir,
        summary: { rustFiles: 0, manifests: 1, crates: 1, clients: 0, tlsFeatures: 0, endpoints: 0, envVars: 0, configKeys: 0, parseErrors: 0, warnings: [], durationMs: 0 },
        crates: [],
        clients: [],
        tlsFeatures: tlsFeaturesOf(text, versions),
        endpoints: [],
        envVars: [],
        configKeys: [],
      };
      const plan = planApproachB(result, () => text, { shipped: new Set(['pkg']), includeDev });
      const newText = plan.files[0]?.newText ?? text;
      expect(parse(newText), ctx).toEqual(expected(old, versions, includeDev));
      // Byte for byte: the old text with only the inside of the switched literals replaced (quotes kept).
      expect(newText, ctx).toBe(rewriteByHand(text, versions, includeDev));
      // Outside the replaced literals not a byte moved: same line count and endings.
      expect(newText.split('\n').length, ctx).toBe(text.split('\n').length);
      expect((newText.match(/\r\n/g) ?? []).length, ctx).toBe((text.match(/\r\n/g) ?? []).length);
      if (plan.files.length === 0) continue;
      changed++;
      await fs.writeFile(file, text);
      await applyPlan(plan);
      expect(await fs.readFile(file, 'utf8'), ctx).toBe(newText);
      await unpatchState(dir, 'b');
      expect((await fs.readFile(file)).equals(Buffer.from(text)), ctx).toBe(true);
    }
    // The generator must exercise the patch most of the time, not only the no-op path.
    expect(changed).toBeGreaterThan(CASES / 3);
    await fs.rm(dir, { recursive: true, force: true });
  }, 120_000);
});
