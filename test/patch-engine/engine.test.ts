import { describe, expect, it, beforeEach } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { applyPlan, unpatchState, readState } from '../../src/patch/engine/apply.js';
import { renderDiff } from '../../src/patch/engine/diff.js';
import { writeFileAtomic } from '../../src/patch/engine/atomic.js';
import type { Plan } from '../../src/patch/engine/plan.js';
import { InputError } from '../../src/model.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'cm-engine-'));
});

const A = 'name = "a"\r\nfeatures = ["x"] # keep\r\n';
const B = 'b\n';

async function setup(): Promise<Plan> {
  await fs.mkdir(join(dir, 'sub'));
  await fs.writeFile(join(dir, 'a.toml'), A);
  await fs.writeFile(join(dir, 'sub/b.txt'), B);
  await fs.chmod(join(dir, 'sub/b.txt'), 0o640);
  return {
    approach: 'b',
    target: dir,
    files: [
      { path: join(dir, 'a.toml'), display: 'a.toml', oldText: A, newText: A.replace('"x"', '"y"'), reasons: [{ rule: 'r', line: 2, message: 'm' }] },
      { path: join(dir, 'sub/b.txt'), display: 'sub/b.txt', oldText: B, newText: 'B\n', reasons: [] },
      { path: join(dir, 'new/c.env'), display: 'new/c.env', oldText: null, newText: 'X=1\n', mode: 0o600, reasons: [] },
    ],
    notes: [],
    nextSteps: [],
  };
}

describe('applyPlan / unpatchState', () => {
  it('writes every file, keeps modes, records state, and unpatch restores exact bytes', async () => {
    const plan = await setup();
    const res = await applyPlan(plan);
    expect(res.unchanged).toBe(false);
    expect(res.written).toHaveLength(3);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toBe('name = "a"\r\nfeatures = ["y"] # keep\r\n');
    expect((await fs.stat(join(dir, 'sub/b.txt'))).mode & 0o777).toBe(0o640);
    expect((await fs.stat(join(dir, 'new/c.env'))).mode & 0o777).toBe(0o600);
    const state = await readState(dir, 'b');
    expect(state?.stateVersion).toBe(1);
    expect(state?.files.map((f) => [f.path, f.existed])).toEqual([
      ['a.toml', true],
      ['sub/b.txt', true],
      ['new/c.env', false],
    ]);
    const un = await unpatchState(dir, 'b');
    expect(un.restored).toHaveLength(2);
    expect(un.removed).toEqual([join(dir, 'new/c.env')]);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toBe(A);
    expect(await fs.readFile(join(dir, 'sub/b.txt'), 'utf8')).toBe(B);
    expect((await fs.stat(join(dir, 'sub/b.txt'))).mode & 0o777).toBe(0o640);
    await expect(fs.stat(join(dir, 'new/c.env'))).rejects.toThrow();
    await expect(fs.stat(join(dir, '.codex-mitm'))).rejects.toThrow();
  });

  it('an empty plan writes nothing', async () => {
    const res = await applyPlan({ approach: 'b', target: dir, files: [], notes: [], nextSteps: [] });
    expect(res.unchanged).toBe(true);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('refuses to restore anything when one file was edited since, unless forced', async () => {
    const plan = await setup();
    await applyPlan(plan);
    await fs.writeFile(join(dir, 'sub/b.txt'), 'edited\n');
    await expect(unpatchState(dir, 'b')).rejects.toThrow(/sub\/b.txt was edited since the patch/);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toContain('"y"');
    const dry = await unpatchState(dir, 'b', { dryRun: true });
    expect(dry.refused.map((r) => r.path)).toEqual([join(dir, 'sub/b.txt')]);
    expect(dry.restored).toEqual([join(dir, 'a.toml')]);
    const forced = await unpatchState(dir, 'b', { force: true });
    expect(forced.restored).toHaveLength(2);
    expect(await fs.readFile(join(dir, 'sub/b.txt'), 'utf8')).toBe(B);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toBe(A);
  });

  it('refuses a state whose paths lead outside the patched folder (a planted state cannot write elsewhere)', async () => {
    const plan = await setup();
    await applyPlan(plan);
    const state = (await readState(dir, 'b'))!;
    const victim = join(tmpdir(), `cm-victim-${process.pid}.txt`);
    await fs.writeFile(victim, 'keep me\n');
    try {
      for (const bad of ['../' + basename(victim), victim, 'sub/../../x.txt']) {
        const files = state.files.map((f, i) => (i === 1 ? { ...f, path: bad } : f));
        await fs.writeFile(join(dir, '.codex-mitm/b.json'), JSON.stringify({ ...state, files }));
        await expect(unpatchState(dir, 'b')).rejects.toThrow(/files\[1\]\.path .* leads outside/);
        await expect(unpatchState(dir, 'b', { force: true })).rejects.toThrow(InputError);
      }
      expect(await fs.readFile(victim, 'utf8')).toBe('keep me\n');
      expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toContain('"y"');
    } finally {
      await fs.rm(victim, { force: true });
    }
  });

  it('refuses a corrupted backup or state and changes nothing', async () => {
    const plan = await setup();
    await applyPlan(plan);
    const state = (await readState(dir, 'b'))!;
    const backup = join(dir, '.codex-mitm', state.files[1]!.backup!);
    await fs.writeFile(backup, 'tampered');
    await expect(unpatchState(dir, 'b')).rejects.toThrow(/backup of sub\/b.txt is corrupted/);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toContain('"y"');
    await fs.rm(backup);
    await expect(unpatchState(dir, 'b')).rejects.toThrow(/backup of sub\/b.txt is missing/);
    await fs.writeFile(join(dir, '.codex-mitm/b.json'), '{"tool": "codex-mitm", ');
    await expect(unpatchState(dir, 'b')).rejects.toThrow(InputError);
    await fs.writeFile(join(dir, '.codex-mitm/b.json'), JSON.stringify({ ...state, stateVersion: 0 }));
    await expect(unpatchState(dir, 'b')).rejects.toThrow(/version 0/);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toContain('"y"');
  });

  it('an interrupted run (writer dies after the first file) still unpatches every file', async () => {
    const plan = await setup();
    let n = 0;
    const writer = async (p: string, d: string | Buffer, m?: number) => {
      if (n++ === 1) throw new Error('killed');
      await writeFileAtomic(p, d, m);
    };
    await expect(applyPlan(plan, { writer })).rejects.toThrow('killed');
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toContain('"y"');
    expect(await fs.readFile(join(dir, 'sub/b.txt'), 'utf8')).toBe(B);
    const un = await unpatchState(dir, 'b');
    expect(un.restored).toEqual([join(dir, 'a.toml')]);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toBe(A);
  });

  it('refuses a read-only file before writing anything', async () => {
    const plan = await setup();
    await fs.chmod(join(dir, 'sub/b.txt'), 0o444);
    await expect(applyPlan(plan)).rejects.toThrow(/sub\/b.txt is read-only/);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toBe(A);
    await expect(fs.stat(join(dir, '.codex-mitm'))).rejects.toThrow();
  });

  it('refuses a read-only folder before writing anything', async () => {
    const plan = await setup();
    await fs.chmod(join(dir, 'sub'), 0o555);
    try {
      await expect(applyPlan(plan)).rejects.toThrow(`folder ${join(dir, 'sub')} is read-only`);
    } finally {
      await fs.chmod(join(dir, 'sub'), 0o755);
    }
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toBe(A);
    await expect(fs.stat(join(dir, '.codex-mitm'))).rejects.toThrow();
  });

  it('refuses when the tree differs from what an earlier run recorded', async () => {
    const plan = await setup();
    await applyPlan(plan);
    await fs.writeFile(join(dir, 'a.toml'), 'someone else\n');
    const again: Plan = { ...plan, files: [{ ...plan.files[1]!, oldText: 'B\n', newText: 'BB\n' }] };
    await expect(applyPlan(again)).rejects.toThrow(/a.toml changed since the earlier patch/);
    expect(await fs.readFile(join(dir, 'sub/b.txt'), 'utf8')).toBe('B\n');
  });

  it('folds a second run into the state and unpatch still restores the originals', async () => {
    const plan = await setup();
    await applyPlan(plan);
    await applyPlan({ ...plan, files: [{ ...plan.files[1]!, oldText: 'B\n', newText: 'BB\n' }] });
    await unpatchState(dir, 'b');
    expect(await fs.readFile(join(dir, 'sub/b.txt'), 'utf8')).toBe(B);
    expect(await fs.readFile(join(dir, 'a.toml'), 'utf8')).toBe(A);
  });

  it('renders a unified diff with target-relative names', async () => {
    const plan = await setup();
    const d = renderDiff(plan);
    expect(d).toContain('--- a/a.toml\n+++ b/a.toml\n');
    expect(d).toContain('-features = ["x"] # keep\r\n+features = ["y"] # keep\r\n');
    expect(d).toContain('--- /dev/null\n+++ b/new/c.env\n');
  });
});

describe('writeFileAtomic', () => {
  it('keeps the mode, writes through a symlink and leaves no temp file', async () => {
    await fs.writeFile(join(dir, 'f'), 'old');
    await fs.chmod(join(dir, 'f'), 0o751);
    await fs.symlink('f', join(dir, 'link'));
    await writeFileAtomic(join(dir, 'link'), 'new');
    expect(await fs.readFile(join(dir, 'f'), 'utf8')).toBe('new');
    expect((await fs.lstat(join(dir, 'link'))).isSymbolicLink()).toBe(true);
    expect((await fs.stat(join(dir, 'f'))).mode & 0o777).toBe(0o751);
    expect((await fs.readdir(dir)).sort()).toEqual(['f', 'link']);
  });
});

describe('writeFileAtomic as root', () => {
  it.skipIf(process.getuid?.() !== 0)('keeps the owner of the file it replaces (a config patched under sudo stays the user\'s)', async () => {
    const d = await fs.mkdtemp(join(tmpdir(), 'cm-owner-'));
    try {
      const f = join(d, 'config.toml');
      await fs.writeFile(f, 'a = 1\n', { mode: 0o600 });
      await fs.chown(f, 1234, 1234);
      await writeFileAtomic(f, 'a = 2\n');
      const st = await fs.stat(f);
      expect([st.uid, st.gid, st.mode & 0o777]).toEqual([1234, 1234, 0o600]);
      expect(await fs.readFile(f, 'utf8')).toBe('a = 2\n');
    } finally {
      await fs.rm(d, { recursive: true, force: true });
    }
  });
});
