// The Channels table's columns: a long channel name is not cut while the hosts column has room to
// give, and the row always fits the terminal.
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/model.js';
import { widths } from '../../src/tui/screens/channels.js';

const ch = (name: string, hosts: string[], overrides: string[] = []): Channel =>
  ({ id: name, name, hosts, overrides: overrides.map((o) => ({ name: o })) }) as unknown as Channel;

describe('Channels column widths', () => {
  const channels = [
    ch('Git repositories (plugins, marketplaces: git clone)', ['github.com']),
    ch('Model API (API key)', ['api.openai.com'], ['openai_base_url']),
    ch('Feedback', ['o1.ingest.sentry.io']),
  ];
  for (const columns of [80, 100, 120, 160]) {
    it(`${columns} columns: fits, hosts no wider than the widest host, names get the room`, () => {
      const w = widths(columns, channels);
      expect(2 + w.name + 1 + w.hosts + 1 + w.override + 1 + 12).toBeLessThanOrEqual(columns);
      expect(w.hosts).toBeLessThanOrEqual('o1.ingest.sentry.io'.length);
      expect(w.override).toBeGreaterThanOrEqual(Math.min('openai_base_url'.length, columns - 2 - 13 - w.hosts - 3 - 22));
      expect(w.name).toBeGreaterThanOrEqual(Math.min(channels[0]!.name.length, columns - 17 - w.hosts - 15));
      if (columns >= 100) expect(w.name).toBeGreaterThan(22);
    });
  }
});
