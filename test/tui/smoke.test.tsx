import { afterAll, describe, expect, it } from 'vitest';
import { cleanupDirs, drive, FIXTURE, KEY, tempDir } from './helpers.js';

describe('smoke', () => {
  const home = tempDir('home');
  afterAll(() => cleanupDirs(home));
  it('walks', async () => {
    const w = drive({ cwd: home, root: process.env.SMOKE_ROOT ?? FIXTURE, home, columns: 80, rows: 24 });
    await w.waitFor(/version +\d/);
    await w.press(KEY.down, KEY.down, KEY.enter);
    await w.waitFor('channels found', 120000);
    await w.press(KEY.enter);
    await w.waitFor('Recommended');
    console.log(w.frame());
    await w.press('c');
    await w.press('1');
    console.log(w.frame());
    await w.press(KEY.enter);
    await w.waitFor(/refused|changes|nothing to change/);
    console.log(w.frame());
    await w.press(' ');
    console.log(w.frame());
    await w.press(KEY.enter);
    console.log(w.frame());
    await w.press('n');
    console.log(w.frame());
    expect(1).toBe(1);
  });
});
