// What the wizard shows is whole and adds up: Evidence reasons wrapped (none cut or dropped) and
// scrollable, a title that fits 80 columns, Choose counts that add up (? too), approach B already
// applied named as such, no apply offer when the plan writes nothing, and next-step commands that
// still run when copied from the screen.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel, ScanResult } from '../../src/model.js';
import { reducer } from '../../src/tui/reducer.js';
import { evidenceMaxScroll, evidencePage, evidenceRows, initialState, type Action, type Key, type State } from '../../src/tui/state.js';
import { headerParts } from '../../src/tui/screens/frame.js';
import { stepWrap } from '../../src/tui/wrap.js';
import { cleanupDirs, drive, fixtureCopy, KEY, snapshot, squeeze, strip, tempDir, type Driven } from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const dirs: string[] = [];
afterAll(() => cleanupDirs(...dirs));
const keep = (d: string) => (dirs.push(d), d);

const flat = (s: string) => s.replace(/\s*\n\s*/g, ' ');

function fits(f: string, columns: number, rows: number) {
  const lines = strip(f).split('\n');
  expect(lines.length, f).toBeLessThanOrEqual(rows);
  for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(columns);
}

function chatgptHome(): string {
  const h = keep(tempDir('home'));
  writeFileSync(join(h, 'auth.json'), '{"tokens": {"id_token": "x"}}\n');
  return h;
}

/** A copy of the fixture tree and a codex home, driven at the given size up to the Channels table. */
async function atChannels(columns: number, rows: number, tree = keep(fixtureCopy().dir), home = chatgptHome()): Promise<{ w: Driven; root: string; home: string }> {
  const root = join(tree, 'codex-rs');
  const w = drive({ cwd: home, root, home, columns, rows });
  await w.waitFor(/tree version\s+0\.115\.0/);
  await w.press(KEY.down, KEY.down, KEY.enter);
  await w.waitFor('channels found');
  await w.press(KEY.enter);
  await w.waitFor('Recommended');
  return { w, root, home };
}

/** Moves the Channels cursor onto the row named `name` and opens its evidence. */
async function openEvidence(w: Driven, name: string): Promise<string> {
  for (let i = 0; i < 20 && !new RegExp(`› ${name.slice(0, 12).replace(/[()/]/g, '.')}`).test(w.frame()); i++) await w.press('j');
  await w.press(KEY.enter);
  return strip(await w.waitFor('Evidence: '));
}

/** Every row the Evidence screen shows, paging with j to the end; the frames seen. */
async function allEvidence(w: Driven): Promise<string[]> {
  const frames = [strip(w.frame())];
  for (let i = 0; i < 60 && !/lines \d+-(\d+) of \1\b/.test(frames.at(-1)!); i++) {
    await w.press('j');
    frames.push(strip(w.frame()));
  }
  return frames;
}

async function quitState(w: Driven): Promise<State> {
  await w.press('q');
  expect(await w.exitCode()).toBe(0);
  return w.exited()!.state;
}

describe('Evidence: every reason, wrapped and scrollable', () => {
  for (const [columns, rows] of [
    [80, 24],
    [100, 30],
  ] as const) {
    it(`${columns}x${rows}: ChatGPT backend shows its tls line and both CA reasons whole, scrolls with j/k`, async () => {
      const { w } = await atChannels(columns, rows);
      const first = await openEvidence(w, 'ChatGPT backend');
      expect(first).toContain('Evidence: ChatGPT backend');
      // longer than a page: an indicator like the Preview's, and no row cut with …
      expect(first).toMatch(/lines 1-\d+ of \d+/);
      const frames = await allEvidence(w);
      for (const f of frames) {
        fits(f, columns, rows);
        for (const l of f.split('\n').slice(1)) expect(l, f).not.toMatch(/…\s*$/);
      }
      const last = frames.at(-1)!;
      expect(last).toMatch(/lines \d+-(\d+) of \1\b/);
      // 4 endpoint sites, 3 clients (backend-client:14, default_client:17 and :25), 1 config override
      expect(last).toContain('evidence (8):');
      // k scrolls back
      await w.press('k');
      expect(strip(w.frame())).not.toBe(last);
      const state = await quitState(w);
      const ch = state.scan.result!.channels!.find((c) => c.id === 'chatgpt-backend')!;
      const seen = squeeze(frames.join('\n'));
      expect(seen).toContain(squeeze(`tls: ${ch.tls}`));
      // CA has one reason per client: both are on the screen, whole
      expect(ch.why.ca.length).toBeGreaterThan(1);
      expect(seen).toContain(squeeze(`CA ~ ${ch.why.ca[0]}`));
      expect(seen).toContain(squeeze(ch.why.ca[1]!));
      expect(ch.why.ca[1]).toMatch(/^core\/src\/default_client\.rs:14 \(client factory create_client\): the client adds the CA from/);
      for (const a of ['a', 'b', 'ca'] as const) for (const reason of ch.why[a]) expect(seen).toContain(squeeze(reason));
    });
  }

  it('j/k, space and PgUp scroll over rows within the first and last page (reducer)', () => {
    const why = (n: number) => Array.from({ length: n }, (_, i) => `reason ${i} ${'word '.repeat(30)}`);
    const ch: Channel = {
      id: 'x',
      name: 'X',
      hosts: ['x.example'],
      urls: [],
      overrides: [],
      authMode: 'any',
      coverage: { a: 'yes', b: 'partial', ca: 'no' },
      why: { a: why(2), b: why(3), ca: why(4) },
      tls: 'native-tls',
      clients: [],
      evidence: [{ file: 'x/src/lib.rs', line: 1 }],
      unclassified: false,
      contacted: true,
    };
    const key = (input: string, k: Key = {}): Action => ({ type: 'key', input, key: k });
    let s = initialState({ cwd: '/w', root: '/t', home: '/h', homeSource: 'flag', color: false, columns: 80, rows: 24 });
    s = { ...s, screen: 'evidence', scan: { status: 'done', done: 1, total: 1, result: { channels: [ch] } as unknown as ScanResult } };
    const rows = evidenceRows(s);
    // every reason is there, wrapped at 80 columns
    expect(rows.every((r) => [...(r.mark?.text ?? '') + r.text].length <= 80)).toBe(true);
    expect(squeeze(rows.map((r) => (r.mark?.text ?? '') + r.text).join(' '))).toContain(squeeze(why(4)[3]!));
    const max = evidenceMaxScroll(s);
    expect(max).toBe(rows.length - evidencePage(s));
    s = reducer(s, key('j'));
    expect(s.evidence.scroll).toBe(1);
    s = reducer(s, key('', { downArrow: true }));
    expect(s.evidence.scroll).toBe(2);
    s = reducer(s, key('k'));
    expect(s.evidence.scroll).toBe(1);
    for (let i = 0; i < 10; i++) s = reducer(s, key(' '));
    expect(s.evidence.scroll).toBe(max);
    s = reducer(s, key('', { pageUp: true }));
    expect(s.evidence.scroll).toBe(Math.max(0, max - evidencePage(s)));
    // wider: fewer rows, the scroll stays within the new last position
    s = reducer({ ...s, evidence: { scroll: max } }, { type: 'resize', columns: 200, rows: 24 });
    expect(s.evidence.scroll).toBe(evidenceMaxScroll(s));
    expect(reducer(s, key('b')).screen).toBe('channels');
  });
});

describe('title line', () => {
  it('80 columns: a long channel name is cut with …, "codex-mitm wizard  step 3/6" stays whole', async () => {
    const { w } = await atChannels(80, 24);
    const f = await openEvidence(w, 'Loopback');
    const title = f.split('\n')[0]!;
    expect([...title].length).toBeLessThanOrEqual(80);
    expect(title).toMatch(/^codex-mitm wizard {2}step 3\/6 {2}Evidence: Loopback \(codex's own listeners: .*…$/);
    await quitState(w);
  });

  it('headerParts cuts the name first, then "wizard"; the step never', () => {
    expect(headerParts(3, 'Channels', 80)).toEqual(['codex-mitm wizard', '  step 3/6  ', 'Channels']);
    const [tool, step, name] = headerParts(3, `Evidence: ${'x'.repeat(100)}`, 80);
    expect(tool + step + name).toHaveLength(80);
    expect(name.endsWith('…')).toBe(true);
    const narrow = headerParts(3, 'Evidence: Loopback', 36);
    expect(narrow[1]).toBe('  step 3/6  ');
    expect([...narrow.join('')].length).toBeLessThanOrEqual(36);
  });
});

describe('Choose', () => {
  it('counts add up to the contacted channels: "?" shown when a verdict is unknown', async () => {
    const { w } = await atChannels(140, 40);
    await w.press('c');
    const f = flat(strip(await w.waitFor('step 4/6')));
    const re = /of (\d+) contacted channels: ✓ (\d+) captured, ~ (\d+) partly, ✗ (\d+) not(?:, \? (\d+) unknown)?/g;
    const all = [...f.matchAll(re)];
    expect(all, f).toHaveLength(3);
    for (const m of all) {
      const [total, yes, partial, no, unknown] = m.slice(1).map((x) => Number(x ?? 0));
      expect(yes! + partial! + no! + unknown!, m[0]).toBe(total);
    }
    // Feedback upload (Sentry), and the two channels whose endpoints lead to no client (OAuth
    // login, Cloud tasks): ? under B and CA
    expect(all[1]![0]).toContain('? 3 unknown');
    expect(all[0]![0]).not.toContain('?');
    await quitState(w);
  });
});

/** Applies approach `key` (1 = A, 2 = B) through the wizard once, on a fresh tree and home. */
async function appliedOnce(key: string, name: string): Promise<{ tree: string; home: string }> {
  const tree = keep(fixtureCopy().dir);
  const home = chatgptHome();
  const first = await atChannels(80, 24, tree, home);
  await first.w.press('c', key, KEY.enter);
  await first.w.waitFor(`Approach ${name} changes`);
  await first.w.press(KEY.enter, 'y');
  await first.w.waitFor('Applied');
  await quitState(first.w);
  return { tree, home };
}

describe('already applied', () => {
  it('B applied to the tree: "already applied", its Preview and next steps, and no apply offer', async () => {
    const { tree, home } = await appliedOnce('2', 'B');

    const { w, root } = await atChannels(80, 24, tree, home);
    await w.press('c');
    const choose = flat(strip(await w.waitFor('step 4/6')));
    expect(choose).toContain('already applied (.codex-mitm/b.json)');
    expect(squeeze(choose)).toContain(squeeze(`codex-mitm unpatch --approach b ${root}`));
    expect(choose).not.toContain('not available');
    expect(choose).not.toContain('webpki roots only where TLS never reaches the network');
    const before = snapshot(tree);
    await w.press('2', KEY.enter);
    await w.waitFor('nothing to change');
    await w.press(KEY.enter);
    const apply = strip(await w.waitFor('Nothing to write'));
    fits(apply, 80, 24);
    expect(apply).not.toContain('y apply');
    expect(apply).not.toContain('Apply? (y/N)');
    expect(apply.trimEnd()).toMatch(/Esc\/b back · q quit$/);
    expect(apply).toContain('Next steps:');
    // y does nothing; b goes back to the Preview
    await w.press('y');
    expect(w.exited()).toBeUndefined();
    expect(strip(w.frame())).toContain('Nothing to write');
    await w.press('b');
    await w.waitFor('step 5/6');
    await quitState(w);
    expect(snapshot(tree)).toEqual(before);
  });

  it('A applied to the codex home: the second run offers no apply, only the way back and quit', async () => {
    const { tree, home } = await appliedOnce('1', 'A');

    const { w } = await atChannels(80, 24, tree, home);
    await w.press('c', '1', KEY.enter);
    const preview = strip(await w.waitFor('Approach A: nothing to change'));
    expect(preview).toContain('Enter next steps…');
    expect(preview).not.toContain('Enter apply');
    await w.press(KEY.enter);
    const apply = strip(await w.waitFor('Nothing to write'));
    expect(apply).not.toMatch(/y apply|Apply\? \(y\/N\)|Enter finish/);
    expect(apply.trimEnd()).toMatch(/s save next steps to a file · Esc\/b back · q quit$/);
    const state = await quitState(w);
    expect(state.apply.status).toBe('nothing');
    expect(state.pending).toBeNull();
  });

  it('reducer: a plan that changes no file opens Apply with nothing to confirm; y does nothing', () => {
    const key = (input: string, k: Key = {}): Action => ({ type: 'key', input, key: k });
    let s = initialState({ cwd: '/w', root: '/t', home: '/h', homeSource: 'flag', color: false });
    const plan = { approach: 'a' as const, target: '/h', files: [{ path: '/h/config.toml', display: 'config.toml', oldText: 'x', newText: 'x', reasons: [] }], notes: [], nextSteps: ['Run it.'] };
    s = { ...s, pending: null, screen: 'preview', preview: { status: 'ready', plan, diff: [], tail: [], scroll: 0 } } as unknown as State;
    s = reducer(s, key('', { return: true }));
    expect(s.screen).toBe('apply');
    expect(s.apply.status).toBe('nothing');
    const y = reducer(s, key('y'));
    expect(y.pending).toBeNull();
    expect(y.apply.status).toBe('nothing');
    expect(reducer(s, key('', { return: true })).exit).toBeUndefined();
    expect(reducer(s, key('s')).apply.saving).toBe(true);
    expect(reducer(s, key('b')).screen).toBe('preview');
  });
});

/** The words bash makes of `text` (a command as it would be pasted, line continuations and all). */
function argv(text: string): string[] {
  const out = execFileSync('bash', ['-c', `set -- ${text}\nprintf '%s\\0' "$@"`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('next steps: commands survive copy and paste', () => {
  it('stepWrap breaks commands only between words (" \\"), cuts a long word so that bash joins it back', () => {
    const cmd = "mitmdump --mode reverse:https://chatgpt.com/ --listen-host 127.0.0.1 --listen-port 8081 -w '/tmp/a dir/codex-mitm-test-abcdef/codex-mitm-home-ghijkl/codex-mitm-flows/chatgpt.flow'";
    const plainPath = 'mitmdump -w /tmp/codex-mitm-test-abcdef/codex-mitm-home-ghijkl/codex-mitm-flows/codex-mitm-flows/chatgpt.flow';
    for (const c of [cmd, plainPath]) {
      for (const width of [80, 60, 40, 24]) {
        const rows = stepWrap(`  ${c}`, width);
        for (const r of rows) expect([...r].length, r).toBeLessThanOrEqual(width);
        expect(rows.length).toBeGreaterThan(1);
        expect(argv(rows.join('\n')), rows.join('\n')).toEqual(argv(c));
      }
    }
  });

  it('stepWrap keeps a short `command` inline, wraps the prose around it, and a long one with " \\"', () => {
    const step = 'Run `mitmdump --listen-host 127.0.0.1 --listen-port 8080` once so mitmproxy creates its CA (~/.mitmproxy/mitmproxy-ca-cert.pem).';
    const rows = stepWrap(step, 80);
    expect(rows[0]).toContain('`mitmdump --listen-host 127.0.0.1 --listen-port 8080`');
    expect(rows.every((r) => !r.endsWith('\\'))).toBe(true);
    const long = 'Rebuild: `cd /tmp/codex-mitm-test-abcdef/codex-mitm-tree-ghijkl/codex-rs && cargo build --release` (binary: ./target/release/codex).';
    const cut = stepWrap(long, 60);
    for (const r of cut) expect([...r].length).toBeLessThanOrEqual(60);
    const inner = /`([^`]*)`/.exec(cut.join('\n').replace(/\\\n/g, ''))![1]!;
    expect(inner.replace(/\s+/g, ' ')).toBe('cd /tmp/codex-mitm-test-abcdef/codex-mitm-tree-ghijkl/codex-rs && cargo build --release');
  });

  it('80x24: approach A\'s proxy command and undo command, copied from the Apply screen, are the planned ones', async () => {
    const { w, home } = await atChannels(80, 24);
    await w.press('c', '1', KEY.enter);
    await w.waitFor('Approach A changes');
    await w.press(KEY.enter, 'y');
    const f = strip(await w.waitFor('Next steps:'));
    fits(f, 80, 24);
    const state = await quitState(w);
    const steps = state.preview.plan!.nextSteps;
    const proxy = steps.find((s) => /^\s+\(umask 077 && mitmdump /.test(s))!.trim();
    expect(proxy).toContain(home);
    // the rows of the command as shown: from "(umask 077 && mitmdump" while the row before ends with "\"
    const lines = f.split('\n');
    const at = lines.findIndex((l) => l.trim().startsWith('(umask 077 && mitmdump '));
    expect(at).toBeGreaterThan(0);
    let end = at;
    while (lines[end]!.endsWith('\\')) end++;
    const shown = lines.slice(at, end + 1).join('\n');
    // the words inside the subshell, as bash reads them
    const inner = (t: string) => argv(t.trim().replace(/^\(umask 077 &&/, '').replace(/\)$/, ''));
    expect(inner(shown), shown).toEqual(inner(proxy));
    // a command inside prose: the text between the backticks, continuations joined
    const undo = /`(codex-mitm unpatch[^`]*)`/.exec(f.replace(/\\\n/g, ''));
    expect(undo, f).not.toBeNull();
    expect(argv(undo![1]!)).toEqual(argv(/`(codex-mitm unpatch[^`]*)`/.exec(steps.join('\n'))![1]!));
  });
});
