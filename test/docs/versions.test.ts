// docsCommand in-process with `versions` (scan --json files of real trees → the versions region).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docsCommand } from '../../src/commands/docs.js';
import { renderJson } from '../../src/report/json.js';
import { readRegion } from '../../src/report/region.js';
import { InputError } from '../../src/model.js';
import type { Io } from '../../src/io.js';
import { sample } from '../report/sample.js';

const PKG = resolve(import.meta.dirname, '../..');
const DOC = readFileSync(join(PKG, 'docs/channels.md'), 'utf8');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function io(cwd: string) {
  const out = { stdout: '', stderr: '' };
  const x: Io = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    isTTY: false,
    color: false,
    env: {},
    cwd,
  };
  return { io: x, out };
}

describe('docs --versions', () => {
  it('fills the versions region from scan --json files, sorted by version; labels 0.0.0 trees by file name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-docsv-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs/channels.md'), DOC);
    const v115 = sample();
    const v98 = sample();
    v98.capabilities = { ...v98.capabilities!, version: '0.98.0', openaiBaseUrlKey: false, customCaEnv: [] };
    const mid = sample();
    mid.capabilities = { ...mid.capabilities!, version: '0.0.0', openaiBaseUrlEnv: false };
    writeFileSync(join(dir, '0.115.json'), renderJson(v115));
    writeFileSync(join(dir, 'a.json'), renderJson(v98));
    writeFileSync(join(dir, 'mid-2026.json'), renderJson(mid));

    const { io: x, out } = io(dir);
    expect(await docsCommand(undefined, { versions: ['0.115.json', 'a.json', 'mid-2026.json'] }, x)).toBe(0);
    expect(out.stdout).toBe('Updated docs/channels.md (channels, versions).\n');
    const text = readFileSync(join(dir, 'docs/channels.md'), 'utf8');
    const rows = readRegion(text, 'versions').split('\n').filter((l) => l.startsWith('| '));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| codex', '| ---', '| 0.98.0', '| 0.115.0', '| mid-2026']);
    expect(rows[3]).toContain('| 0.115.0 | 12 | yes | yes | `CODEX_CA_CERTIFICATE`, `SSL_CERT_FILE` | native-tls | 1: `backend-client` |');
    expect(rows[2]).toContain('| 0.98.0 | 12 | yes | no | none |');
    // outside both regions nothing moved
    const strip = (t: string) => t.replace(/(:begin -->\n)[\s\S]*?(<!-- codex-mitm:\w+:end)/g, '$1$2');
    expect(strip(text)).toBe(strip(DOC));

    // --check without --versions leaves the versions region alone and is current
    const again = io(dir);
    expect(await docsCommand(undefined, { check: true }, again.io)).toBe(0);
  });

  it('rejects a file that is not a scan report (nothing written)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-docsv-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs/channels.md'), DOC);
    writeFileSync(join(dir, 'x.json'), '{"hello": 1}');
    const { io: x } = io(dir);
    const err = await docsCommand(undefined, { versions: ['x.json'] }, x).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).oneLine).toBe('x.json: not a codex-mitm scan --json report (schemaVersion 1)');
    expect(readFileSync(join(dir, 'docs/channels.md'), 'utf8')).toBe(DOC);
  });

  it('names the line where a broken JSON file stops being JSON (nothing written)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-mitm-docsv-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs/channels.md'), DOC);
    writeFileSync(join(dir, 'broken.json'), '{\n  "schemaVersion": 1,\n  "summary": {,\n}\n');
    const { io: x } = io(dir);
    const err = await docsCommand(undefined, { versions: ['broken.json'] }, x).catch((e: unknown) => e);
    expect((err as InputError).oneLine).toBe('broken.json:3: not a scan --json report: not valid JSON');
    expect(readFileSync(join(dir, 'docs/channels.md'), 'utf8')).toBe(DOC);
  });
});
