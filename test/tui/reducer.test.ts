// The wizard's reducer: keys, transitions, going back, quitting, stale results.
import { describe, expect, it } from 'vitest';
import type { Channel, ScanResult } from '../../src/model.js';
import { initialState, previewLines, previewMaxScroll, type Action, type Key, type State } from '../../src/tui/state.js';
import { reducer } from '../../src/tui/reducer.js';

const key = (input: string, k: Key = {}): Action => ({ type: 'key', input, key: k });
const ENTER = key('', { return: true });
const ESC = key('', { escape: true });
const DOWN = key('', { downArrow: true });
const UP = key('', { upArrow: true });
const run = (s: State, ...as: Action[]) => as.reduce(reducer, s);

function start(): State {
  return initialState({ cwd: '/work', root: '/t/codex-rs', home: '/h/.codex', homeSource: 'flag', color: false });
}

function channel(id: string, a: Channel['coverage']['a'], b: Channel['coverage']['b'], ca: Channel['coverage']['ca']): Channel {
  return {
    id,
    name: id,
    hosts: [`${id}.example`],
    urls: [],
    overrides: [],
    authMode: 'any',
    coverage: { a, b, ca },
    why: { a: [], b: [], ca: [] },
    tls: 'native-tls',
    clients: [{ file: 'core/src/c.rs', line: 3, crate: 'codex-core' }],
    evidence: [{ file: `${id}/src/lib.rs`, line: 7 }],
    unclassified: false,
  };
}

// A hand-made scan result: the reducer only reads channels and the recommendation.
const result = {
  channels: [channel('model', 'yes', 'partial', 'partial'), channel('login', 'no', 'yes', 'yes'), channel('tips', 'no', 'no', 'no')],
  recommendation: { approach: 'ca', reason: 'most channels', misses: ['tips'] },
} as unknown as ScanResult;
const options = [
  { approach: 'a' as const, ok: true, why: 'x' },
  { approach: 'b' as const, ok: false, why: 'no webpki manifest' },
  { approach: 'ca' as const, ok: true, why: 'y' },
];

/** Where (info loaded) -> Scan (scanned) -> Channels. */
function atChannels(): State {
  let s = run(start(), { type: 'info', seq: 1, root: '/t/codex-rs', version: '0.115.0', auth: 'chatgpt' });
  s = run(s, DOWN, DOWN, ENTER);
  expect(s.screen).toBe('scan');
  expect(s.pending?.kind).toBe('scan');
  s = run(s, { type: 'scanned', seq: s.pending!.seq, result, options }, ENTER);
  expect(s.screen).toBe('channels');
  return s;
}

describe('wizard reducer', () => {
  it('starts on Where, asking for the tree info', () => {
    const s = start();
    expect(s.screen).toBe('where');
    expect(s.pending).toMatchObject({ kind: 'info', root: '/t/codex-rs', home: '/h/.codex' });
  });

  it('goes to typing a path when no codex-rs folder is found', () => {
    const s = run(initialState({ cwd: '/w', home: '/h', homeSource: 'default', color: false }), { type: 'info', seq: 1 });
    expect(s.where.editing).toBe('root');
    // q is a letter while typing, not quit
    const t = run(s, key('q'), key('x'));
    expect(t.exit).toBeUndefined();
    expect(t.where.draft).toBe('qx');
    expect(run(t, key('', { backspace: true })).where.draft).toBe('q');
  });

  it('Tab asks for completions and Enter accepts the typed tree', () => {
    let s = run(start(), { type: 'info', seq: 1, root: '/t/codex-rs' }, ENTER);
    expect(s.where.editing).toBe('root');
    s = run(s, key('', { ctrl: true }), key('u', { ctrl: true }), key('/o'), key('', { tab: true }));
    expect(s.pending).toMatchObject({ kind: 'complete', input: '/o' });
    s = run(s, { type: 'completions', seq: s.pending!.seq, value: '/opt/', candidates: ['opt/', 'other/'] });
    expect(s.where.draft).toBe('/opt/');
    expect(s.where.completions).toEqual(['opt/', 'other/']);
    s = run(s, ENTER);
    expect(s.where.editing).toBeNull();
    expect(s.where.root).toBe('/opt/');
    expect(s.pending).toMatchObject({ kind: 'info', root: '/opt/' });
  });

  // A terminal delivers a paste, or keys sent together, as one chunk: ink passes it whole, with no key flags.
  it('a pasted path followed by Enter, in one chunk, is typed and accepted', () => {
    let s = run(start(), { type: 'info', seq: 1, root: '/t/codex-rs' }, ENTER);
    expect(s.where.editing).toBe('root');
    s = run(s, key('\u0015/tmp/x/tree\r'));
    expect(s.where.editing).toBeNull();
    expect(s.where.root).toBe('/tmp/x/tree');
    expect(s.pending).toMatchObject({ kind: 'info', root: '/tmp/x/tree' });
    expect(s.where.focus).toBe(1); // on to the codex home
  });

  it('Ctrl-U and backspaces sent together edit the field (\\x7f and \\b both erase)', () => {
    let s = run(start(), { type: 'info', seq: 1, root: '/t/codex-rs' }, ENTER);
    expect(s.where.draft).toBe('/t/codex-rs');
    expect(run(s, key('\u007f\u007f\u007f')).where.draft).toBe('/t/codex');
    expect(run(s, key('\b\b')).where.draft).toBe('/t/codex-');
    expect(run(s, key('\u0015\u007f\u007f')).where.draft).toBe('');
    s = run(s, key('\u0015ab\u007fcq'));
    expect(s.where.draft).toBe('acq'); // q is a letter while typing
    expect(s.exit).toBeUndefined();
    // after Enter in the same chunk, the rest are commands again: q quits
    expect(run(s, key('\rq')).exit).toBe(0);
  });

  it('a port and Enter in one chunk set the port', () => {
    let s = run(atChannels(), key('c'), key('1'), DOWN, DOWN, DOWN, DOWN, ENTER);
    expect(s.choose.editing).toBe('modelPort');
    s = run(s, key('\u00159191\r'));
    expect(s.choose.editing).toBeNull();
    expect(s.choose.modelPort).toBe('9191');
  });

  it('approach A with an API key: a port equal to the other proxy is caught on Choose, not at Preview', () => {
    let s = run(atChannels(), key('c'), key('1'), DOWN, DOWN, DOWN);
    if (s.choose.auth !== 'apikey') s = run(s, ENTER);
    expect(s.choose.auth).toBe('apikey');
    s = run(s, DOWN, ENTER, key(`\u0015${s.choose.backendPort}\r`));
    expect(s.choose.error).toMatch(/both use port 8081: approach A with an API key needs two ports/);
    s = run(s, DOWN, DOWN, ENTER);
    expect(s.screen).toBe('choose');
    expect(s.choose.error).toMatch(/both use port/);
    // the ChatGPT sign-in needs only the backend proxy: the same port is fine there
    s = run(s, UP, UP, UP, ENTER, DOWN, DOWN, DOWN, ENTER);
    expect(s.choose.auth).toBe('chatgpt');
    expect(s.screen).toBe('preview');
  });

  it('refuses to scan while the tree is in error', () => {
    const s = run(start(), { type: 'info', seq: 1, rootError: 'no Cargo.toml' }, DOWN, DOWN, ENTER);
    expect(s.screen).toBe('where');
    expect(s.where.error).toBe('no Cargo.toml');
  });

  it('ignores results of work the user left (stale seq)', () => {
    let s = run(start(), { type: 'info', seq: 1, root: '/t/codex-rs' }, DOWN, DOWN, ENTER);
    const seq = s.pending!.seq;
    s = run(s, ESC);
    expect(s.screen).toBe('where');
    const after = run(s, { type: 'scanned', seq, result, options });
    expect(after.scan.result).toBeUndefined();
  });

  it('shows a failed scan with a way back and a retry', () => {
    let s = run(start(), { type: 'info', seq: 1, root: '/t/codex-rs' }, DOWN, DOWN, ENTER);
    s = run(s, { type: 'failed', seq: s.pending!.seq, error: 'Cargo.toml:3: bad' });
    expect(s.scan).toMatchObject({ status: 'error', error: 'Cargo.toml:3: bad' });
    expect(run(s, key('r')).pending?.kind).toBe('scan');
    expect(run(s, key('b')).screen).toBe('where');
  });

  it('moves through channels, shows evidence, and picks the recommended approach by default', () => {
    let s = atChannels();
    s = run(s, key('j'), key('j'), key('j'));
    expect(s.channels.cursor).toBe(2); // clamped at the last row
    s = run(s, key('k'), ENTER);
    expect(s.screen).toBe('evidence');
    s = run(s, key('b'), key('c'));
    expect(s.screen).toBe('choose');
    expect(s.choose.approach).toBe('ca');
    expect(s.choose.auth).toBe('chatgpt'); // from auth.json
  });

  it('does not offer an approach the tree cannot use', () => {
    let s = run(atChannels(), key('c'), key('2'));
    expect(s.choose.approach).toBe('ca');
    expect(s.choose.error).toMatch(/approach B is not available: no webpki manifest/);
    s = run(s, key('1'));
    expect(s.choose.approach).toBe('a');
    expect(s.choose.error).toBeUndefined();
  });

  it('edits ports and refuses a bad one', () => {
    let s = run(atChannels(), key('c'), key('1'));
    // rows: a b ca auth modelPort backendPort continue
    s = run(s, DOWN, DOWN, DOWN, DOWN, ENTER);
    expect(s.choose.editing).toBe('modelPort');
    s = run(s, key('u', { ctrl: true }), key('9'), key('x'), key('9'), key('9'), key('9'), key('9'), ENTER);
    expect(s.choose.error).toMatch(/port must be a number from 1 to 65535/);
    s = run(s, key('', { backspace: true }), ENTER);
    expect(s.choose.editing).toBeNull();
    expect(s.choose.modelPort).toBe('9999');
    s = run(s, DOWN, DOWN, ENTER);
    expect(s.screen).toBe('preview');
    expect(s.pending?.kind).toBe('plan');
  });

  it('previews, confirms with y/N, and goes back from every step', () => {
    let s = run(atChannels(), key('c'), ENTER);
    expect(s.screen).toBe('preview');
    const plan = { approach: 'ca', target: '/h/.codex', files: [], notes: ['n1'], nextSteps: ['step 1'] } as const;
    // a plan that changes a file (one that changes none offers no apply: see screen-text.test.tsx)
    const files = [{ path: '/h/.codex/config.toml', display: 'config.toml', oldText: 'a\n', newText: 'b\n', reasons: [] }];
    s = run(s, { type: 'planned', seq: s.pending!.seq, plan: { ...plan, files, notes: [...plan.notes], nextSteps: [...plan.nextSteps] }, diff: '--- a\n+++ b\n', misses: ['tips (tips.example)'] });
    expect(s.preview.status).toBe('ready');
    expect(s.preview.diff).toEqual(['--- a', '+++ b']);
    expect(s.preview.tail.map((t) => t.text)).toContain('  ✗ tips (tips.example)');
    s = run(s, ENTER);
    expect(s.screen).toBe('apply');
    expect(run(s, ENTER).apply.status).toBe('declined'); // default is No
    expect(run(s, key('n')).apply.status).toBe('declined');
    expect(run(s, ESC).screen).toBe('preview');
    const y = run(s, key('y'));
    expect(y.apply.status).toBe('applying');
    expect(y.pending?.kind).toBe('apply');
    expect(run(y, key('q')).exit).toBeUndefined(); // no quitting mid-write
    const done = run(y, { type: 'applied', seq: y.pending!.seq, written: ['/h/.codex/config.toml'], unchanged: false });
    expect(done.apply.status).toBe('done');
    const saving = run(done, key('s'));
    expect(saving.apply.saving).toBe(true);
    // the default file is in the plan's target (the codex home for CA), absolute
    expect(saving.apply.saveDraft).toBe('/h/.codex/codex-mitm-next-steps.md');
    expect(run(saving, key('q')).apply.saveDraft).toBe('/h/.codex/codex-mitm-next-steps.mdq');
    const save = run(saving, key('u', { ctrl: true }), key('n.md'), ENTER).pending;
    expect(save).toMatchObject({ kind: 'save', file: '/work/n.md' }); // relative to cwd, resolved before saving
    expect(run(done, ENTER).exit).toBe(0);
  });

  it('shows a refused plan on Preview with a way back', () => {
    let s = run(atChannels(), key('c'), ENTER);
    s = run(s, { type: 'failed', seq: s.pending!.seq, error: 'config.toml:2: bad TOML' });
    expect(s.preview).toMatchObject({ status: 'error', error: 'config.toml:2: bad TOML' });
    expect(run(s, ENTER).screen).toBe('preview');
    expect(run(s, key('b')).screen).toBe('choose');
  });

  it('quits with q (0) and Ctrl-C (130) from every screen', () => {
    const screens: State[] = [];
    let s = run(start(), { type: 'info', seq: 1, root: '/t/codex-rs' });
    screens.push(s);
    s = run(s, DOWN, DOWN, ENTER);
    screens.push(s);
    s = run(s, { type: 'scanned', seq: s.pending!.seq, result, options }, ENTER);
    screens.push(s);
    screens.push(run(s, ENTER));
    s = run(s, key('c'));
    screens.push(s);
    s = run(s, ENTER);
    screens.push(s);
    s = run(s, { type: 'planned', seq: s.pending!.seq, plan: { approach: 'ca', target: '/h', files: [], notes: [], nextSteps: [] }, diff: '', misses: [] }, ENTER);
    screens.push(s);
    expect(screens.map((x) => x.screen)).toEqual(['where', 'scan', 'channels', 'evidence', 'choose', 'preview', 'apply']);
    for (const x of screens) {
      expect(run(x, key('q'))).toMatchObject({ exit: 0, pending: null });
      expect(run(x, key('c', { ctrl: true }))).toMatchObject({ exit: 130, pending: null });
    }
  });
});

describe('keys typed ahead', () => {
  it('several keys in one read count one by one outside text fields', () => {
    let s = run(start(), { type: 'info', seq: 1, root: '/t/codex-rs' }, DOWN, DOWN, ENTER);
    s = run(s, { type: 'scanned', seq: s.pending!.seq, result, options }, ENTER);
    expect(run(s, key('jjk')).channels.cursor).toBe(1);
    expect(run(s, key('c1')).choose.approach).toBe('a');
  });

  it('Preview scrolls over screen rows; a resize keeps the line at the top and the end reachable', () => {
    let s = run(atChannels(), key('c'), ENTER);
    const notes = Array.from({ length: 6 }, (_, i) => `note ${i}: ${'a long note that wraps at forty columns '.repeat(3)}end ${i}`);
    const plan = { approach: 'ca', target: '/h/.codex', files: [], notes, nextSteps: [] };
    const diff = `--- a\n+++ b\n@@ -1 +1 @@\n+${'x'.repeat(150)}\n`;
    s = run(s, { type: 'resize', columns: 40, rows: 16 }, { type: 'planned', seq: s.pending!.seq, plan: plan as never, diff, misses: [] });
    const rows = previewLines(s);
    expect(rows.length).toBeGreaterThan(s.preview.diff.length + s.preview.tail.length);
    for (const r of rows) expect([...r.text].length).toBeLessThanOrEqual(40);
    // j walks row by row up to the last page, and no further
    const max = previewMaxScroll(s);
    expect(max).toBe(rows.length - (16 - 10));
    let end = s;
    for (let i = 0; i < rows.length + 5; i++) end = run(end, key('j'));
    expect(end.preview.scroll).toBe(max);
    expect(run(end, key(' '), DOWN).preview.scroll).toBe(max);
    // a row inside a wrapped note at the top: after a resize the top row starts that note
    const mid = rows.findIndex((r, i) => i > 0 && r.line === rows[i - 1]!.line && r.kind === 'tail');
    const at = { ...s, preview: { ...s.preview, scroll: mid } };
    const wide = run(at, { type: 'resize', columns: 60, rows: 16 });
    const top = previewLines(wide)[wide.preview.scroll]!;
    expect(top.line).toBe(rows[mid]!.line);
    expect(previewLines(wide)[wide.preview.scroll - 1]?.line).not.toBe(top.line);
    // at the end, a taller terminal clamps to its own last page
    expect(run(end, { type: 'resize', columns: 40, rows: 30 }).preview.scroll).toBe(Math.max(0, rows.length - 20));
  });
});
