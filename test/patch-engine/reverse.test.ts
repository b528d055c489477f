// In-place undo: recorded replacements swapped back in a text edited since the patch, and the
// engine's --force path for a missing or corrupted backup.
import { describe, expect, it, beforeEach } from 'vitest';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, unpatchState, readState } from '../../src/patch/engine/apply.js';
import { recordEdits, reverseEdits } from '../../src/patch/engine/reverse.js';
import type { Plan } from '../../src/patch/engine/plan.js';

const OLD = 'a = 1\nx = ["one", "two"]\ny = ["one"]\n';
// "one" -> "uno" on line 2 only, "two" -> "dos".
const NEW = 'a = 1\nx = ["uno", "dos"]\ny = ["one"]\n';
const REPL = [
  { start: 5 + 1 + 5, end: 5 + 1 + 10, text: '"uno"' },
  { start: 5 + 1 + 12, end: 5 + 1 + 17, text: '"dos"' },
];

describe('recordEdits / reverseEdits', () => {
  it('records positions in the written text and undoes them exactly', () => {
    const run = recordEdits(OLD, NEW, REPL)!;
    expect(run.map((e) => [e.line, e.start, e.col, e.old, e.new, e.lineText])).toEqual([
      [2, 11, 5, '"one"', '"uno"', 'x = ["uno", "dos"]'],
      [2, 18, 12, '"two"', '"dos"', 'x = ["uno", "dos"]'],
    ]);
    expect(reverseEdits(NEW, [run])).toBe(OLD);
  });

  it('refuses replacements that do not produce the new text', () => {
    expect(recordEdits(OLD, NEW.replace('dos', 'tres'), REPL)).toBeUndefined();
  });

  it('finds the written line after lines were added above it, and keeps those lines', () => {
    const run = recordEdits(OLD, NEW, REPL)!;
    const pulled = `# upstream\nb = 2\n${NEW}z = 3\n`;
    expect(reverseEdits(pulled, [run])).toBe(`# upstream\nb = 2\n${OLD}z = 3\n`);
  });

  it('gives up when the written line itself changed, or when it is no longer unique', () => {
    const run = recordEdits(OLD, NEW, REPL)!;
    expect(reverseEdits(`# moved\n${NEW.replace('"dos"]', '"dos", "tres"]')}`, [run])).toBeUndefined();
    expect(reverseEdits(`# moved\n${NEW}x = ["uno", "dos"]\n`, [run])).toBeUndefined();
  });

  it('undoes two runs, latest first', () => {
    const run1 = recordEdits(OLD, NEW, REPL)!;
    const third = NEW.replace('y = ["one"]', 'y = ["eins"]');
    const s = NEW.indexOf('"one"');
    const run2 = recordEdits(NEW, third, [{ start: s, end: s + 5, text: '"eins"' }])!;
    expect(reverseEdits(third, [run1, run2])).toBe(OLD);
  });
});

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'cm-reverse-'));
});

async function patched(): Promise<Plan> {
  await fs.writeFile(join(dir, 'r.toml'), OLD);
  await fs.writeFile(join(dir, 'p.txt'), 'plain\n');
  await fs.writeFile(join(dir, 'q.txt'), 'other\n');
  const plan: Plan = {
    approach: 'b',
    target: dir,
    files: [
      { path: join(dir, 'p.txt'), display: 'p.txt', oldText: 'plain\n', newText: 'PLAIN\n', reasons: [] },
      { path: join(dir, 'q.txt'), display: 'q.txt', oldText: 'other\n', newText: 'OTHER\n', reasons: [] },
      { path: join(dir, 'r.toml'), display: 'r.toml', oldText: OLD, newText: NEW, reasons: [], replacements: REPL },
    ],
    notes: [],
    nextSteps: [],
  };
  await applyPlan(plan);
  return plan;
}

const backupOf = async (path: string) => {
  const s = (await readState(dir, 'b'))!;
  return join(dir, '.codex-mitm', s.files.find((f) => f.path === path)!.backup!);
};
const read = (rel: string) => fs.readFile(join(dir, rel), 'utf8');

describe('unpatchState with a missing or corrupted backup', () => {
  it('records the replacements in the state', async () => {
    await patched();
    const s = (await readState(dir, 'b'))!;
    expect(s.files.find((f) => f.path === 'r.toml')!.edits).toHaveLength(1);
    expect(s.files.find((f) => f.path === 'p.txt')!.edits).toBeUndefined();
  });

  it('without force refuses before touching anything, saying how to recover', async () => {
    await patched();
    await fs.rm(await backupOf('r.toml'));
    await expect(unpatchState(dir, 'b')).rejects.toThrow(/backup of r\.toml is missing .*git checkout -- r\.toml.*delete \.codex-mitm\/b\.json/);
    await expect(unpatchState(dir, 'b', { dryRun: true })).rejects.toThrow(/backup of r\.toml is missing/);
    expect([await read('p.txt'), await read('q.txt'), await read('r.toml')]).toEqual(['PLAIN\n', 'OTHER\n', NEW]);
  });

  it('with force undoes the patch in place when the backup is gone (exact bytes)', async () => {
    await patched();
    await fs.rm(await backupOf('r.toml'));
    const res = await unpatchState(dir, 'b', { force: true });
    expect(res.inPlace).toEqual([join(dir, 'r.toml')]);
    expect([await read('p.txt'), await read('q.txt'), await read('r.toml')]).toEqual(['plain\n', 'other\n', OLD]);
    await expect(fs.stat(join(dir, '.codex-mitm'))).rejects.toThrow();
  });

  it('with force restores the others, keeps the unrestorable one in the state and names it', async () => {
    await patched();
    await fs.writeFile(await backupOf('p.txt'), 'tampered');
    const dry = await unpatchState(dir, 'b', { force: true, dryRun: true });
    expect(dry.notRestored!.map((n) => n.path)).toEqual([join(dir, 'p.txt')]);
    expect(dry.restored.sort()).toEqual([join(dir, 'q.txt'), join(dir, 'r.toml')]);
    await expect(unpatchState(dir, 'b', { force: true })).rejects.toThrow(
      /restored 2 file\(s\), but not p\.txt: backup of p\.txt is corrupted.*git checkout -- p\.txt.*delete \.codex-mitm\/b\.json/,
    );
    expect([await read('p.txt'), await read('q.txt'), await read('r.toml')]).toEqual(['PLAIN\n', 'other\n', OLD]);
    const left = (await readState(dir, 'b'))!;
    expect(left.files.map((f) => f.path)).toEqual(['p.txt']);
    // Once the user put it back, unpatch finishes and drops the state.
    await fs.writeFile(join(dir, 'p.txt'), 'plain\n');
    const done = await unpatchState(dir, 'b');
    expect(done.untouched).toEqual([join(dir, 'p.txt')]);
    await expect(fs.stat(join(dir, '.codex-mitm'))).rejects.toThrow();
  });

  it('refuses a file edited since the patch (exit 2, nothing written); --force undoes only the patch and keeps the edits', async () => {
    await patched();
    const edited = `# pulled\n${NEW}w = 4\n`;
    await fs.writeFile(join(dir, 'r.toml'), edited);
    await expect(unpatchState(dir, 'b')).rejects.toThrow(/r\.toml was edited since the patch; refusing to restore anything \(use --force to undo only the patch and keep your edits\)/);
    expect(await read('r.toml')).toBe(edited);
    const res = await unpatchState(dir, 'b', { force: true });
    expect(res.refused).toEqual([]);
    expect(res.inPlace).toEqual([join(dir, 'r.toml')]);
    expect(await read('r.toml')).toBe(`# pulled\n${OLD}w = 4\n`);
  });
});
