import { describe, expect, it } from 'vitest';
import { renderSarif, SARIF_RULES } from '../../src/report/sarif.js';
import { sample } from './sample.js';

// Required properties per the SARIF 2.1.0 spec (sarifLog, run, tool, toolComponent, reportingDescriptor,
// result, message, location, physicalLocation, artifactLocation, region), checked by hand.
function validate(log: any): string[] {
  const errs: string[] = [];
  const need = (cond: unknown, what: string) => {
    if (!cond) errs.push(what);
  };
  need(log.version === '2.1.0', 'version must be "2.1.0"');
  need(typeof log.$schema === 'string' && log.$schema.includes('2.1.0'), '$schema');
  need(Array.isArray(log.runs) && log.runs.length === 1, 'exactly one run');
  for (const run of log.runs ?? []) {
    need(run.tool?.driver && typeof run.tool.driver.name === 'string', 'run.tool.driver.name');
    const rules = run.tool.driver.rules ?? [];
    const ids = new Set<string>();
    for (const rule of rules) {
      need(typeof rule.id === 'string' && !ids.has(rule.id), `rule id ${rule.id}`);
      ids.add(rule.id);
      need(typeof rule.shortDescription?.text === 'string', `rule ${rule.id} shortDescription.text`);
      need(['none', 'note', 'warning', 'error'].includes(rule.defaultConfiguration?.level), `rule ${rule.id} level`);
    }
    for (const [k, v] of Object.entries<any>(run.originalUriBaseIds ?? {})) {
      need(typeof v.uri === 'string' && v.uri.endsWith('/') && /^file:\/\//.test(v.uri), `originalUriBaseIds.${k} absolute, ends with /`);
    }
    need(Array.isArray(run.results), 'run.results');
    for (const [i, res] of (run.results ?? []).entries()) {
      need(typeof res.message?.text === 'string' && res.message.text.length > 0, `result ${i} message.text`);
      need(ids.has(res.ruleId), `result ${i} ruleId known`);
      need(rules[res.ruleIndex]?.id === res.ruleId, `result ${i} ruleIndex matches ruleId`);
      need(['none', 'note', 'warning', 'error'].includes(res.level), `result ${i} level`);
      for (const loc of res.locations ?? []) {
        const pl = loc.physicalLocation;
        need(pl?.artifactLocation?.uri, `result ${i} artifactLocation.uri`);
        need(!/^[a-z]+:/i.test(pl.artifactLocation.uri) && !pl.artifactLocation.uri.startsWith('/'), `result ${i} relative uri`);
        need(pl.artifactLocation.uriBaseId === 'SRCROOT' && run.originalUriBaseIds?.SRCROOT, `result ${i} uriBaseId`);
        need(Number.isInteger(pl.region?.startLine) && pl.region.startLine >= 1, `result ${i} startLine >= 1`);
      }
    }
  }
  return errs;
}

describe('renderSarif', () => {
  const log = JSON.parse(renderSarif(sample()));
  const results: any[] = log.runs[0].results;

  it('is structurally valid SARIF 2.1.0', () => {
    expect(validate(log)).toEqual([]);
    expect(log.runs[0].tool.driver.name).toBe('codex-mitm');
    expect(log.runs[0].tool.driver.version).toBe('9.8.7');
    expect(log.runs[0].originalUriBaseIds.SRCROOT.uri).toBe('file:///tmp/some%20where/codex-rs/');
  });

  it('the validator catches broken logs', () => {
    const broken = JSON.parse(renderSarif(sample()));
    delete broken.runs[0].results[0].message;
    broken.runs[0].results[1].locations[0].physicalLocation.region.startLine = 0;
    broken.runs[0].results[2].ruleIndex = 99;
    expect(validate(broken)).toHaveLength(3);
  });

  it('has one rule per finding kind', () => {
    expect(SARIF_RULES.map((r) => r.id)).toEqual([
      'client', 'tls-feature', 'endpoint', 'env-var', 'config-key', 'channel', 'channel-uncapturable', 'parse-warning',
    ]);
    expect(log.runs[0].tool.driver.rules.map((r: any) => r.id)).toEqual(SARIF_RULES.map((r) => r.id));
  });

  it('reports every fact, with warnings for shipped webpki features and uncapturable channels', () => {
    const count = (id: string) => results.filter((r) => r.ruleId === id).length;
    expect(count('client')).toBe(2);
    expect(count('tls-feature')).toBe(3);
    expect(count('endpoint')).toBe(2);
    expect(count('env-var')).toBe(3);
    expect(count('config-key')).toBe(1);
    expect(count('channel')).toBe(2);
    expect(count('channel-uncapturable')).toBe(1); // Feedback: all 'no'; Token refresh is captured by A
    expect(count('parse-warning')).toBe(2);
    const warnings = results.filter((r) => r.level === 'warning');
    expect(warnings.map((w) => `${w.ruleId} ${w.locations[0].physicalLocation.artifactLocation.uri}:${w.locations[0].physicalLocation.region.startLine}`)).toEqual([
      'tls-feature backend-client/Cargo.toml:9', // shipped webpki; the dev-only one stays a note
      'channel-uncapturable feedback/src/lib.rs:8',
    ]);
    const client = results.find((r) => r.ruleId === 'client');
    expect(client.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'core/src/default_client.rs', uriBaseId: 'SRCROOT' },
      region: { startLine: 40 },
    });
    const symlink = results.find((r) => r.ruleId === 'parse-warning' && !r.locations);
    expect(symlink.message.text).toBe('skipped a symlink loop (symlink)');
  });

  it('gives every contacted channel its override and coverage, and the run the recommendation', () => {
    const ch = results.filter((r) => r.ruleId === 'channel');
    expect(ch[0].message.text).toBe('Channel Token refresh (auth.openai.com), override: env CODEX_REFRESH_TOKEN_URL_OVERRIDE. Captured by A: yes, B: no, CA: partial.');
    expect(ch[0].locations[0].physicalLocation.artifactLocation.uri).toBe('login/src/lib.rs');
    expect(ch[0].properties).toEqual({
      channel: 'token-refresh', hosts: ['auth.openai.com'], authMode: 'chatgpt', coverage: { a: 'yes', b: 'no', ca: 'partial' }, unclassified: false,
    });
    expect(ch[1].message.text).toBe('Channel Feedback | Sentry (o1.ingest.sentry.io), no override. Captured by A: no, B: no, CA: no.');
    expect(log.runs[0].properties.recommendation.approach).toBe('ca');
    const r = sample();
    r.channels![1]!.contacted = false;
    const quiet = JSON.parse(renderSarif(r)).runs[0].results.filter((x: any) => x.ruleId.startsWith('channel'));
    expect(quiet.map((x: any) => x.properties.channel)).toEqual(['token-refresh']);
  });

  it('the [workspace.dependencies] template is a note (members that inherit it carry the warning)', () => {
    const r = sample();
    r.tlsFeatures.push({
      manifest: 'Cargo.toml', line: 40, crate: '', test: false, dependency: 'sqlx', feature: 'runtime-tokio-rustls',
      roots: 'webpki', table: 'workspace.dependencies', inherited: false,
    });
    const res = JSON.parse(renderSarif(r)).runs[0].results.find((x: any) => x.message.text.startsWith('sqlx'));
    expect(res.level).toBe('note');
    expect(res.message.text).toBe('sqlx feature runtime-tokio-rustls (webpki roots) enabled explicitly in [workspace.dependencies] (workspace template; members inherit it).');
  });

  it('percent-encodes artifact URIs', () => {
    const r = sample();
    r.clients[0].file = 'core/src/a b#c.rs';
    const res = JSON.parse(renderSarif(r)).runs[0].results[0];
    expect(res.locations[0].physicalLocation.artifactLocation.uri).toBe('core/src/a%20b%23c.rs');
  });
});
