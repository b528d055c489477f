// verify's prediction for approach ca is made for the CA variables the run sets and the platform.
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/model.js';
import { predictionFor } from '../../src/verify/observe.js';
import { channelOf } from '../helpers/channel.js';

const channel = (caEnv: string[][] | undefined, ca: Channel['coverage']['ca'] = 'partial'): Channel =>
  channelOf('model-api', {
    name: 'Model API',
    hosts: ['api.openai.com'],
    authMode: 'apikey',
    coverage: { a: 'yes', b: 'yes', ca },
    ...(caEnv ? { caEnv } : {}),
  });

describe('predictionFor (approach ca)', () => {
  // codex 0.98: one native-tls client, no custom CA: only OpenSSL's SSL_CERT_FILE, on Linux
  const v098 = channel([['SSL_CERT_FILE@linux']]);
  // codex 0.115+: the shared client adds the CA from either variable
  const v115 = channel([['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE', 'SSL_CERT_FILE@linux']], 'yes');

  it('0.98 with CODEX_CA_CERTIFICATE: not trusted', () => {
    expect(predictionFor(v098, { approach: 'ca', caEnv: 'CODEX_CA_CERTIFICATE', platform: 'linux' })).toBe('no');
  });
  it('0.98 with SSL_CERT_FILE: trusted on Linux, not on macOS', () => {
    expect(predictionFor(v098, { approach: 'ca', caEnv: 'SSL_CERT_FILE', platform: 'linux' })).toBe('yes');
    expect(predictionFor(v098, { approach: 'ca', caEnv: 'SSL_CERT_FILE', platform: 'darwin' })).toBe('no');
  });
  it('0.115 with CODEX_CA_CERTIFICATE: trusted everywhere', () => {
    expect(predictionFor(v115, { approach: 'ca', caEnv: 'CODEX_CA_CERTIFICATE', platform: 'darwin' })).toBe('yes');
  });
  it('mixed clients give partial; no CA variable gives no; other approaches keep the scan verdict', () => {
    const mixed = channel([['CODEX_CA_CERTIFICATE'], ['SSL_CERT_FILE@linux']]);
    expect(predictionFor(mixed, { approach: 'ca', caEnv: 'CODEX_CA_CERTIFICATE', platform: 'linux' })).toBe('partial');
    expect(predictionFor(mixed, { approach: 'ca', caEnv: 'none', platform: 'linux' })).toBe('no');
    expect(predictionFor(mixed, { approach: 'a', caEnv: 'none' })).toBe('yes');
    expect(predictionFor(channel(undefined, 'unknown'), { approach: 'ca', caEnv: 'both' })).toBe('unknown');
  });
});
