// rules/tls.toml: TLS-bearing crates, their TLS features and the roots each compiles in.
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import type { Roots } from '../../model.js';
import { InputError } from '../../model.js';

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

const ROOTS: readonly Roots[] = ['webpki', 'native', 'native-tls', 'platform', 'none'];
const RULES_URL = new URL('../../../rules/tls.toml', import.meta.url);

let cached: TlsCrateRule[] | undefined;

export function loadTlsRules(url: URL = RULES_URL): TlsCrateRule[] {
  if (url === RULES_URL && cached) return cached;
  const file = url.pathname;
  const doc = parse(readFileSync(url, 'utf8')) as { dependency?: unknown };
  if (!Array.isArray(doc.dependency)) throw new InputError('expected [[dependency]] blocks', file);
  const rules = doc.dependency.map((raw: Record<string, unknown>, i): TlsCrateRule => {
    const where = `[[dependency]] #${i + 1}`;
    if (typeof raw.name !== 'string') throw new InputError(`${where}: name missing`, file);
    const features = new Map<string, TlsFeatureRule>();
    for (const [f, v] of Object.entries((raw.features ?? {}) as Record<string, Record<string, unknown>>)) {
      const roots = v.roots as Roots;
      if (!ROOTS.includes(roots)) throw new InputError(`${where} ${raw.name}.${f}: bad roots ${String(v.roots)}`, file);
      const enables = ((v.enables ?? []) as string[]).map((e) => {
        const m = /^([^@/]+)@([^/]+)\/(.+)$/.exec(e);
        if (!m) throw new InputError(`${where} ${raw.name}.${f}: bad enables entry ${e} (want crate@line/feature)`, file);
        return { dependency: m[1]!, line: m[2]!, feature: m[3]! };
      });
      features.set(f, { roots, note: typeof v.note === 'string' ? v.note : undefined, enables });
    }
    return {
      name: raw.name,
      versions: (raw.versions ?? ['*']) as string[],
      implicit: (raw.implicit ?? []) as string[],
      network: raw.network !== false,
      note: typeof raw.note === 'string' ? raw.note : undefined,
      features,
    };
  });
  if (url === RULES_URL) cached = rules;
  return rules;
}

/** The semver-compatible line of a version requirement: "0.12.5" -> "0.12", "^1.7" -> "1"; undefined for "*" / none. */
export function compatLine(req: string | undefined): string | undefined {
  if (!req) return undefined;
  const m = /(\d+)(?:\.(\d+))?/.exec(req);
  if (!m) return undefined;
  const major = Number(m[1]);
  if (major > 0) return String(major);
  return `0.${m[2] ?? '0'}`;
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
