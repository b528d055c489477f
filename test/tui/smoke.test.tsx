import { afterAll, describe, expect, it } from 'vitest';
import { cleanupDirs, drive, FIXTURE, KEY, tempDir } from './helpers.js';

describe('smoke', () => {
  const home = tempDir('home');
  afterAll(() => cleanupDirs(home));
  it('walks', async () => {
    const w = drive({ cwd: home, root: process.env.SMOKE_ROOT ?? FIXTURE, home });
    await w.waitFor(/version +\d/);
    console.log(w.frame());
    await w.press(KEY.down, KEY.down, KEY.enter);
    await w.waitFor('channels found', 120000);
    console.log(w.frame());
    await w.press(KEY.enter);
    await w.waitFor('Recommended');
    console.log(w.frame());
    await w.press(KEY.enter);
    console.log(w.frame());
    await w.press(KEY.esc, 'c');
    console.log(w.frame());
    await w.press(KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
    await w.waitFor(/refused|changes|nothing to change/);
    console.log(w.frame());
    expect(1).toBe(1);
  });
});
