// Screens rendered from reducer states: what each shows while work runs.
import React from 'react';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { render } from 'ink-testing-library';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialState, type Action, type State } from '../../src/tui/state.js';
import { reducer } from '../../src/tui/reducer.js';
import { ScanScreen } from '../../src/tui/screens/scan.js';
import { WhereScreen } from '../../src/tui/screens/where.js';
import { ColorContext } from '../../src/tui/theme.js';
import { cleanupDirs, drive, FIXTURE, KEY, tempDir } from './helpers.js';

// Real scans, plans and terminals: generous limits (no timing is asserted).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const dirs: string[] = [];
afterAll(() => cleanupDirs(...dirs));

const run = (s: State, ...as: Action[]) => as.reduce(reducer, s);
const key = (input: string, k = {}): Action => ({ type: 'key', input, key: k });

function frameOf(el: React.ReactElement): string {
  const r = render(<ColorContext.Provider value={false}>{el}</ColorContext.Provider>);
  const f = r.lastFrame() ?? '';
  r.unmount();
  return f;
}

describe('screens', () => {
  it('Scan shows a progress bar with files parsed / total while the scan runs', () => {
    let s = initialState({ cwd: '/w', root: '/t/codex-rs', home: '/h', homeSource: 'default', color: false });
    s = run(s, { type: 'info', seq: 1, root: '/t/codex-rs', version: '0.115.0' }, key('', { downArrow: true }), key('', { downArrow: true }), key('', { return: true }));
    expect(frameOf(<ScanScreen s={s} />)).toContain('finding files…');
    s = run(s, { type: 'progress', seq: s.pending!.seq, done: 5, total: 20 });
    const f = frameOf(<ScanScreen s={s} />);
    expect(f).toContain('5/20 files parsed');
    expect(f).toMatch(/\[█+░+\]/);
    expect(f).toContain('Esc/b back');
  });

  it('Where says where the codex home comes from and what auth.json holds', () => {
    let s = initialState({ cwd: '/w', home: '/home/u/.codex', homeSource: 'env', color: false });
    s = run(s, { type: 'info', seq: 1, root: '/w/codex-rs', detected: true, version: '0.98.0', auth: 'chatgpt', authSource: 'auth.json (tokens)' });
    const f = frameOf(<WhereScreen s={s} />);
    expect(f).toMatch(/Source tree\s+\/w\/codex-rs\s+detected under the current directory/);
    expect(f).toMatch(/Codex home\s+\/home\/u\/\.codex\s+from \$CODEX_HOME/);
    expect(f).toMatch(/tree version\s+0\.98\.0/);
    expect(f).toMatch(/auth mode\s+ChatGPT sign-in\s+auth\.json \(tokens\)/);
  });

  it('Where: editing the codex home re-reads its auth mode', async () => {
    const a = tempDir('home-a');
    const b = tempDir('home-b');
    dirs.push(a, b);
    writeFileSync(join(a, 'auth.json'), '{"OPENAI_API_KEY": "sk-test"}\n');
    writeFileSync(join(b, 'auth.json'), '{"tokens": {"access_token": "t"}}\n');
    const w = drive({ cwd: a, root: FIXTURE, home: a });
    await w.waitFor(/auth mode\s+API key/);
    await w.press(KEY.down, KEY.enter);
    await w.waitFor(`${a}█`);
    await w.press('\u0015'); // Ctrl-U clears the field
    await w.type(b);
    await w.press(KEY.enter);
    const f = await w.waitFor(/auth mode\s+ChatGPT sign-in/);
    expect(f).toMatch(new RegExp(`Codex home\\s+${b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+from --codex-home`));
    await w.press('q');
    expect(await w.exitCode()).toBe(0);
  });
});

describe('preview line breaking', () => {
  it('cuts long diff lines into full-width pieces that keep their colour and their +/- marker', async () => {
    const { hardWrap } = await import('../../src/tui/screens/preview.js');
    const text = '+reqwest = { features = ["json", "rustls-tls-native-roots"] }';
    const pieces = hardWrap(`\u001b[32m${text}\u001b[0m`, 20);
    const plain = pieces.map((p) => p.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(plain[0]).toBe('+reqwest = { feature');
    // every continuation row starts with the line's marker and ↪, so it reads as an addition without colour
    for (const p of plain.slice(1)) expect(p.startsWith('+↪')).toBe(true);
    expect(plain[0]! + plain.slice(1).map((p) => p.slice(2)).join('')).toBe(text);
    for (const p of pieces) {
      expect(p.startsWith('\u001b[32m')).toBe(true);
      expect(p.endsWith('\u001b[0m')).toBe(true);
      expect(p.replace(/\u001b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(20);
    }
    // NO_COLOR: a removed line, and a context line, keep their own marker
    const minus = hardWrap('-reqwest = { features = ["json", "rustls-tls"] }', 20);
    expect(minus.slice(1).every((p) => p.startsWith('-↪'))).toBe(true);
    const ctx = hardWrap(' [dependencies.something-long-enough-to-wrap]', 20);
    expect(ctx.slice(1).every((p) => p.startsWith(' ↪'))).toBe(true);
    expect(hardWrap('+short', 20)).toEqual(['+short']);
  });

  it('wraps prose at spaces', async () => {
    const { wordWrap } = await import('../../src/tui/screens/preview.js');
    const words = wordWrap('  • coverage: 3 of 18 channels captured by approach a, partly the token refresh', 30);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(30);
    expect(words.join(' ').replace(/\s+/g, ' ').trim()).toBe('• coverage: 3 of 18 channels captured by approach a, partly the token refresh');
  });
});

describe('preview scrolling over wrapped rows', () => {
  const strip = (x: string) => x.replace(/\u001b\[[0-9;]*m/g, '');
  const squeeze = (x: string) => x.replace(/\s+/g, '');
  const longDiff = [
    '--- a/backend-client/Cargo.toml',
    '+++ b/backend-client/Cargo.toml',
    '@@ -1,3 +1,3 @@',
    ' [dependencies]',
    '-reqwest = { workspace = true, default-features = false, features = ["json", "rustls-tls", "stream", "gzip"] }',
    '+reqwest = { workspace = true, default-features = false, features = ["json", "rustls-tls-native-roots", "stream", "gzip"] }',
    ' serde = { workspace = true }',
  ].join('\n');
  const notes = [
    'approach B rebuilds codex: run cargo build --release in the source tree after applying, then start mitmproxy with its CA in the system store',
    'the token refresh goes to auth.openai.com directly and is captured only when the system trusts the mitmproxy certificate authority',
    'remote MCP servers are contacted with their own clients; each is listed in the scan report with the file and line that builds the client',
    'a note that is long enough to wrap at eighty columns too, so the preview needs more rows than the screen has at every size tested here',
    'another note of the same kind: plans with many notes are common when the tree has overrides, local endpoints and clients built in helpers',
    'LAST NOTE: every wrapped row of this very long final note must be reachable by scrolling to the end of the preview screen',
  ];

  /** The Preview of a plan with long diff lines and notes, at `columns` x `rows`. */
  function previewAt(columns: number, rows: number): State {
    let s = initialState({ cwd: '/w', root: '/t/codex-rs', home: '/h', homeSource: 'default', color: false, columns, rows });
    s = { ...s, screen: 'preview', pending: { seq: 2, kind: 'plan' }, seq: 2 };
    const plan = { approach: 'b', target: '/t/codex-rs', files: [{ oldText: 'x', newText: 'y' }], notes, nextSteps: [] };
    return run(s, { type: 'planned', seq: 2, plan: plan as never, diff: longDiff, misses: ['Announcement tips (raw.githubusercontent.com, and a few more hosts to make it long)'] });
  }

  for (const [columns, rows] of [
    [40, 16],
    [80, 24],
    [100, 30],
  ] as const) {
    it(`${columns}x${rows}: paging to the end shows the last line whole, and the indicator counts screen rows`, async () => {
      const { PreviewScreen } = await import('../../src/tui/screens/preview.js');
      let s = previewAt(columns, rows);
      const seen: string[] = [];
      for (let i = 0; i < 40; i++) {
        const f = strip(frameOf(<PreviewScreen s={s} />));
        const lines = f.split('\n');
        expect(lines.length, f).toBeLessThanOrEqual(rows);
        for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(columns);
        seen.push(f);
        const m = /lines (\d+)-(\d+) of (\d+)/.exec(f);
        if (!m || m[2] === m[3]) break;
        s = run(s, key(' '));
      }
      const last = seen.at(-1)!;
      // the whole last note is on the last page (its rows wrapped, none cut)
      expect(squeeze(last)).toContain(squeeze(notes.at(-1)!));
      expect(last.split('\n').filter((l) => !l.includes('q quit')).join('\n')).not.toContain('…');
      // and scrolling on does not move past the end
      const more = run(s, key(' '), key('j'), key('', { downArrow: true }));
      expect(strip(frameOf(<PreviewScreen s={more} />))).toBe(last);
      // one row at a time from the top: the top row walks through every row, so the rows put
      // back together (wrap markers dropped) are every line of the preview, in order
      let t = previewAt(columns, rows);
      const tops: string[] = [];
      let body: string[] = [];
      for (let i = 0; i < 200; i++) {
        const lines = strip(frameOf(<PreviewScreen s={t} />)).split('\n');
        const head = lines.findIndex((l) => l.startsWith('Approach B changes'));
        const end = lines.findIndex((l) => /^\s*lines \d+-\d+ of \d+/.test(l));
        body = lines.slice(head + 1, end);
        tops.push(body[0]!);
        const m = /lines (\d+)-(\d+) of (\d+)/.exec(lines[end]!)!;
        expect(Number(m[1])).toBe(i + 1);
        expect(Number(m[2]) - Number(m[1]) + 1).toBe(body.length);
        if (m[2] === m[3]) break;
        t = run(t, key('j'));
      }
      const rowsShown = [...tops.slice(0, -1), ...body];
      const unwrap = (r: string) => r.replace(/^[-+ ]?↪/, '');
      const want = [...longDiff.split('\n'), ...t.preview.tail.map((x) => x.text)];
      expect(squeeze(rowsShown.map(unwrap).join(''))).toBe(squeeze(want.join('')));
    });
  }
});
