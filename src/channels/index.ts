import type { Capabilities, Channel, Recommendation, TlsFeature } from '../model.js';
import { buildChannels } from './build.js';
import { capabilitiesOf, type ProductionFacts } from './capabilities.js';
import { recommend } from './recommend.js';

export { classifyUrl, loadChannelRules, matchChannel } from './rules.js';

/** Channels, capabilities and the recommendation for production facts (test code already removed). */
export function analyse(f: ProductionFacts): { capabilities: Capabilities; channels: Channel[]; recommendation: Recommendation; evidence: TlsFeature[] } {
  const { capabilities, evidence, wsEvidence } = capabilitiesOf(f);
  const channels = buildChannels(f, { capabilities, evidence, wsEvidence });
  return { capabilities, channels, recommendation: recommend(channels), evidence };
}
