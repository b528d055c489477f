// One hand-built Channel for unit tests: every field of the model with neutral values, then the
// test's own. Tests that need a scanned channel scan the fixture instead.
import type { Channel } from '../../src/model.js';

export function channelOf(id: string, over: Partial<Channel> = {}): Channel {
  return {
    id,
    name: id,
    hosts: [],
    urls: [],
    overrides: [],
    authMode: 'any',
    coverage: { a: 'no', b: 'no', ca: 'no' },
    why: { a: [], b: [], ca: [] },
    tls: '',
    clients: [],
    evidence: [],
    unclassified: false,
    contacted: true,
    ...over,
  };
}
