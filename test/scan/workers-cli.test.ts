// A tree big enough for worker threads: the CLI's --no-cache scan (rules handed over to the
// workers, two batches in flight per worker) must report exactly what the in-process scan of the
// same tree reports.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/model.js';
import { scan } from '../../src/pipeline.js';
import { FIXTURE, runCli } from '../helpers/run-cli.js';

const FILES = 360; // over WORKER_MIN_FILES (300)

describe('scan with worker threads', () => {
  const tree = join(mkdtempSync(join(tmpdir(), 'cm-workers-')), 'codex-rs');
  cpSync(FIXTURE, tree, { recursive: true });
  // many small production files in the fixture's backend client: every tenth holds an endpoint
  const dir = join(tree, 'backend-client', 'src', 'many');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const body = i % 10 === 0
      ? `pub const MIRROR_${i}_URL: &str = "https://mirror-${i}.fixture-only.dev/v1";\n`
      : `pub fn helper_${i}(x: u32) -> u32 {\n    x + ${i}\n}\n`;
    writeFileSync(join(dir, `m${i}.rs`), body);
  }
  const comparable = (r: ScanResult) => {
    const { durationMs: _d, cached: _c, ...summary } = r.summary;
    return { ...r, summary };
  };

  it('gives the in-process result', async () => {
    const cli = runCli(['scan', tree, '--json', '--no-cache']);
    expect(cli.code, cli.stderr).toBe(0);
    const viaWorkers = JSON.parse(cli.stdout) as ScanResult;
    expect(viaWorkers.summary.rustFiles).toBeGreaterThan(FILES);
    const mirrors = viaWorkers.endpoints.filter((e) => e.host.endsWith('.fixture-only.dev')).map((e) => e.host);
    expect(mirrors).toHaveLength(FILES / 10);
    // vitest runs the sources, where no compiled worker sits next to pool.ts: this scan is in-process
    const inProcess = await scan(tree, { useCache: false });
    expect(comparable(viaWorkers)).toEqual(comparable(inProcess));
  }, 120_000);
});
