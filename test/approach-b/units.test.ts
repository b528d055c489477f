import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versionInRange } from '../../src/patch/approach-b/semver.js';
import { replaceSpans } from '../../src/patch/approach-b/edit.js';
import { unintendedDifference } from '../../src/patch/approach-b/toml-check.js';
import { detectOs, nextStepsB } from '../../src/patch/approach-b/next-steps.js';
import { loadApproachBRules } from '../../src/patch/approach-b/rules.js';
import { planApproachB } from '../../src/patch/approach-b/plan.js';
import { InputError, type ScanResult, type TlsFeature } from '../../src/model.js';

describe('versionInRange', () => {
  it.each([
    ['0.12', '>=0.11, <0.13', true],
    ['0.12.28', '>=0.11, <0.13', true],
    ['^0.11', '>=0.11, <0.13', true],
    ['0.13', '>=0.11, <0.13', false],
    ['0.10', '>=0.11, <0.13', false],
    ['0.28.0', '>=0.17', true],
    ['0.16', '>=0.17', false],
    ['1.2', '>=0.14, <1', false],
    ['0.9', '<0.10 || >=2', true],
    [undefined, '>=0.1', false],
    [undefined, '*', true],
  ])('%s in %s -> %s', (req, range, want) => {
    expect(versionInRange(req, range)).toBe(want);
  });
});

describe('replaceSpans', () => {
  const text = "a = ['x', \"rustls-tls\"]\n";
  it('keeps the quote style', () => {
    const s = text.indexOf('"rustls-tls"');
    expect(replaceSpans(text, [{ start: s, end: s + 12, from: 'rustls-tls', to: 'n' }], 'f')).toBe("a = ['x', \"n\"]\n");
    const q = text.indexOf("'x'");
    expect(replaceSpans(text, [{ start: q, end: q + 3, from: 'x', to: 'y' }], 'f')).toBe("a = ['y', \"rustls-tls\"]\n");
  });
  it('refuses a span that does not hold the quoted feature, naming the line', () => {
    expect(() => replaceSpans(`\n${text}`, [{ start: 5, end: 8, from: 'x', to: 'y' }], 'm/Cargo.toml')).toThrow(InputError);
    try {
      replaceSpans(`\n${text}`, [{ start: 5, end: 8, from: 'x', to: 'y' }], 'm/Cargo.toml');
    } catch (e) {
      expect((e as InputError).oneLine).toMatch(/^m\/Cargo.toml:2: expected the feature "x"/);
    }
  });
});

describe('unintendedDifference', () => {
  const old = '[dependencies]\nreqwest = { version = "0.12", features = ["json", "rustls-tls"] }\n';
  it('accepts exactly the intended substitution', () => {
    const neu = old.replace('"rustls-tls"', '"rustls-tls-native-roots"');
    expect(unintendedDifference(old, neu, [{ from: 'rustls-tls', to: 'rustls-tls-native-roots' }])).toBeUndefined();
  });
  it('rejects any other change', () => {
    expect(unintendedDifference(old, old.replace('0.12', '0.13'), [])).toMatch(/unexpected change at dependencies.reqwest.version/);
    expect(unintendedDifference(old, old.replace('"rustls-tls"', '"x"'), [{ from: 'rustls-tls', to: 'y' }])).toMatch(/expected 1/);
    expect(unintendedDifference(old, old.replace('"rustls-tls"', '"rustls-tls", "x"'), [])).toMatch(/unexpected change at dependencies.reqwest.features/);
    expect(unintendedDifference(old, old, [{ from: 'rustls-tls', to: 'y' }])).toMatch(/expected 1 feature substitution\(s\), found 0/);
    expect(unintendedDifference(old, old.replace('}', ''), [])).toMatch(/does not parse/);
  });
});

describe('next steps', () => {
  it('detects Debian and Fedora from os-release and names their store commands', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'cm-os-'));
    await fs.writeFile(join(dir, 'deb'), 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n');
    await fs.writeFile(join(dir, 'fed'), 'NAME="Fedora Linux"\nID=fedora\n');
    const rules = loadApproachBRules();
    const deb = nextStepsB('/src/codex-rs', detectOs('linux', join(dir, 'deb')), rules).join('\n');
    expect(deb).toContain('/usr/local/share/ca-certificates/mitmproxy.crt');
    expect(deb).toContain('update-ca-certificates');
    const fed = nextStepsB('/src/codex-rs', detectOs('linux', join(dir, 'fed')), rules).join('\n');
    expect(fed).toContain('update-ca-trust');
    const mac = nextStepsB('/src/codex-rs', detectOs('darwin'), rules).join('\n');
    expect(mac).toContain('security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain');
    for (const s of [deb, fed, mac]) {
      expect(s).toContain('cargo build --release');
      expect(s).toContain('mitmdump --listen-host 127.0.0.1 --listen-port 8080');
      expect(s).toContain('https_proxy=http://127.0.0.1:8080');
      expect(s).toContain('`(umask 077 && mitmdump --listen-host 127.0.0.1 --listen-port 8080 -w +codex-b.flow)`');
      expect(s).toContain('The flow file holds bearer tokens and API keys');
    }
    const win = nextStepsB('C:\\src\\codex-rs', detectOs('win32'), rules).join('\n');
    expect(win).toContain('`mitmdump --listen-host 127.0.0.1 --listen-port 8080 -w +codex-b.flow`');
    expect(win).not.toContain('umask');
    expect(win).toContain('keep it private, never commit or share it');
  });

  it('reads which Cargo.lock packages each switch pulls in, and refuses a malformed list', async () => {
    const rules = loadApproachBRules();
    expect(rules.switches.find((r) => r.id === 'reqwest-rustls-tls')!.locked).toEqual(['reqwest', 'hyper-rustls']);
    expect(rules.switches.find((r) => r.id === 'otlp-tls-webpki-roots')!.locked).toEqual(['tonic']);
    const dir = await fs.mkdtemp(join(tmpdir(), 'cm-rules-'));
    const base = '[ca]\nfile = "c"\n[store.x]\nname = "X"\ncommands = []\n[proxy]\nmitmdump = "m"\nenv = "e"\nbuild = "b"\n[[switch]]\nid = "x"\ndependency = "d"\nfrom = "f"\nto = "t"\nwhy = "w"\n';
    await fs.writeFile(join(dir, 'ok.toml'), base);
    expect(loadApproachBRules(pathToFileURL(join(dir, 'ok.toml'))).switches[0]!.locked).toEqual(['d']);
    await fs.writeFile(join(dir, 'bad.toml'), `${base}locked = "d"\n`);
    expect(() => loadApproachBRules(pathToFileURL(join(dir, 'bad.toml')))).toThrow(/\[\[switch\]\] x: "locked" must be a list of non-empty strings/);
  });
});

function result(tlsFeatures: TlsFeature[], extra: Partial<ScanResult> = {}): ScanResult {
  return {
    schemaVersion: 1,
    tool: { name: 'codex-mitm', version: 't' },
    root: '/r',
    summary: { rustFiles: 0, manifests: 1, crates: 1, clients: 0, tlsFeatures: 0, endpoints: 0, envVars: 0, configKeys: 0, parseErrors: 0, warnings: [], durationMs: 0 },
    crates: [],
    clients: [],
    tlsFeatures,
    endpoints: [],
    envVars: [],
    configKeys: [],
    ...extra,
  };
}

const MANIFEST = '[package]\nname = "c"\n\n[dependencies]\nreqwest = { version = "0.12", features = ["rustls-tls"] }\n';
const START = MANIFEST.indexOf('"rustls-tls"');
const TF: TlsFeature = {
  manifest: 'c/Cargo.toml',
  line: 5,
  crate: 'c',
  test: false,
  dependency: 'reqwest',
  feature: 'rustls-tls',
  roots: 'webpki',
  table: 'dependencies',
  inherited: false,
  version: '0.12',
  declared: { manifest: 'c/Cargo.toml', line: 5, start: START, end: START + 12 },
};

describe('planApproachB (hand-built scan results)', () => {
  it('says plainly when the patch does not change what codex trusts', () => {
    const caps = { openaiBaseUrlKey: true, openaiBaseUrlEnv: false, customCaEnv: [], reqwestFeatures: ['default-tls', 'rustls-tls'], nativeTlsDefault: true };
    const plan = planApproachB(result([TF], { capabilities: caps }), () => MANIFEST, { shipped: new Set(['c']) });
    expect(plan.trustUnchanged).toBe(true);
    expect(plan.notes[0]).toMatch(/^This patch will not change what codex trusts/);
    expect(plan.files).toHaveLength(1);
    expect(plan.files[0]!.newText).toBe(MANIFEST.replace('"rustls-tls"', '"rustls-tls-native-roots"'));
    expect(plan.files[0]!.path).toBe('/r/c/Cargo.toml');
  });

  it('refuses a manifest the scan could not parse when the shipped binary depends on it, naming file and line', () => {
    const crates = [{ name: 'c', manifest: 'c/Cargo.toml', dir: 'c', bins: [], deps: [{ name: 'x', package: 'x', table: 'dependencies' as const, path: 'x' }] }];
    const r = result([TF], { crates });
    r.summary.warnings.push({ kind: 'manifest', file: 'x/Cargo.toml', line: 7, message: 'invalid TOML' });
    expect(() => planApproachB(r, () => MANIFEST, { shipped: new Set(['c']) })).toThrow(/invalid TOML/);
    try {
      planApproachB(r, () => MANIFEST, { shipped: new Set(['c']) });
    } catch (e) {
      expect((e as InputError).oneLine).toBe('/r/x/Cargo.toml:7: invalid TOML');
    }
  });

  it('only notes a broken manifest that is neither edited nor reached by the shipped binary', () => {
    const crates = [{ name: 'c', manifest: 'c/Cargo.toml', dir: 'c', bins: [], deps: [] }];
    const r = result([TF], { crates });
    r.summary.warnings.push({ kind: 'manifest', file: 'scripts/junk/Cargo.toml', line: 1, message: 'manifest does not parse: bad table' });
    const plan = planApproachB(r, () => MANIFEST, { shipped: new Set(['c']) });
    expect(plan.files.map((f) => f.display)).toEqual(['c/Cargo.toml']);
    expect(plan.notes.join('\n')).toContain('scripts/junk/Cargo.toml:1: manifest does not parse: bad table; not part of the codex-cli binary');
    // The same warning on the edited manifest, or on the workspace root, refuses.
    for (const file of ['c/Cargo.toml', 'Cargo.toml']) {
      const bad = result([TF], { crates });
      bad.summary.warnings.push({ kind: 'manifest', file, line: 3, message: 'cannot locate feature strings' });
      expect(() => planApproachB(bad, () => MANIFEST, { shipped: new Set(['c']) }), file).toThrow(/cannot locate feature strings/);
    }
  });

  it('refuses when the file no longer holds the feature at the scanned span', () => {
    expect(() => planApproachB(result([TF]), () => MANIFEST.replace('[package]', '[package] '), { shipped: new Set(['c']) })).toThrow(/changed since the scan/);
  });

  it('notes implicit features and crates outside the binary, and plans nothing for them', () => {
    const implicit: TlsFeature = { ...TF, feature: 'rustls-tls', implicit: true, declared: undefined };
    const plan = planApproachB(result([implicit, { ...TF, crate: 'other' }]), () => MANIFEST, { shipped: new Set(['c']) });
    expect(plan.files).toHaveLength(0);
    // a default feature of a shipped crate that compiles webpki roots in: B cannot switch it, and says what to do
    expect(plan.notes.join('\n')).toContain('a default feature that compiles webpki roots into codex-cli, which approach B cannot switch');
    expect(plan.notes.join('\n')).toContain('set default-features = false on reqwest by hand');
    expect(plan.notes.join('\n')).toContain('crate other is not part of the codex-cli binary');
  });

  it('a shipped default feature that turns reqwest webpki on keeps reqwest compiled in (oauth2 5 default rustls-tls)', () => {
    const oauth2: TlsFeature = { ...TF, dependency: 'oauth2', feature: 'rustls-tls', version: '5', implicit: true, declared: undefined };
    const r = result([TF, oauth2]);
    r.lockedWebpki = [{ package: 'reqwest', version: '0.12.28', reason: 'codex-c -> reqwest 0.12.28 -> webpki-roots' }];
    const plan = planApproachB(r, () => MANIFEST, { shipped: new Set(['c']) });
    expect(plan.files).toHaveLength(1);
    const reqwest = plan.lockedRemoved.find((l) => l.package === 'reqwest');
    expect(reqwest?.stillCompiledBy).toEqual(['oauth2 "rustls-tls" (a default feature) in c/Cargo.toml:5 (c)']);
    expect(reqwest?.stillLockedBy).toBeUndefined();
  });

  it('notes when the native feature is already in the same array', () => {
    const text = '[dependencies]\nreqwest = { version = "0.12", features = ["rustls-tls-native-roots", "rustls-tls"] }\n';
    const s = text.indexOf('"rustls-tls"');
    const tf = { ...TF, line: 2, declared: { manifest: 'c/Cargo.toml', line: 2, start: s, end: s + 12 } };
    const plan = planApproachB(result([tf]), () => text, { shipped: new Set(['c']) });
    expect(plan.files[0]!.newText).toBe(text.replace('"rustls-tls"]', '"rustls-tls-native-roots"]'));
    expect(plan.notes.join('\n')).toContain('already lists "rustls-tls-native-roots"');
  });
});

describe('reverseManifest', () => {
  it('swaps the recorded features back only when the result differs by exactly those features', async () => {
    const { reverseManifest } = await import('../../src/patch/approach-b/unpatch.js');
    const { recordEdits } = await import('../../src/patch/engine/reverse.js');
    const old = '[dependencies]\nreqwest = { version = "0.12", features = ["rustls-tls"] }\n';
    const neu = old.replace('"rustls-tls"', '"rustls-tls-native-roots"');
    const s = old.indexOf('"rustls-tls"');
    const run = recordEdits(old, neu, [{ start: s, end: s + 12, text: '"rustls-tls-native-roots"' }])!;
    const entry = { path: 'c/Cargo.toml', existed: true, mode: 0o644, before: null, after: '', earlier: [], backup: null, edits: [run] };
    expect(reverseManifest(Buffer.from(`[package]\nname = "c"\n\n${neu}`), entry)).toBe(`[package]\nname = "c"\n\n${old}`);
    // Same offsets, but the string no longer sits in a features array: refused.
    expect(reverseManifest(Buffer.from(neu.replace('features', 'featurez')), entry)).toBeUndefined();
    // A file that no longer parses: refused.
    expect(reverseManifest(Buffer.from(`${neu}[broken\n`), entry)).toBeUndefined();
  });
});
