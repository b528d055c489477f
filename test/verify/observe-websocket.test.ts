// A websocket upgrade seen on the wire belongs to the websocket channel of its URL when the scan
// has one (the Responses API over wss), else to the URL's HTTP channel.
import { describe, expect, it } from 'vitest';
import { classifyUrl } from '../../src/channels/rules.js';
import { hostChannelsOf, observe } from '../../src/verify/observe.js';
import { channelOf } from '../helpers/channel.js';

const tunnel = {
  kind: 'tunnel' as const,
  host: 'api.openai.com',
  port: 443,
  tls: 'accepted' as const,
  requests: [
    { method: 'GET', path: '/v1/responses', upgrade: 'websocket' },
    { method: 'POST', path: '/v1/responses' },
  ],
};
const base = { upstreamOf: {}, portOf: {}, approach: 'ca' as const, classify: classifyUrl };

describe('observe: websocket upgrades', () => {
  it('go to the websocket channel the scan has, the plain requests to the HTTP one', () => {
    const channels = [
      channelOf('model-api', { hosts: ['api.openai.com'], coverage: { a: 'yes', b: 'yes', ca: 'yes' } }),
      channelOf('responses-websocket', { hosts: ['api.openai.com'], coverage: { a: 'yes', b: 'yes', ca: 'partial' } }),
    ];
    const obs = observe({ ...base, sightings: [tunnel], channels, hostChannels: hostChannelsOf(channels) });
    expect(obs.find((o) => o.upgrade === 'websocket')).toMatchObject({ channel: 'responses-websocket', predicted: 'partial' });
    expect(obs.find((o) => o.method === 'POST')).toMatchObject({ channel: 'model-api', predicted: 'yes' });
  });

  it('stay with the HTTP channel when the scan has no websocket channel for them', () => {
    const channels = [channelOf('model-api', { hosts: ['api.openai.com'], coverage: { a: 'yes', b: 'yes', ca: 'yes' } })];
    const obs = observe({ ...base, sightings: [tunnel], channels, hostChannels: hostChannelsOf(channels) });
    expect(obs.find((o) => o.upgrade === 'websocket')).toMatchObject({ channel: 'model-api', predicted: 'yes' });
  });
});
