// TlsFeature facts: every rules-listed feature of every TLS-bearing dependency entry.
import type { ScanWarning, TlsFeature } from '../../model.js';
import { isTestTable, type ResolvedDep } from './deps.js';
import type { ParsedManifest } from './manifest-read.js';
import { tlsRuleFor, type TlsCrateRule } from './tls-rules.js';

const TLS_LOOKING = /tls|rustls|webpki|native-roots|certs|openssl|ssl/i;

export interface EntryContext {
  /** Manifest that owns the entry. */
  manifest: ParsedManifest;
  crate: string;
  /** Workspace root manifest (for inherited features' `declared`). */
  wsRoot?: ParsedManifest;
}

/** The `nth` (0-based) literal of `feature` in the entry: a feature listed twice has two spans,
 *  and each listing gets its own fact (approach B switches both). */
function declaredOf(m: ParsedManifest | undefined, table: string, key: string, feature: string, nth = 0): TlsFeature['declared'] {
  if (!m || !m.spansOk) return undefined;
  const s = m.featureSpans.filter((f) => f.table === table && f.dependency === key && f.feature === feature)[nth];
  return s ? { manifest: m.rel, line: s.line, start: s.start, end: s.end } : undefined;
}

/** TlsFeatures of one resolved dependency entry. */
export function tlsFeaturesOf(dep: ResolvedDep, ctx: EntryContext, warnings: ScanWarning[], rules?: TlsCrateRule[]): TlsFeature[] {
  const rule = tlsRuleFor(dep.package, dep.version, rules);
  const m = ctx.manifest;
  const line = m.depLines.get(`${dep.table}\u0000${dep.key}`) ?? 1;
  if (!rule) {
    if (tlsRuleFor(dep.package, undefined, rules)) {
      warnings.push({
        kind: 'other',
        file: m.rel,
        line,
        message: `${dep.package} ${dep.version ?? ''}: no rule in rules/tls.toml for this version; its TLS features are not classified`,
      });
    }
    return [];
  }
  const base = {
    manifest: m.rel,
    line,
    crate: ctx.crate,
    // dev-dependencies, and test-support crates kept under a tests/ folder (core/tests/common)
    test: isTestTable(dep.table) || /(^|\/)tests\//.test(m.rel),
    dependency: dep.package,
    table: dep.table,
    ...(dep.version !== undefined ? { version: dep.version } : {}),
  };
  const out: TlsFeature[] = [];
  const seen = new Map<string, number>();
  const emit = (feature: string, inherited: boolean, declaredIn: ParsedManifest | undefined, declaredTable: string): void => {
    const r = rule.features.get(feature);
    if (!r) {
      if (TLS_LOOKING.test(feature)) {
        warnings.push({
          kind: 'other',
          file: m.rel,
          line,
          message: `${dep.package} feature ${feature} looks TLS-related but rules/tls.toml does not classify it`,
        });
      }
      return;
    }
    const k = `${inherited ? 'ws' : 'own'}\u0000${feature}`;
    const nth = seen.get(k) ?? 0;
    seen.set(k, nth + 1);
    const declared = declaredOf(declaredIn, declaredTable, dep.key, feature, nth);
    if (!declared && declaredIn?.spansOk) {
      warnings.push({ kind: 'other', file: declaredIn.rel, line, message: `feature string ${feature} of ${dep.key} not located in the text` });
    }
    out.push({ ...base, feature, roots: r.roots, inherited, ...(declared ? { declared } : {}) });
  };
  for (const f of dep.inheritedFeatures) emit(f, true, ctx.wsRoot, 'workspace.dependencies');
  for (const f of dep.ownFeatures) emit(f, false, m, dep.table);
  if (dep.defaultFeatures) {
    const written = new Set([...dep.inheritedFeatures, ...dep.ownFeatures]);
    for (const f of rule.implicit) {
      const r = rule.features.get(f);
      if (!r || written.has(f)) continue;
      out.push({ ...base, feature: f, roots: r.roots, inherited: dep.workspace, implicit: true });
    }
  }
  return out;
}
