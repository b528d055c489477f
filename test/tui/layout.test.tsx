// 80x24 and wider terminals; NO_COLOR gives a monochrome screen, colour paints the diff.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupDirs, drive, FIXTURE, fixtureCopy, KEY, squeeze, strip, tempDir, type Driven } from './helpers.js';

// Real scans, plans and terminals: generous limits (no timing is asserted).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const dirs: string[] = [];
afterAll(() => cleanupDirs(...dirs));

const ESC_SEQ = /\u001b\[/;

function home(): string {
  const h = tempDir('home');
  dirs.push(h);
  writeFileSync(join(h, 'auth.json'), '{"tokens": {"id_token": "x"}}\n');
  return h;
}

/** Every screen's frame along an approach A path. */
async function framesOfAllScreens(w: Driven): Promise<string[]> {
  const out: string[] = [];
  out.push(await w.waitFor(/tree version\s+0\.115\.0/));
  await w.press(KEY.down, KEY.down, KEY.enter);
  out.push(await w.waitFor('channels found'));
  await w.press(KEY.enter);
  out.push(await w.waitFor('Recommended'));
  await w.press(KEY.enter);
  out.push(await w.waitFor('evidence ('));
  await w.press(KEY.esc, 'c');
  out.push(await w.waitFor('step 4/6'));
  await w.press('1', KEY.enter);
  out.push(await w.waitFor('Approach A changes'));
  await w.press(KEY.enter);
  out.push(await w.waitFor('Apply? (y/N)'));
  await w.press('n');
  out.push(await w.waitFor('Not applied'));
  await w.press('q');
  return out;
}

describe('layout', () => {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
  ] as const) {
    it(`every screen fits ${columns}x${rows}`, async () => {
      const h = home();
      const w = drive({ cwd: h, root: FIXTURE, home: h, columns, rows });
      const frames = await framesOfAllScreens(w);
      expect(frames).toHaveLength(8);
      for (const f of frames) {
        const lines = strip(f).split('\n');
        expect(lines.length, f).toBeLessThanOrEqual(rows);
        for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(columns);
      }
      // ChatGPT sign-in read from auth.json
      expect(frames[0]).toMatch(/auth mode\s+ChatGPT sign-in/);
      // the key help is never cut: every screen's ends with the whole "q quit"
      for (const f of frames) expect(strip(f).trimEnd()).toMatch(/· q quit$/);
    });
  }

  it('80x24: an unreadable auth.json is named whole on a line of its own', async () => {
    const h = tempDir('home');
    dirs.push(h);
    writeFileSync(join(h, 'auth.json'), '{"OPENAI_API_KEY": \n');
    const w = drive({ cwd: h, root: FIXTURE, home: h, columns: 80, rows: 24 });
    const f = strip(await w.waitFor(/tree version\s+0\.115\.0/));
    const lines = f.split('\n');
    const at = lines.findIndex((l) => /auth mode/.test(l));
    expect(lines[at]).toMatch(/^\s+auth mode\s+unknown \(API key assumed\)\s*$/);
    // the reason, below, with the file it names (it may wrap, never cut)
    const reason = lines.slice(at + 1, at + 4).map((l) => l.trim()).join(' ');
    expect(reason).toContain('auth.json');
    expect(reason).not.toContain('…');
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });

  it('80x24: a missing CA certificate points to the "CA certificate" field, not a flag', async () => {
    const h = home();
    const w = drive({ cwd: h, root: FIXTURE, home: h, columns: 80, rows: 24 });
    await w.waitFor(/tree version\s+0\.115\.0/);
    await w.press(KEY.down, KEY.down, KEY.enter);
    await w.waitFor('channels found');
    await w.press(KEY.enter, 'c', '3');
    await w.waitFor('Forward proxy port');
    // rows: A B CA | auth | proxy port | CA certificate | continue
    await w.press(KEY.down, KEY.down, KEY.down, KEY.enter, '\u0015');
    await w.type(join(h, 'no-such-ca.pem'));
    await w.press(KEY.enter, KEY.down, KEY.enter);
    const f = strip(await w.waitFor('refused, nothing was written'));
    const flat = f.replace(/\s*\n\s*/g, ' ');
    expect(flat).toContain('CA certificate not found');
    expect(flat).toContain('set the "CA certificate" field on the Choose screen');
    expect(flat).not.toContain('--ca');
    await w.press('b');
    await w.waitFor('step 4/6');
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });

  it('80x24: wrapped diff rows repeat their +/- marker (NO_COLOR)', async () => {
    const h = home();
    const w = drive({ cwd: h, root: FIXTURE, home: h, columns: 80, rows: 24 });
    await w.waitFor(/tree version\s+0\.115\.0/);
    await w.press(KEY.down, KEY.down, KEY.enter);
    await w.waitFor('channels found');
    await w.press(KEY.enter, 'c', '2', KEY.enter);
    let f = strip(await w.waitFor('Approach B changes'));
    // page through the diff until a wrapped row shows
    for (let i = 0; i < 10 && !/^[-+]↪/m.test(f); i++) {
      await w.press(' ');
      f = strip(w.frame());
    }
    const rows = f.split('\n');
    const cont = rows.findIndex((l) => /^[-+]↪/.test(l));
    expect(cont).toBeGreaterThan(0);
    // the row it continues carries the same marker
    let head = cont - 1;
    while (head > 0 && /^[-+ ]↪/.test(rows[head]!)) head--;
    expect(rows[head]![0]).toBe(rows[cont]![0]);
    await w.press('q');
  });

  for (const [columns, rows] of [
    [80, 24],
    [100, 30],
  ] as const) {
    it(`${columns}x${rows}: paging the approach B Preview to the end shows its last line whole`, async () => {
      const h = home();
      const w = drive({ cwd: h, root: FIXTURE, home: h, columns, rows });
      await w.waitFor(/tree version\s+0\.115\.0/);
      await w.press(KEY.down, KEY.down, KEY.enter);
      await w.waitFor('channels found');
      await w.press(KEY.enter, 'c', '2', KEY.enter);
      let f = strip(await w.waitFor('Approach B changes'));
      for (let i = 0; i < 40 && !/lines \d+-(\d+) of \1\b/.test(f); i++) {
        expect(f).toMatch(/lines \d+-\d+ of \d+/); // long enough to page at this size
        await w.press(' ');
        f = strip(w.frame());
        const lines = f.split('\n');
        expect(lines.length, f).toBeLessThanOrEqual(rows);
        for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(columns);
      }
      await w.press('q');
      expect(await w.exitCode()).toBe(0);
      const tail = w.exited()!.state.preview.tail;
      const last = tail.at(-1)!.text;
      expect(last.length).toBeGreaterThan(columns); // a wrapped note: what the logical paging lost
      expect(squeeze(f)).toContain(squeeze(last));
    });
  }

  it('80x24: approach B applied into a copy of the tree, the result, next steps and the save prompt fit', async () => {
    const tree = fixtureCopy();
    dirs.push(tree.dir);
    const h = home();
    const w = drive({ cwd: h, root: tree.root, home: h, columns: 80, rows: 24 });
    await w.waitFor(/tree version\s+0\.115\.0/);
    await w.press(KEY.down, KEY.down, KEY.enter);
    await w.waitFor('channels found');
    await w.press(KEY.enter, 'c', '2');
    const choose = await w.waitFor('(•) B');
    // B's line names what it patches, and the manifests it leaves alone, whole (wrapped, not cut)
    expect(strip(choose).replace(/\s*\n\s*/g, ' ')).toContain('patches 4 manifests with webpki roots, 1 more only local (left alone)');
    await w.press(KEY.enter);
    await w.waitFor('Approach B changes');
    await w.press(KEY.enter, 'y');
    await w.waitFor('Applied');
    await w.press('s');
    const f = strip(await w.waitFor('Save to:'));
    expect(f.replace(/\s*\n\s*/g, '')).toContain(`${join(tree.root, '.codex-mitm', 'codex-mitm-next-steps.md')}█`);
    const lines = f.split('\n');
    expect(lines.length, f).toBeLessThanOrEqual(24);
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(f).toContain('Next steps:');
    expect(f.trimEnd()).toMatch(/Esc cancel$/);
    await w.press(KEY.enter);
    const saved = strip(await w.waitFor('saved to'));
    // the whole path (wrapped), on a screen that still fits
    expect(squeeze(saved)).toContain(squeeze(`next steps saved to ${join(tree.root, '.codex-mitm', 'codex-mitm-next-steps.md')}`));
    expect(saved.split('\n').length).toBeLessThanOrEqual(24);
    expect(saved.trimEnd()).toMatch(/q quit$/);
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });

  it('NO_COLOR: no escape sequence on any screen', async () => {
    const h = home();
    const frames = await framesOfAllScreens(drive({ cwd: h, root: FIXTURE, home: h, color: false }));
    for (const f of frames) expect(f).not.toMatch(ESC_SEQ);
    // still readable: verdict glyphs, cursor marker and the recommendation badge are text
    expect(frames[2]).toMatch(/› /);
    expect(frames[2]).toContain('★ Recommended');
    expect(frames[2]).toMatch(/[✓✗~?]/);
  });

  it('with colour the diff is painted', async () => {
    const h = home();
    const frames = await framesOfAllScreens(drive({ cwd: h, root: FIXTURE, home: h, color: true }));
    expect(frames[5]).toContain('\u001b[32m+openai_base_url');
  });
});
