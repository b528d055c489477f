// Crates the workspace uses only as dev-dependencies hold test code, whatever their file names.
import { describe, expect, it } from 'vitest';
import type { CrateDep, CrateInfo } from '../../src/model.js';
import { devOnlyCrates } from '../../src/scan/rust/resolve.js';

const dep = (pkg: string, table: CrateDep['table']): CrateDep => ({ name: pkg, package: pkg, table, path: pkg });
const crate = (name: string, deps: CrateDep[] = [], bins: string[] = []): CrateInfo => ({ name, dir: name, manifest: `${name}/Cargo.toml`, bins, deps });

describe('devOnlyCrates', () => {
  it('finds crates used only under dev-dependencies, and no others', () => {
    const crates = [
      crate('cli', [dep('core', 'dependencies'), dep('tool', 'dev-dependencies')], ['codex']),
      crate('core', [dep('test-support', 'dev-dependencies'), dep('shared', 'dev-dependencies')]),
      crate('exec', [dep('test-support', 'dev-dependencies'), dep('shared', 'dependencies')]),
      crate('test-support'), // dev-only: test code
      crate('shared'), // a normal dependency of exec as well: production
      crate('tool', [], ['tool']), // has its own binary: not test code
      crate('standalone'), // nobody depends on it: left alone
    ];
    expect([...devOnlyCrates(crates)]).toEqual(['test-support']);
  });
});
