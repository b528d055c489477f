// rules/tls.toml: TLS-bearing crates, their TLS features and the roots each compiles in.
import { fileURLToPath } from 'node:url';
import { versionIn } from '../../util/versions.js';
import type { Roots } from '../../model.js';
import { ENABLES, tlsSchema } from '../../rules/files.js';
import { loadRules, readRulesFile } from '../../rules/load.js';

export interface TlsFeatureRule {
  roots: Roots;
  note?: string;
  /** Features this one turns on in other crates. */
  enables: Array<{ dependency: string; line: string; feature: string }>;
}

export interface TlsCrateRule {
  name: string;
  /** Semver-compatible lines ("0.12", "1") or "*". */
  versions: string[];
  implicit: string[];
  /** false: the stack never reaches a remote host in codex (e.g. sqlx for a local SQLite file). */
  network: boolean;
  note?: string;
  features: Map<string, TlsFeatureRule>;
}

let cached: TlsCrateRule[] | undefined;

/** The crate rules of rules/tls.toml (another file for tests), checked by the rules schema. */
export function loadTlsRules(url?: URL): TlsCrateRule[] {
  if (!url && cached) return cached;
  const file = url ? fileURLToPath(url) : 'rules/tls.toml';
  const doc = url ? readRulesFile(file, tlsSchema) : loadRules('tls.toml', tlsSchema);
  const rules = doc.dependency.map((raw): TlsCrateRule => {
    const features = new Map<string, TlsFeatureRule>();
    for (const [f, v] of Object.entries(raw.features ?? {})) {
      const enables = (v.enables ?? []).map((e) => {
        const m = ENABLES.exec(e)!;
        return { dependency: m[1]!, line: m[2]!, feature: m[3]! };
      });
      features.set(f, { roots: v.roots, note: v.note, enables });
    }
    return { name: raw.name, versions: raw.versions ?? ['*'], implicit: raw.implicit ?? [], network: raw.network !== false, note: raw.note, features };
  });
  if (!url) cached = rules;
  return rules;
}

/** The semver-compatible line of a version requirement: "0.12.5" -> "0.12", "^1.7" -> "1"; undefined for "*" / none. */
export function compatLine(req: string | undefined): string | undefined {
  if (!req) return undefined;
  const v = versionIn(req);
  if (!v) return undefined;
  return v[0] > 0 ? String(v[0]) : `0.${v[1]}`;
}

/** The rule block for a package at a version requirement (first block of that name when the version is unknown). */
export function tlsRuleFor(pkg: string, version: string | undefined, rules: TlsCrateRule[] = loadTlsRules()): TlsCrateRule | undefined {
  const blocks = rules.filter((r) => r.name === pkg);
  if (blocks.length === 0) return undefined;
  const line = compatLine(version);
  if (line === undefined) return blocks[0];
  return blocks.find((r) => r.versions.includes(line)) ?? blocks.find((r) => r.versions.includes('*'));
}

/** Names of crates the rules know about. */
export function tlsCrateNames(rules: TlsCrateRule[] = loadTlsRules()): Set<string> {
  return new Set(rules.map((r) => r.name));
}
