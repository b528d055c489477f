// The layering of issue 17: src/pipeline.ts composes src/scan/ (discover, manifests, Rust) and
// src/channels/ (the channel model); src/scan/ imports neither of them, and src/ loads its modules
// with static imports only. The result cache's code hash covers every file that shapes a result.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeFiles } from '../../src/scan/result-cache.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : /\.tsx?$/.test(d.name) ? [join(dir, d.name)] : [],
  );
}

/** The src/ files (relative, `.ts`) a file imports or re-exports (statically or with import()). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
}

const SHIM = 'scan/index.ts';

describe('layering', () => {
  const files = sources(SRC);

  it('src/scan/ imports neither src/channels/ nor src/pipeline.ts', () => {
    const up = files
      .filter((f) => relative(SRC, f).startsWith('scan/'))
      .flatMap((f) => importsOf(f).filter((i) => i.startsWith('channels/') || i === 'pipeline.ts').map((i) => `${relative(SRC, f)} -> ${i}`));
    expect(up).toEqual([]);
    // the check sees imports at all: the pipeline's own are found
    expect(importsOf(join(SRC, 'pipeline.ts'))).toEqual(expect.arrayContaining(['channels/index.ts', 'scan/discover.ts', 'scan/rust/index.ts']));
  });

  it('src/channels/ does not import the pipeline', () => {
    const up = files.filter((f) => relative(SRC, f).startsWith('channels/')).flatMap((f) => importsOf(f).filter((i) => i === 'pipeline.ts' || i === SHIM));
    expect(up).toEqual([]);
  });

  it('callers take scan from src/pipeline.ts, not from src/scan/index.ts', () => {
    const old = files.filter((f) => importsOf(f).includes(SHIM)).map((f) => relative(SRC, f));
    expect(old).toEqual([]);
  });

  it("src/ has no dynamic import() but the CLI's command loader (start-up: --help in 0.1 s, not 1.5 s)", () => {
    const dynamic = files.filter((f) => relative(SRC, f) !== 'cli.ts').flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((l, i) => [l, i + 1] as const)
        .filter(([l]) => /\bimport\(/.test(l.replace(/typeof import\(/g, '')))
        .map(([, n]) => `${relative(SRC, f)}:${n}`),
    );
    expect(dynamic).toEqual([]);
    // and the loader loads command modules only
    const loaded = [...readFileSync(join(SRC, 'cli.ts'), 'utf8').matchAll(/\bimport\('([^']+)'\)/g)].map((m) => m[1]);
    expect(loaded.length).toBeGreaterThan(5);
    expect(loaded.every((m) => m!.startsWith('./commands/'))).toBe(true);
  });

  it('the result cache hashes the pipeline, the channel model and the scanner', () => {
    const hashed = new Set(codeFiles().map((f) => relative(SRC, f)));
    const wanted = files.map((f) => relative(SRC, f)).filter((f) => f === 'pipeline.ts' || f === 'model.ts' || f.startsWith('channels/') || f.startsWith('scan/'));
    expect(wanted).toContain('pipeline.ts');
    expect(wanted.filter((f) => !hashed.has(f))).toEqual([]);
  });
});
