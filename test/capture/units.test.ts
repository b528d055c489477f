// capture's building blocks on their own: redaction, HAR entries, SSE turns, the summary, the
// program-starting config keys, rules validation, the user CA, and the sandbox's escape log.
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropCommandKeys } from '../../src/capture/drop-commands.js';
import { harEntry } from '../../src/capture/har.js';
import { redactor } from '../../src/capture/redact.js';
import { loadCaptureRules, parseCaptureRules } from '../../src/capture/rules.js';
import { parseSse, reassemble } from '../../src/capture/sse.js';
import { renderSummary, summarise } from '../../src/capture/summary.js';
import { parseUpstreams } from '../../src/commands/capture.js';
import { isolationSupport, prepareSandbox } from '../../src/proxy/isolate.js';
import type { Exchange } from '../../src/proxy/traffic.js';
import { loadUserCa } from '../../src/proxy/user-ca.js';
import { responsesSse, STUB_TEXT } from '../helpers/stub-upstream.js';

const rules = loadCaptureRules();
const P = rules.redact.placeholder;

function exchange(over: Partial<Exchange> = {}): Exchange {
  return {
    id: '1',
    listener: { kind: 'proxy' },
    route: 'tunnel',
    startedAt: Date.parse('2026-12-02T10:00:00Z'),
    method: 'POST',
    url: 'https://auth.openai.com/oauth/token?code=abc123&state=s',
    httpVersion: 'HTTP/1.1',
    requestHeaders: [
      ['Authorization', 'Bearer sk-proj-0123456789abcdefghij'],
      ['Content-Type', 'application/x-www-form-urlencoded'],
      ['User-Agent', 'codex_cli_rs/0.171.0'],
    ],
    requestBody: Buffer.from('grant_type=authorization_code&code=thecode&code_verifier=v3r1f13r&client_id=app_x'),
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: [['content-type', 'application/json'], ['set-cookie', 'sid=1']],
      body: Buffer.from(JSON.stringify({ access_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig', refresh_token: 'rt_1', expires_in: 3600, nested: { id_token: 'x' } })),
      endedAt: Date.parse('2026-12-02T10:00:00.250Z'),
    },
    ...over,
  };
}

describe('redaction', () => {
  const r = redactor(rules.redact);
  it('headers by name, form fields and query parameters by key, JSON keys at any depth', () => {
    const e = harEntry(exchange(), undefined, r);
    expect(e.request.headers.find((h) => h.name === 'Authorization')!.value).toBe(P);
    expect(e.request.headers.find((h) => h.name === 'User-Agent')!.value).toBe('codex_cli_rs/0.171.0');
    expect(e.request.url).toContain(`code=${encodeURIComponent(P)}`);
    expect(e.request.url).toContain('state=s');
    expect(e.request.postData!.text).toContain('client_id=app_x');
    expect(e.request.postData!.text).not.toMatch(/thecode|v3r1f13r/);
    const body = JSON.parse(e.response.content.text!) as Record<string, any>;
    expect(body).toMatchObject({ access_token: P, refresh_token: P, expires_in: 3600, nested: { id_token: P } });
    expect(e.response.headers.find((h) => h.name === 'set-cookie')!.value).toBe(P);
  });
  it('token-shaped values anywhere, SSE lines by key, and nothing when secrets are kept', () => {
    expect(r.text('note sk-abcdefghijklmnopqrstu end')).toBe(`note ${P} end`);
    expect(r.text('data: {"type":"x","token":"t"}\n\ndata: {"ok":1}\n')).toBe(`data: {"type":"x","token":"${P}"}\n\ndata: {"ok":1}\n`);
    const kept = harEntry(exchange(), undefined, redactor(undefined));
    expect(JSON.stringify(kept)).toContain('thecode');
  });
});

describe('HAR entries', () => {
  it('HAR 1.2 fields, channel tag, timings, binary bodies as base64, SSE events in order', () => {
    const e = harEntry(exchange({ url: 'https://api.openai.com/v1/responses', requestBody: Buffer.from([0, 1, 2, 255]), response: { ...exchange().response!, headers: [['content-type', 'text/event-stream']], body: Buffer.from(responsesSse()) } }), () => ({ id: 'model-api', name: 'Model API' }), redactor(rules.redact));
    expect(e).toMatchObject({ startedDateTime: '2026-12-02T10:00:00.000Z', time: 250, _channel: 'model-api', _route: 'tunnel' });
    expect(e.request.postData).toEqual({ mimeType: 'application/x-www-form-urlencoded', text: 'AAEC/w==', encoding: 'base64' });
    expect(e._sseEvents!.map((x) => x.event)).toEqual(['response.created', 'response.output_item.added', ...Array(STUB_TEXT.split(' ').length).fill('response.output_text.delta'), 'response.output_item.done', 'response.completed']);
  });
});

describe('SSE turns', () => {
  it('one turn per response: text from deltas, usage and status from response.completed', () => {
    const payloads = [...parseSse(responsesSse('first answer')), ...parseSse(responsesSse('second'))].map((e) => e.data);
    const turns = reassemble(['{"type":"not-a-response"}', 'not json', ...payloads]);
    expect(turns.map((t) => t.text)).toEqual(['first answer', 'second']);
    expect(turns[0]).toMatchObject({ status: 'completed', usage: { input_tokens: 42, output_tokens: 5, total_tokens: 47 } });
  });
  it('multi-line data and comments', () => {
    expect(parseSse(': keep-alive\n\nevent: a\ndata: 1\ndata: 2\nid: 7\n\n')).toEqual([{ event: 'a', id: '7', data: '1\n2' }]);
  });
});

describe('summary', () => {
  it('per channel requests, bytes, statuses; unknown requests; refusals and escapes; predicted but not seen', () => {
    const r = redactor(undefined);
    const classify = (url: string) => (url.includes('api.openai.com') ? { id: 'model-api', name: 'Model API' } : undefined);
    const entries = [
      harEntry(exchange({ url: 'https://api.openai.com/v1/responses' }), classify, r),
      harEntry(exchange({ url: 'https://api.openai.com/v1/models', response: undefined, error: 'upstream: ECONNREFUSED' }), classify, r),
      harEntry(exchange({ url: 'https://example.org/x' }), classify, r),
    ];
    const s = summarise(entries, { tlsFailures: [{ host: 'chatgpt.com', cause: 'cert-rejected', at: 0 }], escapes: [{ target: 'github.com', how: 'dns', at: 0 }], predicted: [{ id: 'model-api', name: 'Model API' }, { id: 'telemetry', name: 'Telemetry' }] });
    expect(s.channels[0]).toMatchObject({ id: 'model-api', requests: 2, statuses: { '200': 1, error: 1 }, hosts: ['api.openai.com'] });
    expect(s.channels.at(-1)).toMatchObject({ id: null, requests: 1 });
    expect(s.unknown).toEqual([{ method: 'POST', url: 'https://example.org/x', status: 200 }]);
    expect(s.predictedNotSeen).toEqual([{ id: 'telemetry', name: 'Telemetry' }]);
    const text = renderSummary(s, 100);
    expect(text).toContain('predicted but not seen: Telemetry');
    expect(text).toContain('chatgpt.com (cert-rejected)');
    expect(text).toContain('github.com (DNS lookup)');
    for (const line of renderSummary(s, 60).split('\n')) expect(line.length).toBeLessThanOrEqual(60);
  });
});

describe('program-starting config keys', () => {
  it('drops every key the rules name, with * over table keys, and nothing else', () => {
    const config = {
      model: 'o3',
      notify: ['say'],
      hooks: { pre: [{ command: 'x' }] },
      mcp_servers: { a: { command: 'x' } },
      model_providers: { azure: { base_url: 'https://x', auth: { command: 'token' } }, plain: { base_url: 'https://y' } },
      profiles: { p: { notify: ['y'], model: 'o4' } },
    };
    expect(dropCommandKeys(config, rules.config.drop).sort()).toEqual(['hooks', 'mcp_servers', 'model_providers.azure.auth', 'notify', 'profiles.p.notify']);
    expect(config).toEqual({ model: 'o3', model_providers: { azure: { base_url: 'https://x' }, plain: { base_url: 'https://y' } }, profiles: { p: { model: 'o4' } } });
  });
});

describe('rules/capture.toml validation', () => {
  const text = readFileSync(new URL('../../rules/capture.toml', import.meta.url), 'utf8');
  it('an unknown key or a wrong type is refused with the line', () => {
    expect(() => parseCaptureRules(text.replace('placeholder =', 'placeholdr ='), 'capture.toml')).toThrow(expect.objectContaining({ file: 'capture.toml', line: expect.any(Number), message: expect.stringMatching(/^\[redact\]: unknown key "placeholdr"/) }));
    expect(() => parseCaptureRules(text.replace(/^drop = .*$/m, 'drop = "notify"'), 'capture.toml')).toThrow(/\[config\]: "drop" must be a list of strings/);
    expect(() => parseCaptureRules(text + '\n[extra]\nx = 1\n', 'capture.toml')).toThrow(/unknown section \[extra\]/);
  });
});

describe('--upstream', () => {
  it('HOST=ADDR[:PORT] pairs, * allowed; anything else refused', () => {
    expect(parseUpstreams(['*=127.0.0.1:8443', 'API.openai.com=gw.corp:443'])).toEqual({ '*': '127.0.0.1:8443', 'api.openai.com': 'gw.corp:443' });
    expect(() => parseUpstreams(['api.openai.com'])).toThrow(/expected HOST=ADDR/);
    expect(() => parseUpstreams(['a=b;touch x'])).toThrow(/expected HOST=ADDR/);
  });
});

describe('the user CA', () => {
  it('is made once (key 0600 in 0700 folders) and reused; two runs at once agree on one CA', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'codex-mitm-ca-')), 'cfg');
    const [a, b] = await Promise.all([loadUserCa({ CODEX_MITM_CONFIG_DIR: dir }), loadUserCa({ CODEX_MITM_CONFIG_DIR: dir })]);
    expect(a.cert).toBe(b.cert);
    expect(a.key).toBe(b.key);
    expect(lstatSync(a.keyPath).mode & 0o777).toBe(0o600);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(dir, 'ca')).mode & 0o777).toBe(0o700);
    const again = await loadUserCa({ CODEX_MITM_CONFIG_DIR: dir });
    expect(again).toMatchObject({ created: false, cert: a.cert });
  });
  it('a CA folder that is a symbolic link is refused', async () => {
    const base = mkdtempSync(join(tmpdir(), 'codex-mitm-ca-link-'));
    mkdirSync(join(base, 'elsewhere'));
    mkdirSync(join(base, 'cfg'), { mode: 0o700 });
    symlinkSync(join(base, 'elsewhere'), join(base, 'cfg', 'ca'));
    await expect(loadUserCa({ CODEX_MITM_CONFIG_DIR: join(base, 'cfg') })).rejects.toThrow(/symbolic link/);
  });
  it('a key readable by others is refused', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'codex-mitm-ca-mode-')), 'cfg');
    const ca = await loadUserCa({ CODEX_MITM_CONFIG_DIR: dir });
    writeFileSync(ca.keyPath, ca.key, { mode: 0o644 });
    (await import('node:fs')).chmodSync(ca.keyPath, 0o644);
    await expect(loadUserCa({ CODEX_MITM_CONFIG_DIR: dir })).rejects.toThrow(/readable by others/);
  });
});

const iso = isolationSupport();
if (!iso.available) console.warn(`skipping the sandbox escape test: ${iso.reason}`);

describe.skipIf(!iso.available)('the sandbox', () => {
  it('has only loopback: a lookup that goes around the proxy is logged as an escape, and a connect out fails', async () => {
    const box = await prepareSandbox({
      ports: [],
      command: process.execPath,
      args: ['-e', "require('dns').resolve4('escape.example', () => { require('net').connect(443, '192.0.2.1').on('error', (e) => { console.log(e.code); }); })"],
      cwd: tmpdir(),
      isolate: true,
    });
    expect(box.isolated).toBe(true);
    const out = await new Promise<string>((res) => {
      const p = spawn(box.file, box.args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.on('close', () => res(text));
    });
    const log = await box.finish();
    expect(log.escapes.map((e) => e.target)).toEqual(['escape.example']);
    expect(out.trim()).toMatch(/ENETUNREACH|EHOSTUNREACH|ECONNREFUSED/);
  });
  it('--no-isolate says so', async () => {
    const box = await prepareSandbox({ ports: [], command: 'true', args: [], cwd: tmpdir(), isolate: false });
    expect(box).toMatchObject({ isolated: false, file: 'true', reason: expect.stringMatching(/--no-isolate/) });
  });
});
