// The wizard's one reducer. Keys come in as actions; work the screens need (scan, plan, apply,
// ...) is requested through `state.pending` and run by the app with the functions in
// actions.ts; results come back as actions carrying the same `seq`.
import type { Approach } from '../model.js';
import type { PlanLike } from './actions.js';
import {
  APPROACHES,
  chooseFields,
  defaultSavePath,
  evidenceMaxScroll,
  evidencePage,
  isEditing,
  listRows,
  previewLines,
  previewMaxScroll,
  previewRows,
  savePath,
  type Action,
  type ChooseState,
  type EditAuth,
  type Key,
  type Pending,
  type State,
  type TailLine,
} from './state.js';

function request(s: State, p: DistributiveOmit<Pending, 'seq'>): State {
  const seq = s.seq + 1;
  return { ...s, seq, pending: { ...p, seq } as Pending };
}
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

function isUp(input: string, key: Key) {
  return Boolean(key.upArrow) || input === 'k';
}
function isDown(input: string, key: Key) {
  return Boolean(key.downArrow) || input === 'j';
}
function isBack(input: string, key: Key) {
  return Boolean(key.escape) || input === 'b';
}

export function reducer(s: State, a: Action): State {
  switch (a.type) {
    case 'resize':
      return resize(s, a.columns, a.rows);
    case 'key':
      return onKey(s, a.input, a.key);
    default:
      return onResult(s, a);
  }
}

/** A new terminal size. The Preview's rows are cut to the width: its scroll position moves to the
 *  first row of the line that was at the top, within the new last position. */
function resize(s: State, columns: number, rows: number): State {
  let next = { ...s, columns, rows };
  // The Evidence screen's rows are cut to the width too: keep its scroll within the new last position.
  if (s.evidence.scroll > 0) next = { ...next, evidence: { scroll: Math.min(s.evidence.scroll, evidenceMaxScroll(next)) } };
  const p = s.preview;
  if (p.status !== 'ready' || p.scroll === 0) return next;
  const line = previewLines(s)[p.scroll]?.line ?? 0;
  const at = previewLines(next).findIndex((r) => r.line >= line);
  return { ...next, preview: { ...p, scroll: clamp(at < 0 ? 0 : at, 0, previewMaxScroll(next)) } };
}

function onResult(s: State, a: Exclude<Action, { type: 'key' | 'resize' }>): State {
  if (!s.pending || s.pending.seq !== a.seq) return s; // stale: the user moved on
  const kind = s.pending.kind;
  if (a.type === 'progress') {
    return { ...s, scan: { ...s.scan, done: a.done, total: a.total } };
  }
  const done = { ...s, pending: null };
  switch (a.type) {
    case 'info': {
      const next: State = {
        ...done,
        where: {
          ...s.where,
          detecting: false,
          root: a.root ?? s.where.root,
          home: a.home ?? s.where.home,
          rootDetected: a.detected ?? s.where.rootDetected,
          version: a.version,
          ...(a.installed !== undefined ? { installed: a.installed } : {}),
          auth: a.auth,
          authSource: a.authSource,
          rootError: a.rootError,
          // No tree found: go straight to typing one (unless the installed codex's source can be
          // fetched instead: the screen offers both)
          ...(a.root === undefined && !s.where.root && s.where.editing === null && !a.installed && !a.rootError
            ? { editing: 'root' as const, draft: '', focus: 0 }
            : {}),
          queued: false,
        },
      };
      return s.where.queued && !a.rootError && next.where.root ? startScan(next) : next;
    }
    case 'completions':
      return { ...done, where: { ...s.where, draft: a.value, completions: a.candidates } };
    case 'scanned': {
      const rec = a.result.recommendation?.approach;
      const ok = a.options.filter((o) => o.ok).map((o) => o.approach);
      const approach: Approach = rec && ok.includes(rec) ? rec : (ok[0] ?? rec ?? 'a');
      const auth: EditAuth = s.where.auth ?? 'apikey';
      return {
        ...done,
        scan: { ...s.scan, status: 'done', result: a.result },
        channels: { cursor: 0 },
        choose: { ...s.choose, options: a.options, approach, auth, authChosen: false, focus: APPROACHES.indexOf(approach), editing: null, error: undefined },
      };
    }
    case 'planned':
      return {
        ...done,
        preview: {
          status: 'ready',
          plan: a.plan,
          diff: a.diff === '' ? [] : a.diff.replace(/\n$/, '').split('\n'),
          tail: tailLines(a.plan, a.misses, a.warning),
          warning: a.warning,
          scroll: 0,
        },
      };
    case 'applied':
      return { ...done, apply: { ...s.apply, status: 'done', written: a.written, unchanged: a.unchanged } };
    case 'saved':
      return { ...done, apply: { ...s.apply, saving: false, saved: a.file, saveError: undefined } };
    case 'fetchProgress':
      return { ...s, where: { ...s.where, fetching: a.line } };
    case 'fetched': {
      const where = { ...s.where, root: a.root, rootDetected: false, fetching: undefined, detecting: true, rootError: undefined, focus: 2 };
      return request({ ...done, where }, { kind: 'info', root: a.root, home: s.where.home });
    }
    case 'failed':
      switch (kind) {
        case 'fetch':
          return { ...done, where: { ...s.where, fetching: undefined, rootError: a.error } };
        case 'info':
          return { ...done, where: { ...s.where, detecting: false, rootError: a.error } };
        case 'complete':
          return done;
        case 'scan':
          return { ...done, scan: { ...s.scan, status: 'error', error: a.error } };
        case 'plan':
          return { ...done, preview: { ...s.preview, status: 'error', error: a.error } };
        case 'apply':
          return { ...done, apply: { ...s.apply, status: 'error', error: a.error } };
        case 'save':
          return { ...done, apply: { ...s.apply, saved: undefined, saveError: a.error } };
      }
  }
  return s;
}

function tailLines(plan: PlanLike, misses: string[], warning?: string): TailLine[] {
  const out: TailLine[] = [];
  if (misses.length) {
    out.push({ text: '', tone: 'plain' });
    out.push({ text: `Will not capture (${misses.length}):`, tone: 'warn' });
    for (const m of misses) out.push({ text: `  ✗ ${m}`, tone: 'plain' });
  }
  if (plan.notes.some((x) => x !== warning)) {
    out.push({ text: '', tone: 'plain' });
    out.push({ text: 'Notes:', tone: 'bold' });
    for (const n of plan.notes.filter((x) => x !== warning)) out.push({ text: `  • ${n}`, tone: 'dim' });
  }
  return out;
}

/** Several keys that arrived in one read (typed ahead, pasted: `/some/path\r`, Ctrl-U + backspaces)
 *  count one by one, in text fields too. */
function onKey(s: State, input: string, key: Key): State {
  const plain = !key.ctrl && !key.escape && !key.return && !key.tab && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow;
  if (plain && [...input].length > 1) {
    return [...input].reduce((acc, ch) => {
      if (acc.exit !== undefined) return acc;
      const one = splitKey(ch);
      return one ? onOneKey(acc, one.input, one.key) : acc;
    }, s);
  }
  return onOneKey(s, input, key);
}

/** One character of a multi-character chunk as the key a terminal sends for it; null = ignore. */
export function splitKey(ch: string): { input: string; key: Key } | null {
  if (ch === '\r' || ch === '\n') return { input: '', key: { return: true } };
  if (ch === '\u007f' || ch === '\b') return { input: '', key: { backspace: true } };
  if (ch === '\t') return { input: '', key: { tab: true } };
  if (ch === '\u001b') return { input: '', key: { escape: true } };
  const code = ch.codePointAt(0)!;
  // Ctrl-A .. Ctrl-Z (Ctrl-U clears a field, Ctrl-C quits).
  if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ctrl: true } };
  if (code < 0x20 || (code >= 0x80 && code < 0xa0)) return null;
  return { input: ch, key: {} };
}

function onOneKey(s: State, input: string, key: Key): State {
  if (key.ctrl && input === 'c') return { ...s, exit: 130, pending: null };
  if (s.exit !== undefined) return s;
  if (!isEditing(s) && input === 'q' && !(s.screen === 'apply' && s.apply.status === 'applying')) {
    return { ...s, exit: 0, pending: null };
  }
  switch (s.screen) {
    case 'where':
      return whereKey(s, input, key);
    case 'scan':
      return scanKey(s, input, key);
    case 'channels':
      return channelsKey(s, input, key);
    case 'evidence':
      return evidenceKey(s, input, key);
    case 'choose':
      return chooseKey(s, input, key);
    case 'preview':
      return previewKey(s, input, key);
    case 'apply':
      return applyKey(s, input, key);
  }
}

/** Applies a key to a one-line text draft; returns null when the key is not an edit. */
function editDraft(draft: string, input: string, key: Key): string | null {
  if (key.backspace || key.delete) return draft.slice(0, -1);
  if (key.ctrl && input === 'u') return '';
  if (key.ctrl || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab || key.return || key.escape) {
    return null;
  }
  if (input && !/[\u0000-\u001f\u007f]/.test(input)) return draft + input;
  return null;
}

function startScan(s: State): State {
  const next = request({ ...s, screen: 'scan', scan: { status: 'running', done: 0, total: 0 } }, { kind: 'scan', root: s.where.root });
  return next;
}

function whereKey(s: State, input: string, key: Key): State {
  const w = s.where;
  if (w.editing) {
    if (key.escape) {
      return { ...s, where: { ...w, editing: null, completions: [], error: undefined } };
    }
    if (key.tab) {
      return request(s, { kind: 'complete', input: w.draft });
    }
    if (key.return) {
      const value = w.draft.trim();
      if (!value) return { ...s, where: { ...w, error: 'type a path (Tab completes), or Esc' } };
      const root = w.editing === 'root' ? value : w.root;
      const home = w.editing === 'home' ? value : w.home;
      return request(
        {
          ...s,
          where: {
            ...w,
            root,
            home,
            rootDetected: w.editing === 'root' ? false : w.rootDetected,
            homeSource: w.editing === 'home' ? 'flag' : w.homeSource,
            editing: null,
            completions: [],
            error: undefined,
            detecting: true,
            focus: w.editing === 'root' ? 1 : 2,
          },
        },
        { kind: 'info', root, home },
      );
    }
    const draft = editDraft(w.draft, input, key);
    if (draft === null) return s;
    return { ...s, where: { ...w, draft, completions: [], error: undefined } };
  }
  if (w.fetching !== undefined) return s;
  // no tree yet and a codex installed: f fetches the source of its version
  if (input === 'f' && w.installed && (!w.root || w.rootError)) {
    return request({ ...s, where: { ...w, fetching: `fetching the source of codex ${w.installed}…`, error: undefined } }, { kind: 'fetch', version: w.installed });
  }
  if (isUp(input, key)) return { ...s, where: { ...w, focus: clamp(w.focus - 1, 0, 2) } };
  if (isDown(input, key) || key.tab) return { ...s, where: { ...w, focus: clamp(w.focus + 1, 0, 2) } };
  if (key.return || input === 'e') {
    if (w.focus === 0 || (w.focus === 2 && input === 'e')) {
      return { ...s, where: { ...w, editing: 'root', draft: w.root, error: undefined } };
    }
    if (w.focus === 1) return { ...s, where: { ...w, editing: 'home', draft: w.home, error: undefined } };
    if (w.detecting) return { ...s, where: { ...w, queued: true } };
    if (!w.root) return { ...s, where: { ...w, error: 'no codex source tree yet: choose one first', focus: 0 } };
    if (w.rootError) return { ...s, where: { ...w, error: w.rootError, focus: 0 } };
    return startScan(s);
  }
  return s;
}

function scanKey(s: State, input: string, key: Key): State {
  if (isBack(input, key)) return { ...s, screen: 'where', pending: null, scan: { status: 'idle', done: 0, total: 0 } };
  if (s.scan.status === 'error' && (key.return || input === 'r')) return startScan(s);
  if (s.scan.status === 'done' && key.return) return { ...s, screen: 'channels' };
  return s;
}

function channelCount(s: State): number {
  return s.scan.result?.channels?.length ?? 0;
}

function channelsKey(s: State, input: string, key: Key): State {
  const n = channelCount(s);
  const page = listRows(s, 14);
  const c = s.channels.cursor;
  if (isBack(input, key)) return { ...s, screen: 'scan' };
  if (isUp(input, key)) return { ...s, channels: { cursor: clamp(c - 1, 0, Math.max(0, n - 1)) } };
  if (isDown(input, key)) return { ...s, channels: { cursor: clamp(c + 1, 0, Math.max(0, n - 1)) } };
  if (key.pageUp) return { ...s, channels: { cursor: clamp(c - page, 0, Math.max(0, n - 1)) } };
  if (key.pageDown) return { ...s, channels: { cursor: clamp(c + page, 0, Math.max(0, n - 1)) } };
  if (key.return && n > 0) return { ...s, screen: 'evidence', evidence: { scroll: 0 } };
  if (input === 'c' || key.rightArrow || (key.return && n === 0)) return { ...s, screen: 'choose' };
  return s;
}

/** Scrolls over the Evidence screen's rows (reasons wrapped, see evidenceRows) a row or a page at a time. */
function evidenceKey(s: State, input: string, key: Key): State {
  const max = evidenceMaxScroll(s);
  const page = evidencePage(s);
  const sc = clamp(s.evidence.scroll, 0, max);
  const to = (n: number) => ({ ...s, evidence: { scroll: clamp(n, 0, max) } });
  if (isBack(input, key) || key.return) return { ...s, screen: 'channels' };
  if (isUp(input, key)) return to(sc - 1);
  if (isDown(input, key)) return to(sc + 1);
  if (key.pageUp || (input === ' ' && key.ctrl)) return to(sc - page);
  if (key.pageDown || input === ' ') return to(sc + page);
  return s;
}

function chooseKey(s: State, input: string, key: Key): State {
  const c = s.choose;
  const fields = chooseFields(c.approach);
  const field = fields[clamp(c.focus, 0, fields.length - 1)]!;
  if (c.editing) {
    if (key.escape) return { ...s, choose: { ...c, editing: null, error: undefined } };
    if ((key.return || key.tab) && c.editing === 'caFile') {
      return { ...s, choose: { ...c, caFile: c.draft.trim(), editing: null, error: undefined } };
    }
    if (key.return || key.tab) {
      const port = Number(c.draft);
      if (!/^\d+$/.test(c.draft) || port < 1 || port > 65535) {
        return { ...s, choose: { ...c, error: `port must be a number from 1 to 65535, not "${c.draft}"` } };
      }
      const next = { ...c, [c.editing]: String(port), editing: null, error: undefined };
      return { ...s, choose: { ...next, ...(portClash(next) ? { error: portClash(next) } : {}) } };
    }
    const draft = editDraft(c.draft, input, key);
    if (draft === null || (c.editing !== 'caFile' && draft && !/^\d*$/.test(draft))) return s;
    return { ...s, choose: { ...c, draft, error: undefined } };
  }
  if (isBack(input, key)) return { ...s, screen: 'channels' };
  if (isUp(input, key)) return { ...s, choose: { ...c, focus: clamp(c.focus - 1, 0, fields.length - 1), error: undefined } };
  if (isDown(input, key) || key.tab) return { ...s, choose: { ...c, focus: clamp(c.focus + 1, 0, fields.length - 1), error: undefined } };
  // 1/2/3 pick an approach from anywhere.
  const direct = ({ '1': 'a', '2': 'b', '3': 'ca' } as Record<string, Approach>)[input];
  if (direct) return { ...s, choose: pickApproach(c, direct, false) };
  const choose = key.return || input === ' ';
  if (field === 'a' || field === 'b' || field === 'ca') {
    // Space selects; Enter selects and goes on to the preview with the settings below.
    if (!choose) return s;
    const picked = pickApproach(c, field, false);
    if (picked.error || input === ' ') return { ...s, choose: picked };
    return startPlan({ ...s, choose: picked });
  }
  if (field === 'auth' && (choose || key.leftArrow || key.rightArrow)) {
    return { ...s, choose: { ...c, auth: c.auth === 'apikey' ? 'chatgpt' : 'apikey', authChosen: true } };
  }
  if (!key.return) return s;
  if (field === 'modelPort' || field === 'backendPort' || field === 'proxyPort' || field === 'caFile') {
    return { ...s, choose: { ...c, editing: field, draft: c[field], error: undefined } };
  }
  return startPlan(s);
}

/** Approach A with an API key runs two reverse proxies: they cannot share a port. Said on this
 *  screen, as soon as the second port is set, not at Preview. */
function portClash(c: ChooseState): string | undefined {
  if (c.approach !== 'a' || c.auth === 'chatgpt' || c.modelPort !== c.backendPort) return undefined;
  return `the model API and backend proxies both use port ${c.modelPort}: approach A with an API key needs two ports`;
}

function startPlan(s: State): State {
  const c = s.choose;
  const opt = c.options.find((o) => o.approach === c.approach);
  if (opt && !opt.ok) return { ...s, choose: { ...c, error: `approach ${c.approach.toUpperCase()} is not available: ${opt.why}` } };
  const clash = portClash(c);
  if (clash) return { ...s, choose: { ...c, error: clash } };
  return request({ ...s, screen: 'preview', preview: { status: 'planning', diff: [], tail: [], scroll: 0 } }, { kind: 'plan' });
}

/** Selects an approach; `advance` moves the focus to its first setting (or to continue). */
function pickApproach(c: ChooseState, approach: Approach, advance: boolean): ChooseState {
  const opt = c.options.find((o) => o.approach === approach);
  if (opt && !opt.ok) return { ...c, error: `approach ${approach.toUpperCase()} is not available: ${opt.why}` };
  const focus = advance ? APPROACHES.length : APPROACHES.indexOf(approach);
  return { ...c, approach, focus, error: undefined };
}

/** Scrolls over screen rows (long lines cut to the width, see previewLines), so that every row,
 *  the last note's last one too, can be brought into view. */
function previewKey(s: State, input: string, key: Key): State {
  const p = s.preview;
  const page = previewRows(s);
  if (isBack(input, key)) return { ...s, screen: 'choose', pending: null, preview: { status: 'idle', diff: [], tail: [], scroll: 0 } };
  if (p.status !== 'ready') return s;
  const max = previewMaxScroll(s);
  if (isUp(input, key)) return { ...s, preview: { ...p, scroll: clamp(p.scroll - 1, 0, max) } };
  if (isDown(input, key)) return { ...s, preview: { ...p, scroll: clamp(p.scroll + 1, 0, max) } };
  if (key.pageUp || input === ' ' && key.ctrl) return { ...s, preview: { ...p, scroll: clamp(p.scroll - page, 0, max) } };
  if (key.pageDown || input === ' ') return { ...s, preview: { ...p, scroll: clamp(p.scroll + page, 0, max) } };
  if (key.return) {
    // A plan that changes no file (already applied) has nothing to confirm: the Apply screen then
    // shows its next steps with a way back, and no "y apply".
    const nothing = !p.plan || p.plan.files.every((f) => f.oldText === f.newText);
    return { ...s, screen: 'apply', apply: { status: nothing ? 'nothing' : 'confirm', saving: false, saveDraft: defaultSavePath(p.plan) } };
  }
  return s;
}

function applyKey(s: State, input: string, key: Key): State {
  const a = s.apply;
  if (a.status === 'applying') return s;
  if (a.saving) {
    if (key.escape) return { ...s, apply: { ...a, saving: false, saveError: undefined } };
    if (key.return) {
      if (!a.saveDraft.trim()) return { ...s, apply: { ...a, saveError: 'type a file path' } };
      return request(s, { kind: 'save', file: savePath(a.saveDraft, s.cwd) });
    }
    const draft = editDraft(a.saveDraft, input, key);
    if (draft === null) return s;
    return { ...s, apply: { ...a, saveDraft: draft, saveError: undefined } };
  }
  if (a.status === 'confirm') {
    if (input === 'y' || input === 'Y') return request({ ...s, apply: { ...a, status: 'applying' } }, { kind: 'apply' });
    if (input === 'n' || input === 'N' || key.return) return { ...s, apply: { ...a, status: 'declined' } };
    if (isBack(input, key)) return { ...s, screen: 'preview' };
    return s;
  }
  if (a.status === 'error') {
    if (isBack(input, key)) return { ...s, screen: 'preview', apply: { ...a, status: 'confirm', error: undefined } };
    return s;
  }
  // done, declined or nothing to write
  if (input === 's') return { ...s, apply: { ...a, saving: true, saveError: undefined } };
  if (a.status === 'declined' && isBack(input, key)) return { ...s, screen: 'preview', apply: { ...a, status: 'confirm' } };
  if (a.status === 'nothing') return isBack(input, key) ? { ...s, screen: 'preview' } : s;
  if (key.return) return { ...s, exit: 0 };
  return s;
}
