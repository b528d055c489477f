import type { Capabilities, Channel, Recommendation, TlsFeature, Tracing } from '../model.js';
import { buildChannels } from './build.js';
import { capabilitiesOf, type ProductionFacts } from './capabilities.js';
import { recommend } from './recommend.js';
import { tracingOf } from './tracing.js';

export { classifyUrl, loadChannelRules, matchChannel } from './rules.js';

/** Channels, capabilities and the recommendation for production facts (test code already removed). */
export function analyse(f: ProductionFacts): {
  capabilities: Capabilities;
  channels: Channel[];
  recommendation: Recommendation;
  tracing: Tracing;
  evidence: TlsFeature[];
} {
  const { capabilities, evidence, wsEvidence } = capabilitiesOf(f);
  const ctx = { capabilities, evidence, wsEvidence };
  const channels = buildChannels(f, ctx);
  const tracing = tracingOf(channels, f.endpoints, f.clients, f.factories.length, ctx);
  return { capabilities, channels, recommendation: recommend(channels, tracing), tracing, evidence };
}
