import type { CliFlag, Capabilities, ClientFactory, ClientSite, ConfigKey, CrateInfo, Endpoint, EnvVar, TlsFeature } from '../model.js';
import { binaryClosure, CLI_PACKAGE, unifiedFeatures } from '../scan/cargo/index.js';
import { loadRules } from '../scan/rust/rules-load.js';
import { approachARules } from '../rules/files.js';
import { forcesRustls } from './tls-meaning.js';

export interface ProductionFacts {
  crates: CrateInfo[];
  tlsFeatures: TlsFeature[];
  clients: ClientSite[];
  factories: ClientFactory[];
  endpoints: Endpoint[];
  envVars: EnvVar[];
  configKeys: ConfigKey[];
  flags: CliFlag[];
  /** Known capability literals in production code (rules/rust.toml [literals]). */
  literals?: { value: string; file: string; line: number }[];
  workspaceVersion?: string;
}



/** What the scanned tree can do, from facts. Also returns the reqwest evidence the verdicts cite. */
export function capabilitiesOf(f: ProductionFacts): { capabilities: Capabilities; evidence: TlsFeature[]; wsEvidence: TlsFeature[]; closure: Set<string> } {
  const hasCli = f.crates.some((c) => c.name === CLI_PACKAGE);
  // Without a codex-cli package (a partial tree), every crate counts as shipped.
  const closure = hasCli ? binaryClosure(f.crates, CLI_PACKAGE) : new Set(f.crates.map((c) => c.name));
  const { features, evidence } = unifiedFeatures(f.tlsFeatures, closure, 'reqwest');
  const wsEvidence = unifiedFeatures(f.tlsFeatures, closure, 'tokio-tungstenite').evidence;
  // the custom CA env vars some client or factory adds roots from (or hands a CA-bearing TLS config)
  const customCaEnv = [
    ...new Set([...f.clients, ...f.factories].filter((c) => c.tls.rootsAdded || c.tls.preconfiguredTls).flatMap((c) => c.tls.customCaEnv)),
  ].sort();
  // Clients that switch to rustls only under a condition (the custom-CA path) keep native-tls by default.
  const nativeTlsDefault = evidence.some((e) => e.roots === 'native-tls') && !f.clients.some((c) => forcesRustls(c));
  const rust = loadRules();
  // the model API's base-URL override, as rules/approach-a.toml names it
  const modelApi = approachARules().model_api;
  const systemProxy = f.literals?.find((l) => l.value === rust.data.literals?.system_proxy);
  const version = f.workspaceVersion && f.workspaceVersion !== '0.0.0' ? f.workspaceVersion : undefined;
  return {
    capabilities: {
      ...(version ? { version } : {}),
      openaiBaseUrlKey: f.configKeys.some((k) => k.key === modelApi.config_key),
      openaiBaseUrlEnv: f.envVars.some((e) => e.name === modelApi.env_var),
      customCaEnv,
      reqwestFeatures: features,
      nativeTlsDefault,
      // the proxy names rules/rust.toml [env] known_names lists, as codex itself reads them
      proxyEnv: [...new Set(f.envVars.filter((e) => rust.knownEnvNames.has(e.name)).map((e) => e.name.toUpperCase()))].sort(),
      ...(systemProxy ? { systemProxy: { key: `features.${systemProxy.value}`, file: systemProxy.file, line: systemProxy.line } } : {}),
    },
    evidence,
    wsEvidence,
    closure,
  };
}
