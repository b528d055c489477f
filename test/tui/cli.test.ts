// The real CLI (built to dist/): in a real terminal (tmux, 100x30) a whole dry run that declines
// to apply; without a terminal a note (or the help) and exit 0.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupDirs, fixtureCopy, REPO, snapshot, tempDir } from './helpers.js';

// Real scans, plans and terminals: generous limits (no timing is asserted).
vi.setConfig({ testTimeout: 240_000, hookTimeout: 60_000 });


const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('test/tui/cli.test.ts: tmux end-to-end test skipped, tmux is not installed (apt-get install -y tmux)');

const SESSION = `codex-mitm-wizard-${process.pid}`;
// A private tmux server (own socket), so a user's or CI's tmux is never touched.
const SOCKET = `codex-mitm-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pane as a person reads it. */
const pane = () => tmux('capture-pane', '-p', '-t', SESSION);

/** Where the wizard's stderr goes, so a blank pane still tells what happened. */
let stderrLog = '';

/** What to read when the pane never shows the expected text: the pane's process and stderr. */
function diagnostics(): string {
  const panes = spawnSync('tmux', ['-L', SOCKET, 'list-panes', '-t', SESSION, '-F', 'dead=#{pane_dead} pid=#{pane_pid} cmd=#{pane_current_command} size=#{pane_width}x#{pane_height}'], { encoding: 'utf8' });
  let err = '';
  try {
    err = readFileSync(stderrLog, 'utf8');
  } catch {
    err = '(no stderr file)';
  }
  return `tmux panes: ${(panes.stdout || panes.stderr).trim()}\nwizard stderr: ${err.trim() || '(empty)'}`;
}

// A loaded CI machine (real codex installs running beside this file) can be slow to start node:
// the first screen gets a long limit, later screens a shorter one. No timing is asserted.
async function waitFor(text: string | RegExp, ms = 60_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const p = pane();
    if (typeof text === 'string' ? p.includes(text) : text.test(p)) return p;
    if (Date.now() > end) throw new Error(`timed out waiting for ${String(text)}; pane:\n${p}\n${diagnostics()}`);
    await sleep(100);
  }
}

async function send(...keys: string[]) {
  for (const k of keys) {
    tmux('send-keys', '-t', SESSION, k);
    await sleep(150);
  }
}

describe.skipIf(!hasTmux)('codex-mitm wizard in tmux', () => {
  const dirs: string[] = [];
  let tree: { dir: string; root: string };
  let home: string;
  let before: Record<string, string>[];

  beforeAll(() => {
    tree = fixtureCopy();
    home = tempDir('home');
    dirs.push(tree.dir, home);
    writeFileSync(join(home, 'auth.json'), '{"OPENAI_API_KEY": "sk-test-not-real"}\n');
    writeFileSync(join(home, 'config.toml'), 'model = "o3"\n');
    before = [snapshot(tree.dir), snapshot(home)];
    const logs = tempDir('tmux-log');
    dirs.push(logs);
    stderrLog = join(logs, 'wizard.stderr');
    const cmd = `cd ${JSON.stringify(REPO)} && NO_COLOR=1 node bin/codex-mitm.js wizard --root ${JSON.stringify(tree.root)} --codex-home ${JSON.stringify(home)} 2>${JSON.stringify(stderrLog)}; echo "wizard exited $?"; sleep 60`;
    tmux('new-session', '-d', '-s', SESSION, '-x', '100', '-y', '30', cmd);
  });

  afterAll(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', SESSION]);
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
    cleanupDirs(...dirs);
  });

  it('walks where, scan, channels, choose, preview, declines to apply, and writes nothing', async () => {
    const where = await waitFor(/tree version\s+0\.115\.0/, 150_000);
    expect(where).toContain('codex-mitm wizard');
    expect(where).toContain(tree.root);
    expect(where).toMatch(/auth mode\s+API key/);

    // Keys that reach the wizard in one read: Ctrl-U and backspaces sent together clear the
    // field; a pasted path with its Enter is typed and accepted.
    await send('Enter');
    await waitFor(`${tree.root}█`);
    tmux('send-keys', '-t', SESSION, 'C-u', 'x', 'y', 'BSpace', 'BSpace');
    await waitFor(/Source tree\s+█/);
    tmux('send-keys', '-t', SESSION, '-l', `${tree.root}\r`);
    const pasted = await waitFor(/› Codex home/);
    expect(pasted).toMatch(new RegExp(`Source tree\\s+${tree.root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`));
    expect(pasted).not.toContain('█');
    await waitFor(/tree version\s+0\.115\.0/);

    await send('Down', 'Down', 'Enter');
    const summary = await waitFor('channels found');
    expect(summary).toMatch(/webpki to patch\s+4 \(backend-client\/Cargo.toml/);
    expect(summary).toMatch(/1 local only, left alone\s+\(state\/Cargo\.toml\)/);

    await send('Enter');
    const table = await waitFor('Recommended');
    expect(table).toMatch(/Model API.*api\.openai\.com/);
    // 100 columns: every line fits
    for (const line of table.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);

    await send('c');
    await waitFor('step 4/6');
    await send('1', 'Enter');
    const preview = await waitFor('Approach A changes 1 file');
    expect(preview).toContain('+++ b/config.toml');
    expect(preview).toContain('+openai_base_url = "http://127.0.0.1:8080/v1"');
    // NO_COLOR: the pane's cells carry no foreground colour (bold/inverse still mark the cursor)
    const cells = tmux('capture-pane', '-p', '-e', '-t', SESSION);
    expect(cells).not.toMatch(/\u001b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38)(?:;[0-9;]*)?m/);

    await send('Enter');
    await waitFor('Apply? (y/N)');
    await send('n');
    const declined = await waitFor('Not applied: nothing was written.');
    expect(declined).toContain('Next steps (once applied):');
    expect(declined).toContain('mitmdump');

    await send('Enter');
    const end = await waitFor(/wizard exited \d+/);
    expect(end).toContain('wizard exited 0');
    expect([snapshot(tree.dir), snapshot(home)]).toEqual(before);
  });
});

const cli = (args: string[], cwd = REPO) =>
  spawnSync(process.execPath, [join(REPO, 'bin/codex-mitm.js'), ...args], { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input: '' });

describe('wizard without a terminal', () => {
  const dirs: string[] = [];
  afterAll(() => cleanupDirs(...dirs));

  it('`codex-mitm wizard` without a terminal is refused in one line (exit 2), writing nothing', () => {
    const home = tempDir('home');
    writeFileSync(join(home, 'config.toml'), 'model = "o3"\n');
    dirs.push(home);
    const before = snapshot(home);
    const r = cli(['wizard', '--root', 'fixtures/codex-rs', '--codex-home', home]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^codex-mitm: the wizard needs a terminal; use `codex-mitm scan` and `codex-mitm patch`/);
    expect(r.stdout).toBe('');
    expect(snapshot(home)).toEqual(before);
  });

  it('`codex-mitm` with no arguments prints the help and exits 0', () => {
    const r = cli([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: codex-mitm');
    expect(r.stdout).toMatch(/wizard\s+.*interactive wizard/);
  });
});
