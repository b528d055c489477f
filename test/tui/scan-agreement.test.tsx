// The wizard agrees with the scan report: channels codex never contacts (its own loopback
// listeners, links) show as `·`, never as a miss; and the Preview names the real source of the
// auth mode (auth.json, the API key assumed without one, or the Choose screen).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupDirs, drive, fixtureCopy, KEY, tempDir, type Driven } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const dirs: string[] = [];
afterAll(() => cleanupDirs(...dirs));
const keep = (d: string) => (dirs.push(d), d);

/** Where -> Scan -> Channels table. */
async function atChannels(w: Driven): Promise<string> {
  await w.waitFor(/tree version\s+0\.115\.0/);
  await w.press(KEY.down, KEY.down, KEY.enter);
  await w.waitFor('channels found');
  await w.press(KEY.enter);
  return w.waitFor('Recommended');
}

/** Every line of the Preview (diff and tail), paging down until the end. */
async function wholePreview(w: Driven): Promise<string> {
  let all = w.frame();
  for (let i = 0; i < 30 && !/lines \d+-(\d+) of \1\b/.test(w.frame()) && /lines \d+-\d+ of/.test(w.frame()); i++) {
    await w.press(' ');
    all += `\n${w.frame()}`;
  }
  return all;
}

function setup(auth?: string) {
  const { dir, root } = fixtureCopy();
  keep(dir);
  const home = keep(tempDir('home'));
  if (auth) writeFileSync(join(home, 'auth.json'), auth);
  const w = drive({ cwd: home, root, home, columns: 140, rows: 40 });
  return { w, root, home };
}

describe('wizard: channels codex never contacts', () => {
  it('shows Loopback as · · · in the table and its evidence, with the legend', async () => {
    const { w } = setup();
    const table = await atChannels(w);
    const row = table.split('\n').find((l) => l.includes('Loopback'));
    expect(row, table).toBeDefined();
    expect(row).not.toContain('✗');
    expect(row).toMatch(/·\s+·\s+·\s*$/);
    expect(table).toContain('· not contacted');
    // a contacted channel keeps its verdicts
    expect(table.split('\n').find((l) => l.includes('Announcement') && !l.includes('misses:'))).toMatch(/✗\s+✗\s+✗\s*$/);
    // the recommendation names what it misses by name, not by rule id
    expect(table).toMatch(/misses: .*Announcement tip/);
    expect(table).not.toMatch(/misses: .*\bannouncement\b/);
    // its evidence says it is not contacted rather than listing reasons for ✗
    const idx = table.split('\n').filter((l) => /^[› ] \S/.test(l) && !/^\s*channel\s/.test(l)).findIndex((l) => l.includes('Loopback'));
    expect(idx).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < idx; i++) await w.press(KEY.down);
    await w.press(KEY.enter);
    const ev = await w.waitFor('Evidence: Loopback');
    expect(ev).toContain('not contacted');
    expect(ev).not.toMatch(/^A\s+✗/m);
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });

  it('Choose counts contacted channels only, and Preview leaves Loopback out of "Will not capture"', async () => {
    const { w } = setup();
    await atChannels(w);
    await w.press('c');
    const choose = await w.waitFor('step 4/6');
    const m = /of (\d+) contacted channels: ✓ (\d+) captured, ~ (\d+) partly, ✗ (\d+) not/.exec(choose);
    expect(m, choose).not.toBeNull();
    await w.press('1');
    await w.waitFor('Model API proxy port');
    await w.press(KEY.enter);
    await w.waitFor('Approach A changes');
    const all = await wholePreview(w);
    const miss = /Will not capture \((\d+)\):/.exec(all);
    expect(miss, all).not.toBeNull();
    // the same count as the Choose screen's ✗ for A, over contacted channels
    expect(miss![1]).toBe(m![4]);
    const tail = all.slice(all.indexOf('Will not capture'));
    expect(tail).not.toContain('Loopback');
    expect(tail).toContain('Announcement');
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });

  it('Preview of approach B leaves Loopback out and offers no override it does not have', async () => {
    const { w } = setup();
    await atChannels(w);
    await w.press('c', '2');
    await w.press(KEY.enter);
    await w.waitFor('Approach B changes');
    const all = await wholePreview(w);
    const tail = all.slice(all.indexOf('Will not capture'));
    expect(tail).toContain('Local OSS providers');
    expect(tail).not.toContain('Loopback');
    expect(tail).not.toMatch(/use its override with/);
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });
});

describe('wizard: where the auth mode comes from', () => {
  it('without auth.json (and no --auth): the API key is assumed, never "from --auth"', async () => {
    const { w } = setup();
    await atChannels(w);
    await w.press('c', '1');
    const choose = await w.waitFor('Model API proxy port');
    expect(choose).toMatch(/Auth mode\s+API key\s+assumed \(no auth\.json\)/);
    await w.press(KEY.enter);
    await w.waitFor('Approach A changes');
    const all = await wholePreview(w);
    expect(all).not.toContain('--auth');
    expect(all).toContain('auth mode unknown (no auth.json); planned for an API key');
    expect(all).toContain('set "Auth mode" on the Choose screen');
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });

  it('from auth.json when it names the mode', async () => {
    const { w } = setup('{"OPENAI_API_KEY": "sk-test-not-real", "tokens": null}\n');
    await atChannels(w);
    await w.press('c', '1');
    await w.waitFor('Model API proxy port');
    await w.press(KEY.enter);
    await w.waitFor('Approach A changes');
    const all = await wholePreview(w);
    expect(all).toContain('auth mode: API key (from auth.json (OPENAI_API_KEY))');
    expect(all).not.toContain('--auth');
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });

  it('from the Choose screen when the user changes it there', async () => {
    const { w } = setup();
    await atChannels(w);
    await w.press('c', '1');
    await w.waitFor('Model API proxy port');
    // rows: A B CA | auth | model port | backend port | continue
    await w.press(KEY.down, KEY.down, KEY.down, KEY.enter);
    const choose = await w.waitFor(/Auth mode\s+ChatGPT sign-in/);
    expect(choose).toMatch(/ChatGPT sign-in\s+chosen here/);
    await w.press(KEY.down, KEY.down, KEY.down, KEY.enter);
    await w.waitFor('Approach A changes');
    const all = await wholePreview(w);
    expect(all).toContain('auth mode: ChatGPT sign-in (chosen on the Choose screen)');
    expect(all).not.toContain('--auth');
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });
});
