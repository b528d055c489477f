import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/table.js';
import { sample } from './sample.js';

const ESC = '\u001b[';

describe('renderTable', () => {
  it('puts recommendation and channel coverage first, then the fact sections, then the summary', () => {
    const out = renderTable(sample(), { color: false, includeTests: false });
    const order = ['Recommendation', 'Channels (2)', 'Clients (1)', 'TLS features (3)', 'Endpoints (1)', 'Env vars (2 names, 3 reads)', 'Config keys (1)', 'Scanned 12 .rs files'];
    const at = order.map((s) => out.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('is readable without colour: no ANSI, verdict glyphs with a legend', () => {
    const out = renderTable(sample(), { color: false, includeTests: false });
    expect(out).not.toContain(ESC);
    const row = out.split('\n').find((l) => l.trimStart().startsWith('Token refresh'))!;
    expect(row).toMatch(/Token refresh\s+ChatGPT\s+✓\s+✗\s+~\s+auth\.openai\.com$/);
    const feedback = out.split('\n').find((l) => l.trimStart().startsWith('* Feedback | Sentry'))!;
    expect(feedback).toMatch(/✗\s+✗\s+✗\s+o1\.ingest\.sentry\.io$/);
    // the override, with where it is read, is in the per-channel block
    expect(out).toContain('override: env CODEX_REFRESH_TOKEN_URL_OVERRIDE (login/src/lib.rs:14)');
    expect(out).toContain('✓ yes  ~ partial  ✗ no  ? unknown');
  });

  it('colours only when asked', () => {
    const out = renderTable(sample(), { color: true, includeTests: false });
    expect(out).toContain(`${ESC}32m✓`);
    expect(out).toContain(`${ESC}31m✗`);
    // without the escapes it is the monochrome report
    expect(out.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderTable(sample(), { color: false, includeTests: false }));
  });

  it('hides test findings unless includeTests, and says how many', () => {
    const out = renderTable(sample(), { color: false, includeTests: false });
    expect(out).not.toContain('core/tests/suite/client.rs');
    expect(out).not.toContain('example.com');
    expect(out).toContain('2 findings in test code hidden');
    const all = renderTable(sample(), { color: false, includeTests: true });
    expect(all).toContain('core/tests/suite/client.rs:5 (test)');
    expect(all).toContain('accepts-invalid-certs, no_proxy');
    expect(all).not.toContain('hidden');
  });

  it('shows clients, TLS features (shipped before dev, implicit/inherited marked), endpoint overrides, env and config sites', () => {
    const lines = renderTable(sample(), { color: false, includeTests: false, width: 120 }).split('\n');
    const cl = lines.findIndex((l) => l.includes('core/src/default_client.rs:40'));
    expect(lines[cl]).toMatch(/reqwest::Client::builder\s+roots\+$/);
    expect(lines[cl + 1]).toBe('      ↳ roots added from env CODEX_CA_CERTIFICATE');
    const shippedAt = lines.findIndex((l) => l === '  backend-client/Cargo.toml [dependencies] (codex-backend-client)');
    const devAt = lines.findIndex((l) => l === '  app-server/Cargo.toml [dev-dependencies] (codex-app-server, dev only)');
    expect(devAt).toBeGreaterThan(0);
    expect(shippedAt).toBeGreaterThan(devAt); // grouped by manifest path
    expect(lines[devAt + 1]).toMatch(/^    30\s+reqwest\s+rustls-tls\s+webpki$/);
    expect(lines[shippedAt + 1]).toMatch(/^    9\s+reqwest\s+rustls-tls\s+webpki$/);
    const cli = lines.findIndex((l) => l === '  cli/Cargo.toml [dependencies] (codex-cli)');
    expect(lines[cli + 1]).toMatch(/^    20\s+reqwest\s+default-tls\s+native-tls\s+implicit, inherited$/);
    const ep = lines.findIndex((l) => l.includes('https://auth.openai.com/oauth/token'));
    expect(lines[ep]).toMatch(/^    https:\/\/auth\.openai\.com\/oauth\/token\s+REFRESH_TOKEN_URL\s+login\/src\/lib\.rs:12$/);
    expect(lines[ep - 1]).toBe('  auth.openai.com');
    expect(lines[ep + 1]).toBe('      ↳ override env CODEX_REFRESH_TOKEN_URL_OVERRIDE (login/src/lib.rs:14)');
    expect(lines.find((l) => l.trimStart().startsWith('OPENAI_BASE_URL  '))).toMatch(/literal, OPENAI_BASE_URL_ENV_VAR\s+core\/src\/a\.rs:2, core\/src\/b\.rs:9$/);
    expect(lines.find((l) => l.trimStart().startsWith('chatgpt_base_url'))).toMatch(/ConfigToml\s+Option<String>\s+config\/src\/lib\.rs:50$/);
  });

  it('opens with the approach in plain words, what it misses and the next command; the score is under Why', () => {
    const r = sample();
    const out = renderTable(r, { color: false, includeTests: false });
    expect(out).toContain('  It misses:\n    - Feedback | Sentry (o1.ingest.sentry.io)\n    - something else\n');
    const rec = out.slice(out.indexOf('Recommendation'), out.indexOf('What this tree can do'));
    // the next command names the scanned tree, quoted for the shell (its path has a space)
    const verb = r.recommendation!.approach === 'b' ? 'patch' : 'capture';
    expect(rec).toContain(`Next:\n    codex-mitm ${verb} --approach ${r.recommendation!.approach} `);
    expect(rec).toContain(`'${r.root}'`);
    expect(rec).not.toContain(r.recommendation!.reason);
    const why = out.slice(out.indexOf('Why (per channel'));
    expect(why).toContain(`Why approach ${r.recommendation!.approach.toUpperCase()}:`);
  });

  it('ends with the summary and one line per warning with file:line', () => {
    const out = renderTable(sample(), { color: false, includeTests: true });
    expect(out).toContain('Scanned 12 .rs files, 4 manifests, 3 crates, 1 parse error, 2 warnings in 1.23 s.');
    expect(out).toContain('\n  warning core/src/broken.rs:7: could not parse an item [syntax]\n');
    expect(out).toContain('\n  warning skipped a symlink loop [symlink]\n');
  });

  it('does not repeat a location the warning message already starts with', () => {
    const r = sample();
    r.summary.warnings[0].message = 'core/src/broken.rs:7: 2 syntax errors';
    const out = renderTable(r, { color: false, includeTests: false });
    expect(out).toContain('\n  warning core/src/broken.rs:7: 2 syntax errors [syntax]\n');
  });

  it('keeps lines within the width, shortening long cells with …', () => {
    const r = sample();
    r.endpoints[0].url = `https://auth.openai.com/${'very-long-path/'.repeat(12)}token`;
    r.channels![0].hosts = ['auth.openai.com', 'a-second-very-long-host-name.example.org', 'and-a-third-one.example.net'];
    for (const width of [100, 80]) {
      const out = renderTable(r, { color: true, includeTests: true, width });
      const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
      for (const l of plain.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(width);
      expect(plain).toContain('…');
    }
  });
});

describe('renderTable: the Why block', () => {
  it('prints a fact that B and CA share once per channel, under the first verdict that rests on it', () => {
    const r = sample();
    const ch = r.channels[0]!;
    const fact = 'reqwest in core/Cargo.toml line 9 keeps default-tls';
    ch.why = { a: ['no override'], b: ['native-tls trusts the OS store', fact], ca: ['SSL_CERT_FILE works on Linux', fact] };
    ch.coverage = { a: 'no', b: 'yes', ca: 'partial' };
    const out = renderTable(r, { color: false, includeTests: false, width: 200 });
    const block = out.slice(out.indexOf(`  ${ch.name}\n`, out.indexOf('Why (')));
    expect(block.split('\n').slice(2, 6)).toEqual([
      '    A ✗ no override',
      '    B ✓ native-tls trusts the OS store',
      `         ${fact}`,
      '    CA ~ SSL_CERT_FILE works on Linux',
    ]);
    expect(out.split(fact).length - 1).toBe(1);
  });
});
