// Approach B planner (pure: scan facts + file texts in, plan out). Switches every webpki-roots
// feature that reaches the codex-cli binary to its native-roots equivalent, in the manifest where
// the feature string is declared.
import { join } from 'node:path';
import { InputError, type LockedWebpki, type ScanResult, type TlsFeature } from '../../model.js';
import type { FilePlan, Plan, PlanReason, Replacement } from '../engine/plan.js';
import { replaceSpans, type SpanEdit } from './edit.js';
import { loadApproachBRules, type ApproachBRules, type SwitchRule } from './rules.js';
import { unintendedDifference } from './toml-check.js';
import { versionInRange } from './semver.js';
import { nextStepsB, uncapturedB, type OsInfo } from './next-steps.js';
import { lexToml, locateFeatureStrings, type FeatureStringSpan } from '../../util/toml-spans.js';
import { loadTlsRules, tlsRuleFor, type TlsCrateRule } from '../../scan/cargo/tls-rules.js';
import { tlsMeanings } from '../../channels/tls-meaning.js';
import { CLI_PACKAGE } from '../../scan/cargo/closure.js';
import { approachARules } from '../../rules/files.js';

export interface PlanBOptions {
  /** Crate names that reach the shipped binary (binaryClosure(crates, 'codex-cli')). */
  shipped: ReadonlySet<string>;
  /** Also patch dev-dependencies. */
  includeDev?: boolean;
  rules?: ApproachBRules;
  /** rules/tls.toml (for `network = false` crates); default: loaded from the package. */
  tlsRules?: TlsCrateRule[];
  /** For the next steps; default: a generic Linux. */
  os?: OsInfo;
  /** An earlier run's state exists (the tree is patched already: the next steps still rebuild). */
  patchedBefore?: boolean;
  /** The features an earlier run wrote (from its patch state: manifest, line, feature). Where the
   *  tree still lists them, they are what that run switched to; without it (an old state that kept
   *  no edits), any native-roots feature a switch leads to counts. */
  writtenBefore?: ReadonlyArray<{ manifest: string; line: number; feature: string }>;
  /** Why a manifest (root-relative) could not be read, when the caller can tell (lstat). */
  manifestProblem?: (rel: string) => string | undefined;
}

export interface ApproachBPlan extends Plan {
  approach: 'b';
  /** The scan shows B will not change which roots codex's clients use (nativeTlsDefault). */
  trustUnchanged: boolean;
  /** Why, when it is so (the first note says it in full). */
  trustUnchangedWhy?: string;
  /** What a forward proxy still does not see (clients with no_proxy, channels with coverage.b 'no'). */
  uncaptured: string[];
  /** Locked packages that depend on webpki-roots (as locked now, before the rebuild). */
  lockedWebpki: LockedWebpki[];
  /** Those of lockedWebpki pulled in only by switched features: gone from the codex-cli build, and
   *  from Cargo.lock once it is regenerated unless a feature left alone (`stillLockedBy`) keeps them.
   *  `switchedBy`: the features this plan switches (as written now; empty when it switches none of
   *  them); `switchedBefore`: when the tree was patched before, the native-roots features an earlier
   *  run switched to, as the tree lists them now. */
  lockedRemoved: Array<
    LockedWebpki & {
      switchedBy: string[];
      switchedBefore?: string[];
      /** Left-alone features of the shipped binary that still turn it on: it stays compiled into codex-cli. */
      stillCompiledBy?: string[];
      /** Left-alone features outside the binary (dev-dependencies, other crates): only Cargo.lock keeps it. */
      stillLockedBy?: string[];
    }
  >;
  /** The others: third-party crates' own webpki features, still compiled in after the rebuild. */
  lockedKept: LockedWebpki[];
}

interface Candidate {
  tf: TlsFeature;
  rule: SwitchRule;
}

const spanKey = (tf: TlsFeature) => `${tf.declared!.manifest}\u0000${tf.declared!.start}`;
const where = (tf: TlsFeature) => `${tf.manifest}:${tf.line}`;

export function planApproachB(result: ScanResult, readText: (absPath: string) => string, opts: PlanBOptions): ApproachBPlan {
  const rules = opts.rules ?? loadApproachBRules();
  const tlsRules = opts.tlsRules ?? loadTlsRules();
  const manifestWarnings = result.summary.warnings.filter((w) => w.kind === 'manifest');

  const byFrom = (tf: TlsFeature) => rules.switches.filter((s) => s.dependency === tf.dependency && s.from === tf.feature);
  const candidates = new Map<string, Candidate[]>();
  const skipped: Array<{ key: string; label: string; where: string; why: string; tf: TlsFeature; enables?: string[]; shipped: boolean }> = [];
  // Rule ids this plan switches, and (patched before) `dependency "feature"` labels of the
  // native-roots features an earlier run switched to, per rule id, as the tree lists them now.
  const switched = new Set<string>();
  const switchedBefore = new Map<string, Set<string>>();
  for (const tf of result.tlsFeatures) {
    const switches = byFrom(tf);
    if (tf.roots !== 'webpki' && switches.length === 0) continue;
    const id = tf.declared ? spanKey(tf) : `${tf.manifest}\u0000${tf.line}\u0000${tf.feature}`;
    const label = `${tf.dependency} "${tf.feature}"`;
    // in the codex-cli binary: a shipped crate's normal dependency
    const shipped = opts.shipped.has(tf.crate) && !tf.test && !tf.table.endsWith('dev-dependencies') && !tf.table.endsWith('build-dependencies');
    const skip = (why: string, enables?: string[]) =>
      skipped.push({ key: id, label, where: `${where(tf)} (${tf.crate || 'workspace'})`, why, tf, shipped, ...(enables ? { enables } : {}) });
    const tlsRule = tlsRuleFor(tf.dependency, tf.version, tlsRules);
    if (tlsRule && !tlsRule.network) {
      skip(`its TLS never reaches the network (${tlsRule.note ?? 'rules/tls.toml: network = false'})`);
      continue;
    }
    if (tf.implicit || !tf.declared) {
      const shippedWebpki = tf.roots === 'webpki' && shipped;
      skip(
        shippedWebpki
          ? `a default feature that compiles webpki roots into ${CLI_PACKAGE}, which approach B cannot switch (it rewrites feature strings only): set default-features = false on ${tf.dependency} by hand, keeping the features codex needs`
          : 'an implicit default feature, not written in any manifest',
        (tlsRule?.features.get(tf.feature)?.enables ?? []).map((e) => e.dependency),
      );
      continue;
    }
    if (switches.length === 0) {
      skip('compiles in webpki roots, but rules/approach-b.toml knows no native-roots equivalent');
      continue;
    }
    const rule = switches.find((s) => versionInRange(tf.version, s.versions));
    if (!rule) {
      skip(`version ${tf.version ?? '(unknown)'} is outside the range ${switches.map((s) => `"${s.versions}"`).join(' / ')} the switch applies to`);
      continue;
    }
    const table = tf.table;
    if (table.endsWith('build-dependencies')) {
      skip('a build-dependency (build scripts only, not the shipped binary)');
      continue;
    }
    if ((tf.test || table.endsWith('dev-dependencies')) && !opts.includeDev) {
      skip('in dev-dependencies (tests only, never in the shipped binary; --include-dev patches it)');
      continue;
    }
    if (!opts.shipped.has(tf.crate)) {
      skip(
        tf.table === 'workspace.dependencies'
          ? `declared for the workspace; no crate of the ${CLI_PACKAGE} binary inherits it`
          : `crate ${tf.crate || '(none)'} is not part of the ${CLI_PACKAGE} binary`,
      );
      continue;
    }
    const list = candidates.get(id) ?? [];
    list.push({ tf, rule });
    candidates.set(id, list);
  }

  // An earlier run switched these already (Cargo.lock may still list what they pulled in): named
  // by the feature the tree has now, never by the one it replaced (several switch to the same).
  if (opts.patchedBefore) {
    for (const tf of result.tlsFeatures) {
      if (!opts.shipped.has(tf.crate) || tf.implicit || tf.table.endsWith('build-dependencies')) continue;
      if ((tf.test || tf.table.endsWith('dev-dependencies')) && !opts.includeDev) continue;
      const d = tf.declared;
      if (opts.writtenBefore && !(d && opts.writtenBefore.some((w) => w.manifest === d.manifest && w.line === d.line && w.feature === tf.feature))) continue;
      for (const r of rules.switches) {
        if (r.dependency !== tf.dependency || r.to !== tf.feature || !versionInRange(tf.version, r.versions)) continue;
        const labels = switchedBefore.get(r.id) ?? new Set<string>();
        labels.add(`${tf.dependency} "${tf.feature}"`);
        switchedBefore.set(r.id, labels);
      }
    }
  }

  // Group the spans to edit per manifest.
  const perManifest = new Map<string, Candidate[][]>();
  for (const group of candidates.values()) {
    const m = group[0]!.tf.declared!.manifest;
    const l = perManifest.get(m) ?? [];
    l.push(group);
    perManifest.set(m, l);
  }

  // A manifest problem blocks the patch only where it matters: a manifest being edited, the
  // workspace root, or a crate of the shipped binary (a path dependency of one included: a manifest
  // that does not parse hides its own dependencies). Others are reported and left alone.
  const relevant = relevantManifests(result, opts.shipped, perManifest.keys());
  const notes: string[] = [];
  for (const w of manifestWarnings) {
    if (!w.file || relevant.has(w.file)) throw new InputError(w.message, w.file ? join(result.root, w.file) : undefined, w.line);
  }
  for (const w of manifestWarnings) {
    notes.push(`${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}; not part of the ${CLI_PACKAGE} binary and not edited, so the patch goes ahead (cargo will still complain about it)`);
  }

  // A manifest of the codex-cli binary the scan could not read (a symbolic link, a FIFO, a device,
  // not UTF-8): its features would silently stay as they are, so the patch is refused, naming it.
  const dirs = new Set(result.crates.map((c) => c.dir));
  const readWarnings = new Map(
    result.summary.warnings.filter((w) => w.file && /(^|\/)Cargo\.toml$/.test(w.file) && w.kind !== 'manifest').map((w) => [w.file!, w.message]),
  );
  for (const c of result.crates) {
    if (!opts.shipped.has(c.name)) continue;
    for (const d of c.deps) {
      if (d.path === undefined || d.table.endsWith('dev-dependencies') || d.table.endsWith('build-dependencies') || dirs.has(d.path)) continue;
      const rel = d.path === '' ? 'Cargo.toml' : `${d.path}/Cargo.toml`;
      if (rel.startsWith('../')) {
        notes.push(`${rel} (path dependency ${d.name} of ${c.name}) lies outside the tree: not scanned, so its TLS features are not switched; left alone`);
        continue;
      }
      const why = opts.manifestProblem?.(rel) ?? readWarnings.get(rel) ?? 'could not be read (missing, or not a regular file)';
      throw new InputError(
        `${why.replace(/^manifest /, '')}: the manifest of ${d.name}, a dependency of ${c.name} in the ${CLI_PACKAGE} binary, could not be read, so approach B cannot switch its features (nothing was written)`,
        join(result.root, ...rel.split('/')),
      );
    }
  }

  // `[features] x = ["reqwest/rustls-tls"]` in a crate of the binary turns a webpki feature on too:
  // switched like the dependency's own feature strings.
  const featureEntries = new Map<string, Array<{ start: number; end: number; line: number; from: string; to: string; rule: SwitchRule; label: string; crate: string }>>();
  for (const c of [...result.crates].sort((a, b) => a.manifest.localeCompare(b.manifest))) {
    if (!opts.shipped.has(c.name)) continue;
    const abs = join(result.root, ...c.manifest.split('/'));
    let lexed;
    try {
      lexed = lexToml(readText(abs));
    } catch {
      continue; // reported as a manifest problem above
    }
    for (const str of lexed.strings) {
      if (str.path.length !== 3 || str.path[0] !== 'features' || typeof str.path[2] !== 'number') continue;
      const m = /^([A-Za-z0-9_-]+)(\??)\/(.+)$/.exec(str.value);
      if (!m) continue;
      const dep = c.deps.find((d) => d.name === m[1] && !d.table.endsWith('dev-dependencies') && !d.table.endsWith('build-dependencies'));
      const pkg = dep?.package ?? m[1]!;
      const switches = rules.switches.filter((r) => r.dependency === pkg && r.from === m[3]);
      if (switches.length === 0) continue;
      const label = `[features] ${String(str.path[1])} = "${str.value}"`;
      const version = result.tlsFeatures.find((t) => t.crate === c.name && t.dependency === pkg && t.version)?.version;
      const rule = switches.find((r) => versionInRange(version, r.versions));
      if (!rule) {
        notes.push(`${c.manifest}:${str.line}: ${label} turns on ${pkg} "${m[3]}", but ${pkg}'s version ${version ?? '(unknown)'} is outside the range the switch applies to; left alone`);
        continue;
      }
      const list = featureEntries.get(c.manifest) ?? [];
      list.push({ start: str.start, end: str.end, line: str.line, from: str.value, to: `${m[1]}${m[2]}/${rule.to}`, rule, label, crate: c.name });
      featureEntries.set(c.manifest, list);
    }
  }

  const files: FilePlan[] = [];
  const manifests = [...new Set([...perManifest.keys(), ...featureEntries.keys()])].sort((a, b) => a.localeCompare(b));
  for (const manifest of manifests) {
    const groups = perManifest.get(manifest) ?? [];
    const abs = join(result.root, ...manifest.split('/'));
    let text: string;
    try {
      text = readText(abs);
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, abs);
    }
    const spans = featureSpans(text);
    const edits: SpanEdit[] = [];
    const replacements: Replacement[] = [];
    const reasons: PlanReason[] = [];
    for (const fe of featureEntries.get(manifest) ?? []) {
      edits.push({ start: fe.start, end: fe.end, from: fe.from, to: fe.to });
      const q = text[fe.start] ?? '"';
      replacements.push({ start: fe.start, end: fe.end, text: `${q}${fe.to}${q}` });
      switched.add(fe.rule.id);
      reasons.push({
        rule: `approach-b/${fe.rule.id}`,
        line: fe.line,
        message: `${fe.label} -> "${fe.to}": ${fe.rule.why}`,
        finding: `${fe.label} in ${manifest}:${fe.line} (crate ${fe.crate}; reaches ${CLI_PACKAGE})`,
      });
    }
    for (const group of groups.sort((a, b) => a[0]!.tf.declared!.start - b[0]!.tf.declared!.start)) {
      const { tf, rule } = group[0]!;
      const d = tf.declared!;
      edits.push({ start: d.start, end: d.end, from: tf.feature, to: rule.to });
      const q = text[d.start] ?? '"';
      replacements.push({ start: d.start, end: d.end, text: `${q}${rule.to}${q}` });
      switched.add(rule.id);
      const crates = [...new Set(group.map((c) => c.tf.crate))].sort();
      const via = d.manifest !== tf.manifest || group.some((c) => c.tf.inherited) ? `, inherited by ${crates.join(', ')}` : '';
      reasons.push({
        rule: `approach-b/${rule.id}`,
        line: d.line,
        message: `${tf.dependency} "${tf.feature}" -> "${rule.to}": ${rule.why}`,
        finding: `${tf.dependency} feature "${tf.feature}" in ${d.manifest}:${d.line} (crate ${crates.join(', ')}${via}; reaches ${CLI_PACKAGE})`,
      });
      const here = spans.find((s) => s.start === d.start);
      if (here && spans.some((s) => s !== here && s.table === here.table && s.dependency === here.dependency && s.feature === rule.to)) {
        notes.push(`${d.manifest}:${d.line}: ${tf.dependency} already lists "${rule.to}"; after the switch it is named twice (cargo accepts a repeated feature)`);
      }
    }
    reasons.sort((a, b) => a.line - b.line);
    const newText = replaceSpans(text, edits, abs);
    const bad = unintendedDifference(text, newText, edits.map((e) => ({ from: e.from, to: e.to })));
    if (bad) throw new InputError(`refusing to patch: ${bad}`, abs);
    files.push({ path: abs, display: manifest, oldText: text, newText, reasons, replacements });
  }

  const patchedKeys = new Set(candidates.keys());
  // One note per (feature, reason), listing every place it applies to.
  const grouped = new Map<string, { label: string; why: string; where: string[] }>();
  for (const s of skipped) {
    if (patchedKeys.has(s.key)) continue;
    const k = `${s.label}\u0000${s.why}`;
    const g = grouped.get(k) ?? { label: s.label, why: s.why, where: [] };
    if (!g.where.includes(s.where)) g.where.push(s.where);
    grouped.set(k, g);
  }
  for (const g of grouped.values()) notes.push(`${g.label} in ${g.where.join(', ')}: ${g.why}; left alone`);

  const caps = result.capabilities;
  const trustUnchanged = Boolean(caps?.nativeTlsDefault);
  const trustUnchangedWhy = trustUnchanged
    ? `default-tls (native-tls) is unified into the ${CLI_PACKAGE} binary and no client switches to rustls unconditionally, so every reqwest client uses native-tls by default (OpenSSL on Linux: the OS store and ${approachARules().ca.fallback_env}). Approach B changes which roots are compiled in, not which are used`
    : undefined;
  if (trustUnchangedWhy) notes.unshift(`This patch will not change what codex trusts: ${trustUnchangedWhy}; installing the CA in the OS store is enough without a rebuild.`);
  // Clients that switch to rustls (always, or only under a condition such as a custom CA being set);
  // clients of other binaries in the tree (src/bin/*) are not the shipped codex.
  const shippedBinary = (file: string) => !/(^|\/)src\/bin\//.test(file);
  const rustlsClients = result.clients.filter((c) => !c.test && shippedBinary(c.file) && (c.tls.useRustls || c.tls.preconfiguredTls));
  for (const c of rustlsClients) {
    const t = tlsMeanings(c);
    const when = t.rustls === 'conditional' || t.preconfigured === 'conditional'
      ? c.tls.customCaEnv.length
        ? ` only when ${c.tls.customCaEnv.join(' or ')} is set`
        : ' only under a condition'
      : '';
    notes.push(
      `${c.file}:${c.line} (${c.crate}) builds a rustls client${c.tls.preconfiguredTls ? ' with a preconfigured TLS config' : ''}${when}: then it trusts the roots compiled in by the features above${c.tls.customCaEnv.length ? ' plus that CA' : ''}`,
    );
  }

  return {
    approach: 'b',
    target: result.root,
    files,
    notes,
    nextSteps: nextStepsB(result.root, opts.os ?? { platform: 'linux', ids: [] }, rules, files.length > 0 || Boolean(opts.patchedBefore)),
    trustUnchanged,
    ...(trustUnchangedWhy ? { trustUnchangedWhy } : {}),
    uncaptured: uncapturedB(result),
    lockedWebpki: result.lockedWebpki ?? [],
    ...splitLocked(result.lockedWebpki ?? [], rules, switched, switchedBefore, skipped),
  };
}

/** Manifests (root-relative) whose problems must block the patch. */
function relevantManifests(result: ScanResult, shipped: ReadonlySet<string>, edited: Iterable<string>): Set<string> {
  const out = new Set<string>(edited);
  out.add('Cargo.toml');
  for (const c of result.crates) {
    if (!shipped.has(c.name)) continue;
    out.add(c.manifest);
    for (const d of c.deps) {
      if (d.path === undefined || d.table.endsWith('dev-dependencies') || d.table.endsWith('build-dependencies')) continue;
      out.add(d.path === '' ? 'Cargo.toml' : `${d.path}/Cargo.toml`);
    }
  }
  return out;
}

/** Cargo.lock's webpki-roots dependents, split by whether a switch of this plan is what pulls them in. */
function splitLocked(
  locked: LockedWebpki[],
  rules: ApproachBRules,
  switched: ReadonlySet<string>,
  switchedBefore: ReadonlyMap<string, ReadonlySet<string>>,
  skipped: Array<{ why: string; where: string; label: string; tf: TlsFeature; enables?: string[]; shipped: boolean }>,
): Pick<ApproachBPlan, 'lockedRemoved' | 'lockedKept'> {
  const removedBy = new Map<string, SwitchRule[]>();
  const before = new Map<string, Set<string>>();
  for (const r of rules.switches) {
    if (switched.has(r.id)) for (const p of r.locked) removedBy.set(p, [...(removedBy.get(p) ?? []), r]);
    const now = switchedBefore.get(r.id);
    if (now) for (const p of r.locked) before.set(p, new Set([...(before.get(p) ?? []), ...now]));
  }
  const lockedRemoved: ApproachBPlan['lockedRemoved'] = [];
  const lockedKept: LockedWebpki[] = [];
  for (const l of locked) {
    const by = removedBy.get(l.package) ?? [];
    const earlier = [...(before.get(l.package) ?? [])].sort();
    if (by.length === 0 && earlier.length === 0) {
      lockedKept.push(l);
      continue;
    }
    // Features of the same dependencies left alone (dev-dependencies, other binaries) keep the entry in Cargo.lock.
    const deps = new Set(rules.switches.filter((r) => r.locked.includes(l.package)).map((r) => r.dependency));
    // ... and so do default features of shipped crates that turn such a feature on (oauth2's rustls-tls)
    const keeps = (x: (typeof skipped)[number]): boolean =>
      x.tf.roots === 'webpki' && (x.tf.implicit ? x.shipped && (x.enables ?? []).some((d) => deps.has(d)) : deps.has(x.tf.dependency));
    const name = (x: (typeof skipped)[number]): string => `${x.label}${x.tf.implicit ? ' (a default feature)' : ''} in ${x.where}`;
    const stillCompiled = [...new Set(skipped.filter((x) => keeps(x) && x.shipped).map(name))];
    const stillLocked = [...new Set(skipped.filter((x) => keeps(x) && !x.shipped).map(name))];
    lockedRemoved.push({
      ...l,
      switchedBy: [...new Set(by.map((r) => `${r.dependency} "${r.from}"`))],
      ...(earlier.length > 0 ? { switchedBefore: earlier } : {}),
      ...(stillCompiled.length > 0 ? { stillCompiledBy: stillCompiled } : {}),
      ...(stillLocked.length > 0 ? { stillLockedBy: stillLocked } : {}),
    });
  }
  return { lockedRemoved, lockedKept };
}

function featureSpans(text: string): FeatureStringSpan[] {
  try {
    return locateFeatureStrings(text);
  } catch {
    return [];
  }
}
