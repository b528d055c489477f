// rules/approach-b.toml: which feature switches to which native-roots feature, and the per-OS
// next steps.
import { fileURLToPath } from 'node:url';
import { approachBSchema } from '../../rules/files.js';
import { loadRules, readRulesFile } from '../../rules/load.js';

export interface SwitchRule {
  id: string;
  dependency: string;
  versions: string;
  from: string;
  to: string;
  why: string;
  /** Cargo.lock packages whose webpki-roots dependency this feature pulls in (default [dependency]). */
  locked: string[];
}

export interface CaStore {
  key: string;
  name: string;
  /** os-release ids (ID / ID_LIKE) this entry is for (Linux only). */
  match: string[];
  commands: string[];
}

export interface ApproachBRules {
  switches: SwitchRule[];
  caFile: string;
  stores: CaStore[];
  proxy: { mitmdump: string; env: string; build: string; flow: string };
}

/** The switches, CA stores and proxy steps of rules/approach-b.toml (another file for tests). */
export function loadApproachBRules(url?: URL): ApproachBRules {
  if (!url && cached) return cached;
  const doc = url ? readRulesFile(fileURLToPath(url), approachBSchema) : loadRules('approach-b.toml', approachBSchema);
  const rules: ApproachBRules = {
    switches: doc.switch.map((s) => ({ ...s, versions: s.versions ?? '*', locked: s.locked ?? [s.dependency] })),
    caFile: doc.ca.file,
    stores: Object.entries(doc.store).map(([key, e]) => ({ key, name: e.name, match: e.match ?? [], commands: e.commands })),
    proxy: { ...doc.proxy, flow: doc.proxy.flow ?? 'codex-b.flow' },
  };
  if (!url) cached = rules;
  return rules;
}

let cached: ApproachBRules | undefined;
