// uncapturedB: what a forward proxy still does not see after approach B, in the scan report's
// terms (channels codex never contacts are no miss; override advice only where there is one).
import { describe, expect, it } from 'vitest';
import { uncapturedB } from '../../src/patch/approach-b/next-steps.js';
import type { Channel, ScanResult } from '../../src/model.js';
import { scan as scanTree } from '../../src/pipeline.js';
import { channelOf } from '../helpers/channel.js';
import { FIXTURE } from '../helpers/run-cli.js';

const LOCAL = 'local endpoint: traffic stays on this machine and does not go through HTTPS_PROXY; nothing redirects it';

const channel = (id: string, over: Partial<Channel>): Channel =>
  channelOf(id, { hosts: ['localhost'], why: { a: [], b: [LOCAL], ca: [] }, ...over });

const scan = (channels: Channel[]) => ({ clients: [], channels }) as unknown as ScanResult;

describe('uncapturedB', () => {
  it('leaves out channels codex never contacts (its own listeners, links)', () => {
    const out = uncapturedB(scan([channel('loopback', { name: 'Loopback', contacted: false }), channel('oss', { name: 'Local OSS' })]));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('channel Local OSS');
    expect(out.join('\n')).not.toContain('Loopback');
  });

  it('mentions an override only when the channel has one, and names it (fixture scan)', async () => {
    const result = await scanTree(FIXTURE, { useCache: false });
    const out = uncapturedB(result);
    const oss = out.find((l) => l.startsWith('channel Local OSS'));
    expect(oss).toContain('point its override (CODEX_OSS_BASE_URL, CODEX_OSS_PORT) at a reverse proxy');
    // the loopback channel (no override, never contacted) is no miss at all
    expect(out.join('\n')).not.toMatch(/Loopback/);
    const loopback = result.channels.find((c) => c.id === 'loopback')!;
    expect(loopback.why.b).toEqual([LOCAL]);
  });

  it('keeps channels with no `contacted` field (older scan JSON) and other verdicts out', () => {
    const old = channel('old', { name: 'Old' }) as Partial<Channel>;
    delete old.contacted;
    const out = uncapturedB(scan([old as Channel, channel('yes', { name: 'Captured', coverage: { a: 'no', b: 'yes', ca: 'no' } })]));
    expect(out.map((l) => l.split(' (')[0])).toEqual(['channel Old']);
  });
});
