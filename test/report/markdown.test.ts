import { describe, expect, it } from 'vitest';
import { renderChannelTable, renderMarkdown } from '../../src/report/markdown.js';
import { sample } from './sample.js';

describe('renderChannelTable', () => {
  it('renders channel | default endpoint | override | A | B | CA | evidence, pipes escaped', () => {
    expect(renderChannelTable(sample())).toBe(
      [
        '| channel | default endpoint | override (env / config / none) | A | B | CA | evidence |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        '| Token refresh | `https://auth.openai.com/oauth/token` | env `CODEX_REFRESH_TOKEN_URL_OVERRIDE` | yes | no | partial | `login/src/lib.rs:12`, `login/src/lib.rs:14` |',
        '| Feedback \\| Sentry (unclassified) | `o1.ingest.sentry.io` | none | no | no | no | `feedback/src/lib.rs:8` |',
        '',
      ].join('\n'),
    );
  });

  it('lists config overrides and caps long evidence lists', () => {
    const r = sample();
    const ch = r.channels![0];
    ch.overrides.push({ kind: 'config', name: 'chatgpt_base_url', file: 'config/src/lib.rs', line: 50 });
    ch.overrides.push({ kind: 'config', name: 'chatgpt_base_url', file: 'config/src/profile.rs', line: 9 });
    ch.evidence = Array.from({ length: 9 }, (_, i) => ({ file: 'core/src/x.rs', line: i + 1 }));
    const row = renderChannelTable(r).split('\n')[2];
    expect(row).toContain('| env `CODEX_REFRESH_TOKEN_URL_OVERRIDE`, config `chatgpt_base_url` |');
    expect(row).toContain('`core/src/x.rs:6` +3 more |');
    expect(row).not.toContain('x.rs:7');
  });

  it('has only the header when there are no channels', () => {
    const r = sample();
    delete r.channels;
    expect(renderChannelTable(r).split('\n').filter(Boolean)).toHaveLength(2);
  });
});

describe('renderMarkdown', () => {
  it('renders every section with tables', () => {
    const md = renderMarkdown(sample());
    expect(md.startsWith('# codex-mitm scan of codex 0.115.0\n')).toBe(true);
    for (const h of ['## Recommendation', '## Channels', '### Why', '## Clients (2)', '## TLS features (3)', '## Endpoints (2)', '## Env vars (3)', '## Config keys (1)', '## Summary']) {
      expect(md).toContain(`\n${h}\n`);
    }
    expect(md).toContain('| `backend-client/Cargo.toml:9` | `reqwest` | `rustls-tls` | webpki | shipped | `dependencies` |');
    expect(md).toContain('| `app-server/Cargo.toml:30` | `reqwest` | `rustls-tls` | webpki | dev | `dev-dependencies` |');
    expect(md).toContain('env `CODEX_REFRESH_TOKEN_URL_OVERRIDE` (`login/src/lib.rs:14`)');
    expect(md).toContain('  - A yes: env CODEX_REFRESH_TOKEN_URL_OVERRIDE moves it');
    expect(md).toContain('- `core/src/broken.rs:7`: could not parse an item (syntax)');
    expect(md.endsWith('\n')).toBe(true);
    const r = sample();
    r.tlsFeatures.push({
      manifest: 'Cargo.toml', line: 40, crate: '', test: false, dependency: 'sqlx', feature: 'runtime-tokio-rustls',
      roots: 'webpki', table: 'workspace.dependencies', inherited: false,
    });
    expect(renderMarkdown(r)).toContain('| `Cargo.toml:40` | `sqlx` | `runtime-tokio-rustls` | webpki | workspace | `workspace.dependencies` |');
  });
});
