// scan --binary on hand-made binaries (an ELF, a Mach-O, a PE header with packed Rust-like strings)
// and an npm launcher layout: hosts, URLs, env names, the version from the package, the cross-check
// with a tree, and the binary-only report.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractNetwork, formatOf, loadBinaryRules, printableRuns, readBinaryEvidence } from '../../src/binary/evidence.js';
import { codexBin, prepareCodex } from '../helpers/codex-bin.js';
import { FIXTURE, runCli } from '../helpers/run-cli.js';

// strings packed without separators, as rustc lays out .rodata
const PACKED =
  'proxy URL must use HTTPShttps://codex-portals.api.openai.cominvalid legacy CONNECT target' +
  '\u0000\u0001/gov.chatgpt.com\u00aa\u0002https://chatgpt.com/backend-api/codex plugin marketplace upgrade' +
  '\u0000aws-sdk-stsauthSchemeshttps://sts.amazonaws.comhttps://sts-fips.AssumeRole' +
  '\u0000readableCODEX_CA_CERTIFICATESSL_CERT_FILEcustom CA env var\u0000https://auth.openai.com/oauth/tokenhttps://example.com/docs' +
  '\u0000wss://api.openai.com/v1/responsesWebSocketError\u0000chatgpt.comt.openai.com\u0000openai_base_urlchatgpt_base_url\u0000';

function binary(magic: number[], dir: string, name = 'codex'): string {
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat([Buffer.from(magic), Buffer.alloc(64), Buffer.from(PACKED, 'latin1'), Buffer.alloc(32)]));
  return file;
}

/** node_modules/.bin/codex → @openai/codex/bin/codex.js, the binary in @openai/codex-linux-x64. */
function npmLayout(dir: string): string {
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '.bin'), { recursive: true });
  mkdirSync(join(nm, '@openai', 'codex', 'bin'), { recursive: true });
  writeFileSync(join(nm, '@openai', 'codex', 'bin', 'codex.js'), '#!/usr/bin/env node\n');
  writeFileSync(join(nm, '@openai', 'codex', 'package.json'), '{"name":"@openai/codex","version":"0.171.0"}');
  const vendor = join(nm, '@openai', 'codex-linux-x64', 'vendor', 'x86_64-unknown-linux-musl', 'bin');
  mkdirSync(vendor, { recursive: true });
  writeFileSync(join(nm, '@openai', 'codex-linux-x64', 'package.json'), '{"name":"@openai/codex","version":"0.171.0-linux-x64"}');
  binary([0x7f, 0x45, 0x4c, 0x46], vendor);
  symlinkSync('../@openai/codex/bin/codex.js', join(nm, '.bin', 'codex'));
  return join(nm, '.bin', 'codex');
}

describe('binary strings', () => {
  const rules = loadBinaryRules(['chatgpt.com', 'api.openai.com']);
  it('formats by magic: ELF, Mach-O (both byte orders, fat), PE', () => {
    expect(formatOf(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))).toBe('elf');
    expect(formatOf(Buffer.from([0xcf, 0xfa, 0xed, 0xfe]))).toBe('mach-o');
    expect(formatOf(Buffer.from([0xca, 0xfe, 0xba, 0xbe]))).toBe('mach-o');
    expect(formatOf(Buffer.from('MZ\u0090\u0000', 'latin1'))).toBe('pe');
    expect(formatOf(Buffer.from('#!/bin/sh'))).toBe('unknown');
  });
  it('packed strings: hosts end at their top-level domain, URLs at the next URL or identifier', () => {
    const net = extractNetwork(printableRuns(Buffer.from(PACKED, 'latin1'), rules.minRun), rules);
    expect([...net.hosts].sort()).toEqual(['api.openai.com', 'auth.openai.com', 'chatgpt.com', 'codex-portals.api.openai.com', 'gov.chatgpt.com', 'sts.amazonaws.com']);
    expect([...net.urls]).toEqual(
      expect.arrayContaining(['https://codex-portals.api.openai.com', 'https://chatgpt.com/backend-api/codex', 'https://auth.openai.com/oauth/token', 'wss://api.openai.com/v1/responses']),
    );
    expect([...net.urls].some((u) => u.includes('example.com'))).toBe(false);
    expect([...net.paths]).toEqual(expect.arrayContaining(['/backend-api/codex', '/oauth/token', '/v1/responses']));
  });
});

describe('scan --binary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-binary-'));
  const launcher = npmLayout(dir);

  it('an npm launcher resolves to its platform binary, with the package version', () => {
    const ev = readBinaryEvidence(launcher, { channelHosts: [], envNames: ['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE', 'NOT_THERE_AT_ALL'], configKeys: ['openai_base_url', 'model'] });
    expect(ev).toMatchObject({ format: 'elf', version: '0.171.0', envVars: ['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE'], configKeys: ['openai_base_url'] });
    expect(ev.file).toMatch(/codex-linux-x64\/vendor\/x86_64-unknown-linux-musl\/bin\/codex$/);
  });

  it('with a tree: the versions compared up front, and what each has that the other lacks', () => {
    const r = runCli(['scan', FIXTURE, '--binary', launcher, '--no-cache']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^binary: codex 0\.171\.0 \(elf, 0 MiB\) — tree: 0\.115\.0: DIFFERENT versions.*codex-mitm scan --codex-version 0\.171\.0/);
    const j = runCli(['scan', FIXTURE, '--binary', launcher, '--json', '--no-cache']);
    const cc = (JSON.parse(j.stdout) as { binary: { crossCheck: { inBinaryOnly: { hosts: string[] }; inTreeOnly: { hosts: string[] }; versions: string } } }).binary.crossCheck;
    expect(cc.versions).toBe('different');
    expect(cc.inBinaryOnly.hosts).toEqual(expect.arrayContaining(['codex-portals.api.openai.com', 'gov.chatgpt.com', 'sts.amazonaws.com']));
    expect(cc.inBinaryOnly.hosts).not.toContain('chatgpt.com');
    expect(cc.inTreeOnly.hosts).toContain('raw.githubusercontent.com');
  });

  it('without a tree: a report marked binary-only (Mach-O and PE read the same way)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'codex-mitm-binary-only-'));
    for (const [magic, name] of [[[0xcf, 0xfa, 0xed, 0xfe], 'codex-macos'], [[0x4d, 0x5a, 0x90, 0x00], 'codex.exe']] as const) {
      const file = binary([...magic], empty, name);
      const r = runCli(['scan', '--binary', file, '--json'], { cwd: empty, env: { PATH: '/nonexistent' } });
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout) as { binaryOnly: boolean; binary: { format: string; hosts: string[] } };
      expect(j.binaryOnly).toBe(true);
      expect(j.binary.format).toBe(name === 'codex.exe' ? 'pe' : 'mach-o');
      expect(j.binary.hosts).toContain('gov.chatgpt.com');
    }
    const t = runCli(['scan', '--binary', join(empty, 'codex.exe')], { cwd: empty, env: { PATH: '/nonexistent' } });
    expect(t.stdout).toContain('binary-only report: no source tree given');
  });

  it('a missing file is one line, exit 2', () => {
    const r = runCli(['scan', FIXTURE, '--binary', join(dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^codex-mitm: .*nope: no such file\n$/);
  });
});

const REAL = '0.171.0';
const realSkip = prepareCodex([REAL]);
if (realSkip) console.warn(`skipping scan --binary on the real codex: ${realSkip}`);

describe.skipIf(Boolean(realSkip))(`scan --binary on the real codex ${REAL} (npm launcher)`, { timeout: 120_000 }, () => {
  it('finds the hosts no tree we have knows, and the env names codex reads', () => {
    const r = runCli(['scan', join(FIXTURE, '..', 'codex-rs-http'), '--binary', codexBin(REAL), '--json', '--no-cache']);
    expect(r.code).toBe(0);
    const b = (JSON.parse(r.stdout) as { binary: { version: string; format: string; hosts: string[]; envVars: string[]; crossCheck: { inBinaryOnly: { hosts: string[] }; versions: string } } }).binary;
    expect(b).toMatchObject({ version: REAL, format: 'elf' });
    expect(b.crossCheck.inBinaryOnly.hosts).toEqual(expect.arrayContaining(['gov.chatgpt.com', 'codex-portals.api.openai.com', 'auth.api.openai.org', 'codex-cloud-backend.chatgpt.com', 'sts.amazonaws.com']));
    expect(b.envVars).toEqual(expect.arrayContaining(['CODEX_CA_CERTIFICATE', 'SSL_CERT_FILE', 'HTTPS_PROXY']));
    expect(b.crossCheck.versions).toBe('different');
  });
});
