// The unpatch planner on pure inputs (no file system): what it decides for each recorded file,
// when it stops, and what it cleans.
import { describe, expect, it } from 'vitest';
import { planUnpatch, unpatchResult, type Reverser, type UnpatchFileInput, type UnpatchInput } from '../../src/patch/engine/unpatch-plan.js';
import { recordEdits, reverseRecorded } from '../../src/patch/engine/reverse.js';
import { sha256, type PatchState, type PatchStateFile } from '../../src/patch/engine/state.js';

const ROOT = '/t';
const OLD = 'a = 1\nx = ["one"]\n';
const NEW = 'a = 1\nx = ["uno"]\n';
const EDITS = recordEdits(OLD, NEW, [{ start: 11, end: 16, text: '"uno"' }])!;

/** A file the patch changed from `before` to `after` (mode 0640), its backup intact. */
function changed(path: string, before: string, after: string, opts: { edits?: boolean } = {}): PatchStateFile {
  return {
    path,
    existed: true,
    mode: 0o640,
    before: sha256(before),
    after: sha256(after),
    earlier: [],
    backup: `backup/b/${sha256(before)}`,
    ...(opts.edits ? { edits: [EDITS] } : {}),
  };
}

/** A file the patch created with `text`. */
function created(path: string, text: string): PatchStateFile {
  return { path, existed: false, mode: null, before: null, after: sha256(text), earlier: [], backup: null };
}

const file = (entry: PatchStateFile, current: string | null, backup?: string | { why: string }): UnpatchFileInput => ({
  entry,
  path: `${ROOT}/${entry.path}`,
  current: current === null ? null : Buffer.from(current, 'utf8'),
  ...(backup === undefined ? {} : { backup: typeof backup === 'string' ? { bytes: Buffer.from(backup, 'utf8') } : backup }),
});

const recorded: Reverser = (_abs, cur, f) => reverseRecorded(cur, f);

function input(files: UnpatchFileInput[], opts: Partial<UnpatchInput> = {}): UnpatchInput {
  const state: PatchState = {
    tool: 'codex-mitm',
    stateVersion: 1,
    approach: 'b',
    target: ROOT,
    createdAt: 'then',
    updatedAt: 'then',
    files: files.map((f) => f.entry),
  };
  return { state, stateFile: `${ROOT}/.codex-mitm/b.json`, stateRel: '.codex-mitm/b.json', files, reverse: recorded, ...opts };
}

describe('planUnpatch', () => {
  it('puts the backup bytes back (with the recorded mode) and deletes the files the patch created', () => {
    const plan = planUnpatch(input([file(changed('a.toml', OLD, NEW), NEW, OLD), file(created('new/c.env', 'X=1\n'), 'X=1\n')]));
    expect(plan.files.map((f) => f.action)).toEqual([
      { do: 'restore', bytes: Buffer.from(OLD), mode: 0o640 },
      { do: 'delete', inPlace: false },
    ]);
    expect(plan.stop).toBeUndefined();
    expect(plan.clean).toEqual({ drop: true });
    expect(unpatchResult(plan, 'S')).toEqual({
      restored: ['/t/a.toml'],
      removed: ['/t/new/c.env'],
      refused: [],
      untouched: [],
      inPlace: [],
      notRestored: [],
      stateFile: 'S',
    });
  });

  it('does not ask to undo in place when the backup is there', () => {
    let calls = 0;
    const counting: Reverser = (abs, cur, f) => {
      calls++;
      return recorded(abs, cur, f);
    };
    planUnpatch(input([file(changed('a.toml', OLD, NEW, { edits: true }), NEW, OLD)], { reverse: counting, force: true }));
    expect(calls).toBe(0);
  });

  it('refuses a file edited since the patch without --force, saying what --force would do', () => {
    const edited = `# pulled\n${NEW}`;
    const plan = planUnpatch(input([file(changed('a.toml', OLD, NEW, { edits: true }), edited, OLD), file(changed('b.txt', 'b\n', 'B\n'), 'B\n', 'b\n')]));
    expect(plan.files[0]!.action).toEqual({ do: 'refuse', reason: 'a.toml was edited since the patch', backupLost: false });
    expect(plan.files[0]!.edited).toEqual({ reason: 'a.toml was edited since the patch', keepsEdits: true });
    expect(plan.stop).toEqual({
      kind: 'edited',
      message: 'a.toml was edited since the patch; refusing to restore anything (use --force to undo only the patch and keep your edits)',
      file: '/t/a.toml',
    });
    // what a dry run reports: the other file would be restored, the edited one refused
    const res = unpatchResult(plan, 'S');
    expect(res.restored).toEqual(['/t/b.txt']);
    expect(res.refused).toEqual([{ path: '/t/a.toml', reason: 'a.toml was edited since the patch', keepsEdits: true }]);
    expect(res.notRestored).toEqual([]);
  });

  it('without recorded edits the refusal says --force discards them', () => {
    const plan = planUnpatch(input([file(changed('b.txt', 'b\n', 'B\n'), 'B!\n', 'b\n'), file(changed('c.txt', 'c\n', 'C\n'), 'C!\n', 'c\n')]));
    expect(plan.stop?.message).toBe('b.txt was edited since the patch (and 1 more); refusing to restore anything (use --force to discard the edits)');
  });

  it('with --force undoes only the patch in the edited text and keeps the user edits', () => {
    const edited = `# pulled\n${NEW}w = 4\n`;
    const plan = planUnpatch(input([file(changed('a.toml', OLD, NEW, { edits: true }), edited, OLD)], { force: true }));
    expect(plan.files[0]!.action).toEqual({ do: 'reverse', text: `# pulled\n${OLD}w = 4\n`, mode: 0o640 });
    expect(plan.files[0]!.edited).toBeUndefined();
    expect(plan.stop).toBeUndefined();
    const res = unpatchResult(plan, 'S');
    expect(res.inPlace).toEqual(['/t/a.toml']);
    expect(res.restored).toEqual(['/t/a.toml']);
    expect(res.refused).toEqual([]);
  });

  it('a re-run (undoInPlace) undoes in place without --force, and still refuses what it cannot undo', () => {
    const edited = `# pulled\n${NEW}`;
    const ok = planUnpatch(input([file(changed('a.toml', OLD, NEW, { edits: true }), edited, OLD)], { undoInPlace: true }));
    expect(ok.files[0]!.action).toEqual({ do: 'reverse', text: `# pulled\n${OLD}`, mode: 0o640 });
    const no = planUnpatch(input([file(changed('b.txt', 'b\n', 'B\n'), 'B!\n', 'b\n')], { undoInPlace: true }));
    expect(no.stop?.kind).toBe('edited');
  });

  it('an in-place undo that leaves nothing deletes the file', () => {
    const gone: Reverser = () => null;
    const plan = planUnpatch(input([file(changed('cfg.toml', 'x\n', 'x\ny\n'), 'x\ny\nz\n', 'x\n')], { force: true, reverse: gone }));
    expect(plan.files[0]!.action).toEqual({ do: 'delete', inPlace: true });
    expect(unpatchResult(plan, 'S')).toMatchObject({ removed: ['/t/cfg.toml'], inPlace: ['/t/cfg.toml'] });
  });

  it('with --force puts the backup back over edits it cannot undo in place, and still lists them as refused', () => {
    const plan = planUnpatch(input([file(changed('b.txt', 'b\n', 'B\n'), 'B!\n', 'b\n')], { force: true }));
    expect(plan.files[0]!.action).toEqual({ do: 'restore', bytes: Buffer.from('b\n'), mode: 0o640 });
    expect(plan.stop).toBeUndefined();
    expect(unpatchResult(plan, 'S').refused).toEqual([{ path: '/t/b.txt', reason: 'b.txt was edited since the patch' }]);
  });

  it('a patched file deleted since is refused, and restored with --force; a created file already gone is left', () => {
    const files = [file(changed('b.txt', 'b\n', 'B\n'), null, 'b\n'), file(created('c.env', 'X=1\n'), null)];
    const plain = planUnpatch(input(files));
    expect(plain.files.map((f) => f.action.do)).toEqual(['refuse', 'leave']);
    expect(plain.stop?.message).toBe('b.txt was deleted since the patch; refusing to restore anything (use --force to discard the edits)');
    const forced = planUnpatch(input(files, { force: true }));
    expect(forced.files.map((f) => f.action)).toEqual([{ do: 'restore', bytes: Buffer.from('b\n'), mode: 0o640 }, { do: 'leave' }]);
    expect(unpatchResult(forced, 'S')).toMatchObject({ restored: ['/t/b.txt'], untouched: ['/t/c.env'] });
  });

  it('nothing to do when every file is back to its original bytes: only the state goes', () => {
    const plan = planUnpatch(input([file(changed('a.toml', OLD, NEW), OLD, OLD), file(created('c.env', 'X=1\n'), null)]));
    expect(plan.files.map((f) => f.action)).toEqual([{ do: 'leave' }, { do: 'leave' }]);
    expect(plan.stop).toBeUndefined();
    expect(plan.clean).toEqual({ drop: true });
    expect(unpatchResult(plan, 'S')).toMatchObject({ restored: [], removed: [], untouched: ['/t/a.toml', '/t/c.env'] });
  });

  it('a missing backup stops everything without --force, naming how to recover', () => {
    const why = 'backup of b.txt is missing (/t/.codex-mitm/backup/b/x)';
    const plan = planUnpatch(input([file(changed('a.toml', OLD, NEW), NEW, OLD), file(changed('b.txt', 'b\n', 'B\n'), 'B\n', { why })]));
    expect(plan.files[1]!.action).toEqual({ do: 'refuse', reason: why, backupLost: true });
    expect(plan.stop).toEqual({
      kind: 'lost',
      message: `${why}; nothing was changed. --force restores the other files; or put b.txt back yourself (in a git checkout: \`git checkout -- b.txt\`), then delete .codex-mitm/b.json`,
      file: '/t/.codex-mitm/b.json',
    });
  });

  it('with --force and a missing backup: the others are restored, the lost one stays in the state', () => {
    const why = 'backup of b.txt is missing (/t/.codex-mitm/backup/b/x)';
    const a = changed('a.toml', OLD, NEW);
    const b = changed('b.txt', 'b\n', 'B\n');
    const plan = planUnpatch(input([file(a, NEW, OLD), file(b, 'B\n', { why })], { force: true }));
    expect(plan.stop).toBeUndefined();
    expect(plan.clean).toEqual({
      drop: false,
      keep: [b],
      removeBackups: [a.backup],
      error: {
        message: `restored 1 file(s), but not b.txt: ${why}; put b.txt back yourself (in a git checkout: \`git checkout -- b.txt\`), then delete .codex-mitm/b.json (or run unpatch again once it is back)`,
        file: '/t/.codex-mitm/b.json',
      },
    });
    expect(unpatchResult(plan, 'S').notRestored).toEqual([{ path: '/t/b.txt', reason: why }]);
  });

  it('with --force and a missing backup, an in-place undo giving back the exact original bytes is used', () => {
    const why = 'backup of a.toml is missing (x)';
    const ok = planUnpatch(input([file(changed('a.toml', OLD, NEW, { edits: true }), NEW, { why })], { force: true }));
    expect(ok.files[0]!.action).toEqual({ do: 'reverse', text: OLD, mode: 0o640 });
    expect(ok.clean).toEqual({ drop: true });
    // not the exact original: cannot be restored
    const off: Reverser = () => `${OLD}extra\n`;
    const no = planUnpatch(input([file(changed('a.toml', OLD, NEW, { edits: true }), NEW, { why })], { force: true, reverse: off }));
    expect(no.files[0]!.action).toEqual({ do: 'refuse', reason: why, backupLost: true });
  });

  it('an edited file whose backup is lost is refused with both reasons under --force', () => {
    const why = 'backup of b.txt is corrupted (x)';
    const plan = planUnpatch(input([file(changed('b.txt', 'b\n', 'B\n'), 'B!\n', { why })], { force: true }));
    expect(plan.files[0]!.action).toEqual({ do: 'refuse', reason: `b.txt was edited since the patch, and the ${why}`, backupLost: true });
    expect(plan.files[0]!.edited).toEqual({ reason: 'b.txt was edited since the patch' });
  });
});
