// docs --versions also regenerates the "what changed" region: one section per pair of consecutive
// versions, from the same reports, by codex-mitm diff.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, runCli } from '../helpers/run-cli.js';
import { FIXTURE_HTTP } from '../helpers/source-repo.js';

describe('docs: the changes region', () => {
  it('is rewritten from the version reports, oldest first; a file without it is left as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-docs-changes-'));
    for (const [tree, name] of [[FIXTURE, 'old.json'], [FIXTURE_HTTP, 'new.json']] as const) {
      expect(runCli(['scan', tree, '--json', '-o', join(dir, name)]).code).toBe(0);
    }
    const regions = ['channels', 'versions', 'changes'].map((r) => `<!-- codex-mitm:${r}:begin -->\n<!-- codex-mitm:${r}:end -->\n`).join('\n');
    const md = join(dir, 'doc.md');
    writeFileSync(md, `# doc\n\n${regions}`);
    const r = runCli(['docs', md, '--versions', join(dir, 'new.json'), join(dir, 'old.json')]);
    expect(r.code).toBe(0);
    const text = readFileSync(md, 'utf8');
    const changes = text.slice(text.indexOf('codex-mitm:changes:begin'));
    expect(changes).toMatch(/### 0\.115\.0 → 0\.150\.0\n\n- /);
    expect(changes).toMatch(/Hosts: added|Channel added/);
    const without = join(dir, 'plain.md');
    const plain = `# doc\n\n${regions.split('\n<!-- codex-mitm:changes')[0]}\n`;
    writeFileSync(without, plain);
    expect(runCli(['docs', without, '--versions', join(dir, 'new.json'), join(dir, 'old.json')]).code).toBe(0);
    expect(readFileSync(without, 'utf8')).not.toContain('###');
  });
});
