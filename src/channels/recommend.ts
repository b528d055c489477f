import type { Approach, Channel, Recommendation } from '../model.js';
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

export function recommend(channels: Channel[]): Recommendation {
  const rules = loadChannelRules();
  const scores = scoreApproaches(channels);
  // Highest score; ties go to the cheaper approach (ORDER is by cost).
  const best = scores.reduce((a, b) => (b.score > a.score + 1e-9 ? b : a));
  const others = scores
    .filter((s) => s !== best)
    .map((s) => `${s.approach.toUpperCase()} ${s.captured.length}`)
    .join(', ');
  const partial = channels.filter((c) => c.contacted).filter((c) => c.coverage[best.approach] === 'partial' || c.coverage[best.approach] === 'unknown').map((c) => c.id);
  const reason =
    `captures ${best.captured.length} of ${channels.filter((c) => c.contacted).length} contacted channels fully` +
    (best.captured.length ? ` (${best.captured.join(', ')})` : '') +
    (partial.length ? `, partly or unverifiably ${partial.join(', ')}` : '') +
    ` — fully captured by the others: ${others}`;
  return { approach: best.approach, reason, misses: best.misses };
}
