// Every test file gets its own temporary folder as TMPDIR (os.tmpdir() and the CLI children it
// spawns use it), removed when the file ends: trees, homes and logs that a test forgot, or that a
// failing test left behind, never pile up in the machine's /tmp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const outer = tmpdir();
const base = mkdtempSync(join(outer, 'codex-mitm-test-'));
process.env.TMPDIR = base;

afterAll(() => {
  process.env.TMPDIR = outer;
  rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

// The codex-mitm CA of in-process runs (verify, capture) lives in this file's folder too.
process.env.CODEX_MITM_CONFIG_DIR = join(base, 'codex-mitm-config');
process.env.CODEX_MITM_STATE_DIR = join(base, 'codex-mitm-state');
