// A `.codex-mitm/` state folder codex-mitm did not write (a cloned checkout can carry one), or one
// whose folders were swapped for links, is refused before anything is written or removed.
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, unpatchState, readState } from '../../src/patch/engine/apply.js';
import { signState, stateKey } from '../../src/patch/engine/trust.js';
import type { Plan } from '../../src/patch/engine/plan.js';
import { sha256 } from '../../src/patch/engine/state.js';
import { InputError } from '../../src/model.js';
import { prng } from '../helpers/prng.js';

let dir: string;
let outside: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'cm-trust-'));
  outside = await fs.mkdtemp(join(tmpdir(), 'cm-outside-'));
  await fs.writeFile(join(outside, 'x.toml'), 'patched = true\n');
  await fs.mkdir(join(outside, 'b'));
  await fs.writeFile(join(outside, 'b', 'keep.txt'), 'keep me\n');
});
afterEach(async () => {
  await fs.rm(outside, { recursive: true, force: true });
});

const ORIG = 'name = "a"\n';
const PATCHED = 'name = "b"\n';

async function patched(): Promise<Plan> {
  await fs.mkdir(join(dir, 'crate'));
  await fs.writeFile(join(dir, 'crate/Cargo.toml'), ORIG);
  const plan: Plan = {
    approach: 'b',
    target: dir,
    files: [{ path: join(dir, 'crate/Cargo.toml'), display: 'crate/Cargo.toml', oldText: ORIG, newText: PATCHED, reasons: [] }],
    notes: [],
    nextSteps: [],
  };
  await applyPlan(plan);
  return plan;
}

async function outsideUntouched(): Promise<void> {
  expect(await fs.readFile(join(outside, 'x.toml'), 'utf8')).toBe('patched = true\n');
  expect(await fs.readFile(join(outside, 'b', 'keep.txt'), 'utf8')).toBe('keep me\n');
}

/** A state a cloned checkout could carry: right shape, paths inside the tree, no (or a foreign) signature. */
function plantedState(files: { path: string; mode?: number }[]): Record<string, unknown> {
  return {
    tool: 'codex-mitm',
    stateVersion: 1,
    approach: 'b',
    target: dir,
    createdAt: 'x',
    updatedAt: 'x',
    files: files.map((f) => ({
      path: f.path,
      existed: true,
      mode: f.mode ?? 0o644,
      before: sha256('evil\n'),
      after: sha256('patched = true\n'),
      earlier: [],
      backup: `backup/b/${sha256('evil\n')}`,
    })),
  };
}

async function plant(state: Record<string, unknown>, signWith?: string): Promise<void> {
  await fs.mkdir(join(dir, '.codex-mitm/backup/b'), { recursive: true });
  await fs.writeFile(join(dir, '.codex-mitm/backup/b', sha256('evil\n')), 'evil\n');
  const text = signWith ? await signState(state, { ...process.env, CODEX_MITM_CONFIG_DIR: signWith }) : JSON.stringify(state);
  await fs.writeFile(join(dir, '.codex-mitm/b.json'), text);
}

describe('planted state folders', () => {
  it('refuses an unsigned state that leads through a link out of the tree (before: overwrote and deleted files outside)', async () => {
    await fs.symlink(outside, join(dir, 'evil'));
    await plant(plantedState([{ path: 'evil/x.toml' }]));
    for (const force of [false, true]) {
      const err = await unpatchState(dir, 'b', { force }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(/patch state is not trusted: it carries no codex-mitm signature/);
    }
    await outsideUntouched();
  });

  it("refuses a state signed by another user's key (before: trusted)", async () => {
    await fs.writeFile(join(dir, 'x.toml'), 'patched = true\n');
    await stateKey(process.env, true);
    const other = await fs.mkdtemp(join(tmpdir(), 'cm-otherkey-'));
    await plant(plantedState([{ path: 'x.toml' }]), other);
    await expect(unpatchState(dir, 'b', { force: true })).rejects.toThrow(/not made by this user's codex-mitm/);
    expect(await fs.readFile(join(dir, 'x.toml'), 'utf8')).toBe('patched = true\n');
    await fs.rm(other, { recursive: true, force: true });
  });

  it('refuses a state whose file modes carry more than permission bits (before: mode 3583 left a 6777 file)', async () => {
    await fs.writeFile(join(dir, 'x.toml'), 'patched = true\n');
    await plant(plantedState([{ path: 'x.toml', mode: 3583 }]), process.env.CODEX_MITM_CONFIG_DIR);
    await expect(unpatchState(dir, 'b', { force: true })).rejects.toThrow(/files\[0\]\.mode/);
    expect((await fs.stat(join(dir, 'x.toml'))).mode & 0o7777).not.toBe(0o6777);
  });

  it('records only the permission bits of a setuid file', async () => {
    await fs.mkdir(join(dir, 'crate'));
    await fs.writeFile(join(dir, 'crate/Cargo.toml'), ORIG);
    await fs.chmod(join(dir, 'crate/Cargo.toml'), 0o4755);
    await applyPlan({ approach: 'b', target: dir, files: [{ path: join(dir, 'crate/Cargo.toml'), display: 'c', oldText: ORIG, newText: PATCHED, reasons: [] }], notes: [], nextSteps: [] });
    expect((await readState(dir, 'b'))!.files[0]!.mode).toBe(0o755);
  });

  it('refuses to unpatch when .codex-mitm/backup became a link (before: rm -rf of the folder it named)', async () => {
    await patched();
    await fs.rename(join(dir, '.codex-mitm/backup'), join(outside, 'backup'));
    await fs.symlink(outside, join(dir, '.codex-mitm/backup'));
    await expect(unpatchState(dir, 'b', { force: true })).rejects.toThrow(/symbolic link/);
    await outsideUntouched();
    expect(await fs.readFile(join(dir, 'crate/Cargo.toml'), 'utf8')).toBe(PATCHED);
  });

  it('refuses to unpatch when .codex-mitm itself is a link', async () => {
    await patched();
    await fs.rename(join(dir, '.codex-mitm'), join(outside, 'state'));
    await fs.symlink(join(outside, 'state'), join(dir, '.codex-mitm'));
    await expect(unpatchState(dir, 'b')).rejects.toThrow(/patch state folder goes through a symbolic link/);
    expect(await fs.readFile(join(dir, 'crate/Cargo.toml'), 'utf8')).toBe(PATCHED);
    await outsideUntouched();
  });

  it('refuses to unpatch a recorded file whose folder became a link', async () => {
    await patched();
    await fs.rename(join(dir, 'crate'), join(outside, 'crate'));
    await fs.symlink(join(outside, 'crate'), join(dir, 'crate'));
    await expect(unpatchState(dir, 'b', { force: true })).rejects.toThrow(/crate\/Cargo.toml goes through a symbolic link/);
    expect(await fs.readFile(join(outside, 'crate/Cargo.toml'), 'utf8')).toBe(PATCHED);
  });

  it('refuses to patch through a linked folder or into a planted linked state file', async () => {
    await fs.symlink(outside, join(dir, 'evil'));
    const plan: Plan = {
      approach: 'b',
      target: dir,
      files: [{ path: join(dir, 'evil/x.toml'), display: 'evil/x.toml', oldText: 'patched = true\n', newText: 'x\n', reasons: [] }],
      notes: [],
      nextSteps: [],
    };
    await expect(applyPlan(plan)).rejects.toThrow(/evil\/x.toml goes through a symbolic link/);
    await fs.mkdir(join(dir, '.codex-mitm'));
    await fs.symlink(join(outside, 'x.toml'), join(dir, '.codex-mitm/b.json'));
    await fs.writeFile(join(dir, 'y.toml'), 'y\n');
    await expect(
      applyPlan({ ...plan, files: [{ path: join(dir, 'y.toml'), display: 'y.toml', oldText: 'y\n', newText: 'z\n', reasons: [] }] }),
    ).rejects.toThrow(/symbolic link/);
    expect(await fs.readFile(join(dir, 'y.toml'), 'utf8')).toBe('y\n');
    await outsideUntouched();
  });

  it('makes the state folder 0700 whatever the umask (before: 0777 under umask 000)', async () => {
    const old = process.umask(0);
    try {
      await patched();
    } finally {
      process.umask(old);
    }
    for (const d of ['.codex-mitm', '.codex-mitm/backup', '.codex-mitm/backup/b']) expect((await fs.stat(join(dir, d))).mode & 0o777).toBe(0o700);
  });

  it('property: 120 random planted states and link swaps never write or remove anything outside the tree', async () => {
    const next = prng(15);
    const rnd = { int: (n: number) => Math.floor(next() * n) };
    for (let i = 0; i < 120; i++) {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.mkdir(dir);
      const kind = rnd.int(4);
      if (kind === 0) {
        // unsigned planted state through a link
        await fs.symlink(outside, join(dir, `l${i}`));
        await plant(plantedState([{ path: `l${i}/x.toml`, mode: rnd.int(0o10000) }]));
      } else {
        await patched();
        const where = ['.codex-mitm', '.codex-mitm/backup', '.codex-mitm/backup/b', 'crate'][kind === 1 ? 0 : kind === 2 ? 1 + rnd.int(2) : 3]!;
        await fs.rm(join(dir, where), { recursive: true, force: true });
        await fs.symlink(outside, join(dir, where));
      }
      const err = await unpatchState(dir, 'b', { force: rnd.int(2) === 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      await outsideUntouched();
      expect((await fs.readdir(outside)).sort()).toEqual(['b', 'x.toml']);
    }
  });
});
