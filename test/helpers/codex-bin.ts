// Real @openai/codex binaries for integration tests, installed once per version into
// ${XDG_CACHE_HOME:-~/.cache}/codex-mitm/codex-<version> (.ci/install-codex.sh fills the same
// cache). A version not cached is installed from the npm registry; without the registry the
// caller skips and prints why. Also: whether this machine can isolate codex (network namespace).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isolationSupport } from '../../src/proxy/isolate.js';

const CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codex-mitm');

export const codexBin = (v: string): string => join(CACHE, `codex-${v}`, 'node_modules', '.bin', 'codex');

/** Installs the versions not cached yet; returns why the suite must skip, or undefined. */
export function prepareCodex(versions: readonly string[]): string | undefined {
  for (const v of versions) {
    if (existsSync(codexBin(v))) continue;
    const install = spawnSync('npm', ['install', '--prefix', join(CACHE, `codex-${v}`), `@openai/codex@${v}`, '--no-audit', '--no-fund'], {
      encoding: 'utf8',
      timeout: 150_000,
    });
    if (install.status === 0 && existsSync(codexBin(v))) continue;
    const view = spawnSync('npm', ['view', `@openai/codex@${v}`, 'version'], { encoding: 'utf8', timeout: 30_000 });
    if (view.status !== 0) {
      const why = (view.stderr || view.error?.message || '')
        .split('\n')
        .filter((l) => l.startsWith('npm error') && !l.includes('complete log'))
        .slice(0, 2)
        .join('; ');
      return `npm registry unreachable, cannot install @openai/codex@${v}: ${why || `npm view exited ${view.status}`}`;
    }
    // Registry reachable but the install failed: that is a failure, not a skip.
    throw new Error(`npm install @openai/codex@${v} failed: ${install.stderr}`);
  }
  return undefined;
}

/** Why a real codex must not run here (no network namespace), or undefined. */
export function isolationMissing(): string | undefined {
  const s = isolationSupport();
  return s.available ? undefined : s.reason;
}
