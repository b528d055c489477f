import type { Approach, Channel, Recommendation, Tracing } from '../model.js';
import { loadChannelRules } from './rules.js';

const ORDER: Approach[] = ['a', 'ca', 'b'];

export interface ApproachScore {
  approach: Approach;
  score: number;
  captured: string[];
  misses: string[];
}

/** Weighted coverage minus the approach's cost (weights, scores and costs from rules/channels.toml). */
export function scoreApproaches(channels: Channel[]): ApproachScore[] {
  const rules = loadChannelRules();
  const weight = (c: Channel) => rules.channels.find((r) => r.id === c.id)?.weight ?? 1;
  return ORDER.map((approach) => {
    let score = -rules.approaches[approach].cost;
    const captured: string[] = [];
    const misses: string[] = [];
    for (const c of channels.filter((x) => x.contacted)) {
      const v = c.coverage[approach];
      score += weight(c) * rules.scoring[v];
      if (v === 'yes') captured.push(c.id);
      else if (v === 'no') misses.push(c.id);
    }
    return { approach, score, captured, misses };
  });
}

export function recommend(channels: Channel[], tracing?: Tracing): Recommendation {
  const rules = loadChannelRules();
  const scores = scoreApproaches(channels);
  // Highest score; ties go to the cheaper approach (ORDER is by cost).
  const best = scores.reduce((a, b) => (b.score > a.score + 1e-9 ? b : a));
  const contacted = channels.filter((c) => c.contacted);
  const partial = contacted.filter((c) => c.coverage[best.approach] === 'partial' || c.coverage[best.approach] === 'unknown').map((c) => c.id);
  const scored = scores
    .map((s) => `${s.approach.toUpperCase()} ${s.score.toFixed(1)} (${s.captured.length} fully, cost ${rules.approaches[s.approach].cost})`)
    .join(', ');
  const reason =
    `captures ${best.captured.length} of ${contacted.length} contacted channels fully` +
    (best.captured.length ? ` (${best.captured.join(', ')})` : '') +
    (partial.length ? `, partly or unverifiably ${partial.join(', ')}` : '') +
    `; score = weighted coverage minus the approach's cost from rules/channels.toml (B needs a rebuild and root for the system store): ${scored}`;
  const caveat =
    tracing?.level === 'poor'
      ? `; this codex's client code was not understood (${tracing.endpoints.traced} of ${tracing.endpoints.total} endpoints traced to a client), so this rests on guesses: run codex-mitm verify`
      : '';
  return { approach: best.approach, reason: reason + caveat, misses: best.misses };
}
