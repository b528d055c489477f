// Property, in memory (no disk, no fsync): for generated manifests with features listed twice and
// `[features]` entries that turn a dependency's webpki feature on, the plan switches every
// occurrence (checked against a hand-written rewrite), the result parses to the intended document,
// and undoing the recorded replacements gives back the exact bytes.
import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { lexToml, locateFeatureStrings } from '../../src/util/toml-spans.js';
import { planApproachB } from '../../src/patch/approach-b/plan.js';
import { reverseManifest } from '../../src/patch/approach-b/unpatch.js';
import { recordEdits, reverseEdits } from '../../src/patch/engine/reverse.js';
import type { PatchStateFile } from '../../src/patch/engine/state.js';
import type { ScanResult, TlsFeature } from '../../src/model.js';
import { prng } from '../helpers/prng.js';

// Written by hand from rules/approach-b.toml (not read from it).
const MAP: Record<string, Record<string, string>> = {
  reqwest: { 'rustls-tls': 'rustls-tls-native-roots', 'rustls-tls-webpki-roots': 'rustls-tls-native-roots' },
  'tokio-tungstenite': { 'rustls-tls-webpki-roots': 'rustls-tls-native-roots' },
};
const FEATURES: Record<string, string[]> = {
  reqwest: ['json', 'rustls-tls', 'stream', 'rustls-tls-webpki-roots', 'rustls-tls-native-roots'],
  'tokio-tungstenite': ['proxy', 'rustls-tls-webpki-roots', 'rustls-tls-native-roots'],
};
const VERSION: Record<string, string> = { reqwest: '0.12', 'tokio-tungstenite': '0.28.0' };

function generate(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const nl = r() < 0.4 ? '\r\n' : '\n';
  const sp = () => pick(['', ' ', '  ']);
  const q = () => (r() < 0.3 ? "'" : '"');
  const lines = ['[package]', 'name = "pkg"', '', '[dependencies]'];
  const deps = Object.keys(FEATURES).filter(() => r() < 0.8);
  if (deps.length === 0) deps.push('reqwest');
  for (const dep of deps) {
    const fs = FEATURES[dep]!.filter(() => r() < 0.5);
    if (fs.length === 0) fs.push(pick(FEATURES[dep]!));
    // a feature listed twice, sometimes
    if (r() < 0.4) fs.splice(Math.floor(r() * (fs.length + 1)), 0, pick(fs));
    const qq = q();
    const list = r() < 0.5 ? `[${fs.map((f) => `${qq}${f}${qq}`).join(`,${sp()}`)}]` : `[${nl}${fs.map((f) => `    ${qq}${f}${qq},${r() < 0.2 ? ' # "rustls-tls"' : ''}`).join(nl)}${nl}]`;
    lines.push(`${dep}${sp()}=${sp()}{ version = "${VERSION[dep]}", features = ${list} }`);
  }
  if (r() < 0.7) {
    lines.push('', '[features]');
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const items: string[] = [];
      for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
        const dep = pick(deps);
        const f = pick(FEATURES[dep]!);
        items.push(r() < 0.2 ? `${dep}?/${f}` : r() < 0.15 ? `dep:${dep}` : `${dep}/${f}`);
      }
      if (r() < 0.3) items.push('other');
      const qq = q();
      lines.push(`${i === 0 ? 'default' : `f${i}`} = [${items.map((x) => `${qq}${x}${qq}`).join(', ')}]`);
    }
  }
  return lines.join(nl) + nl;
}

/** Every occurrence switched: dependency feature strings and `[features]` `dep/feature` entries. */
function rewriteByHand(text: string): string {
  const edits: { start: number; end: number; to: string }[] = [];
  for (const s of locateFeatureStrings(text)) {
    const to = s.table === 'dependencies' ? MAP[s.dependency]?.[s.feature] : undefined;
    if (to) edits.push({ start: s.start + 1, end: s.end - 1, to });
  }
  for (const s of lexToml(text).strings) {
    if (s.path.length !== 3 || s.path[0] !== 'features') continue;
    const m = /^([a-z-]+)(\??)\/(.+)$/.exec(s.value);
    const to = m ? MAP[m[1]!]?.[m[3]!] : undefined;
    if (m && to) edits.push({ start: s.start + 1, end: s.end - 1, to: `${m[1]}${m[2]}/${to}` });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.to + out.slice(e.end);
  return out;
}

function scanOf(text: string): ScanResult {
  const tls: TlsFeature[] = locateFeatureStrings(text)
    .filter((s) => s.dependency in MAP)
    .map((s) => ({
      manifest: 'Cargo.toml',
      line: s.line,
      crate: 'pkg',
      test: false,
      dependency: s.dependency,
      feature: s.feature,
      roots: s.feature in MAP[s.dependency]! ? 'webpki' : 'none',
      table: 'dependencies',
      inherited: false,
      version: VERSION[s.dependency],
      declared: { manifest: 'Cargo.toml', line: s.line, start: s.start, end: s.end },
    }));
  return {
    schemaVersion: 1,
    tool: { name: 'codex-mitm', version: 'test' },
    root: '/nonexistent/tree',
    summary: { rustFiles: 0, manifests: 1, crates: 1, clients: 0, tlsFeatures: 0, endpoints: 0, envVars: 0, configKeys: 0, parseErrors: 0, warnings: [], durationMs: 0 },
    crates: [{ name: 'pkg', manifest: 'Cargo.toml', dir: '', bins: [], deps: Object.keys(MAP).map((d) => ({ name: d, package: d, table: 'dependencies' })) }],
    clients: [],
    tlsFeatures: tls,
    endpoints: [],
    envVars: [],
    configKeys: [],
  } as ScanResult;
}

describe('approach B: generated manifests, in memory', () => {
  it('1,500 manifests with repeated features and [features] entries: every occurrence switched, exact revert', () => {
    let changed = 0;
    let repeated = 0;
    let featureEntries = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const r = prng(seed * 7919);
      const text = generate(r);
      const ctx = `seed ${seed}\n${text}`;
      const plan = planApproachB(scanOf(text), () => text, { shipped: new Set(['pkg']) });
      const f = plan.files[0];
      const newText = f?.newText ?? text;
      expect(newText, ctx).toBe(rewriteByHand(text));
      parse(newText);
      if (!f) continue;
      changed++;
      if (f.reasons.some((x) => x.message.startsWith('[features]'))) featureEntries++;
      if (new Set(f.reasons.map((x) => x.message)).size < f.reasons.length) repeated++;
      const run = recordEdits(text, newText, f.replacements!);
      expect(run, ctx).toBeDefined();
      expect(reverseEdits(newText, [run!]), ctx).toBe(text);
      const entry = { path: 'Cargo.toml', existed: true, mode: 0o644, before: null, after: '', earlier: [], backup: null, edits: [run!] } as unknown as PatchStateFile;
      expect(reverseManifest(Buffer.from(newText), entry), ctx).toBe(text);
    }
    expect(changed).toBeGreaterThan(700);
    expect(repeated).toBeGreaterThan(100);
    expect(featureEntries).toBeGreaterThan(200);
  });
});
