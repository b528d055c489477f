// rules/approach-b.toml: which feature switches to which native-roots feature, and the per-OS
// next steps.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { InputError } from '../../model.js';

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

const RULES_URL = new URL('../../../rules/approach-b.toml', import.meta.url);
let cached: ApproachBRules | undefined;

export function loadApproachBRules(url: URL = RULES_URL): ApproachBRules {
  if (url === RULES_URL && cached) return cached;
  const file = fileURLToPath(url);
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`cannot read rules: ${(err as Error).message}`, file);
  }
  const str = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || v === '') throw new InputError(`${what} must be a non-empty string`, file);
    return v;
  };
  const names = (v: unknown, what: string): string[] => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) throw new InputError(`${what} must be a list of package names`, file);
    return v as string[];
  };
  const switches = ((doc.switch ?? []) as Record<string, unknown>[]).map((s, i) => ({
    id: str(s.id, `[[switch]] #${i + 1} id`),
    dependency: str(s.dependency, `[[switch]] #${i + 1} dependency`),
    versions: typeof s.versions === 'string' ? s.versions : '*',
    from: str(s.from, `[[switch]] #${i + 1} from`),
    to: str(s.to, `[[switch]] #${i + 1} to`),
    why: str(s.why, `[[switch]] #${i + 1} why`),
    locked: s.locked === undefined ? [str(s.dependency, `[[switch]] #${i + 1} dependency`)] : names(s.locked, `[[switch]] #${i + 1} locked`),
  }));
  const ca = (doc.ca ?? {}) as Record<string, unknown>;
  const stores: CaStore[] = Object.entries(ca)
    .filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v))
    .map(([key, v]) => {
      const e = v as Record<string, unknown>;
      return {
        key,
        name: str(e.name, `[ca.${key}] name`),
        match: Array.isArray(e.match) ? (e.match as string[]) : [],
        commands: Array.isArray(e.commands) ? (e.commands as string[]) : [],
      };
    });
  const proxy = (doc.proxy ?? {}) as Record<string, unknown>;
  const rules: ApproachBRules = {
    switches,
    caFile: typeof ca.file === 'string' ? ca.file : '~/.mitmproxy/mitmproxy-ca-cert.pem',
    stores,
    proxy: {
      mitmdump: str(proxy.mitmdump, '[proxy] mitmdump'),
      env: str(proxy.env, '[proxy] env'),
      build: str(proxy.build, '[proxy] build'),
      flow: typeof proxy.flow === 'string' && proxy.flow !== '' ? proxy.flow : 'codex-b.flow',
    },
  };
  if (url === RULES_URL) cached = rules;
  return rules;
}
