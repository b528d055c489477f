// The wizard's one state (reducer.ts changes it), its actions, and the layout helpers the
// screens and the reducer share.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Approach, AuthMode, ScanResult } from '../model.js';
import type { PlanLike } from './actions.js';
import { coverageMark, NOT_CONTACTED } from './theme.js';
import { displayText, hardWrap, wordWrap } from './wrap.js';

export type Screen = 'where' | 'scan' | 'channels' | 'evidence' | 'choose' | 'preview' | 'apply';

export interface Key {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

export type HomeSource = 'flag' | 'env' | 'default';
export type EditAuth = Exclude<AuthMode, 'any'>;

export interface WhereState {
  root: string;
  rootDetected: boolean;
  detecting: boolean;
  home: string;
  homeSource: HomeSource;
  version?: string;
  /** Version of the codex on PATH; null: none there; undefined: not looked yet. */
  installed?: string | null;
  /** Fetching the source of the installed codex: git's last progress line. */
  fetching?: string;
  auth?: EditAuth | null;
  authSource?: string;
  rootError?: string;
  /** 0 = source tree, 1 = codex home, 2 = continue */
  focus: number;
  editing: null | 'root' | 'home';
  draft: string;
  completions: string[];
  error?: string;
  /** Enter on "Scan" came while the tree was still being looked at: scan once it is known. */
  queued?: boolean;
}

export interface ScanState {
  status: 'idle' | 'running' | 'done' | 'error';
  done: number;
  total: number;
  result?: ScanResult;
  error?: string;
}

export type ChooseField = Approach | 'auth' | 'modelPort' | 'backendPort' | 'proxyPort' | 'caFile' | 'continue';
export type TextField = 'modelPort' | 'backendPort' | 'proxyPort' | 'caFile';

export interface ApproachOption {
  approach: Approach;
  ok: boolean;
  /** Why it is (not) offered, in words. */
  why: string;
  /** Already applied (B: the tree has its patch state): offered, to see its next steps or undo. */
  applied?: boolean;
}

export interface ChooseState {
  options: ApproachOption[];
  approach: Approach;
  auth: EditAuth;
  /** The auth mode was changed on this screen (else it is auth.json's, or the API key assumed without one). */
  authChosen: boolean;
  modelPort: string;
  backendPort: string;
  proxyPort: string;
  /** CA certificate for approach CA; '' = the planner's default (~/.mitmproxy/mitmproxy-ca-cert.pem). */
  caFile: string;
  focus: number;
  editing: null | TextField;
  draft: string;
  error?: string;
}

export interface PreviewState {
  status: 'idle' | 'planning' | 'ready' | 'error';
  plan?: PlanLike;
  diff: string[];
  /** Lines under the diff: what the approach will not capture, then the plan's notes. */
  tail: TailLine[];
  /** Shown above the diff: what the user must know before applying. */
  warning?: string;
  scroll: number;
  error?: string;
}

export type Tone = 'good' | 'bad' | 'warn' | 'dim' | 'bold' | 'head' | 'plain';
export interface TailLine {
  text: string;
  tone: Tone;
}

export interface ApplyState {
  /** `nothing`: the plan changes no file (already applied): no apply is offered, only its next steps. */
  status: 'confirm' | 'nothing' | 'applying' | 'done' | 'declined' | 'error';
  error?: string;
  saving: boolean;
  saveDraft: string;
  /** Files the apply wrote (absolute); empty with `unchanged` when it was already applied. */
  written?: string[];
  unchanged?: boolean;
  saved?: string;
  saveError?: string;
}

export interface State {
  screen: Screen;
  cwd: string;
  color: boolean;
  columns: number;
  rows: number;
  where: WhereState;
  scan: ScanState;
  channels: { cursor: number };
  evidence: { scroll: number };
  choose: ChooseState;
  preview: PreviewState;
  apply: ApplyState;
  pending: Pending | null;
  seq: number;
  /** Set when the wizard is done: the exit code. */
  exit?: number;
}

export type Pending =
  | { seq: number; kind: 'info'; root: string | null; home: string }
  | { seq: number; kind: 'complete'; input: string }
  | { seq: number; kind: 'scan'; root: string }
  | { seq: number; kind: 'plan' }
  | { seq: number; kind: 'apply' }
  | { seq: number; kind: 'save'; file: string }
  | { seq: number; kind: 'fetch'; version: string };

export type Action =
  | { type: 'key'; input: string; key: Key }
  | { type: 'resize'; columns: number; rows: number }
  | { type: 'info'; seq: number; root?: string; detected?: boolean; version?: string; installed?: string | null; auth?: EditAuth | null; authSource?: string; home?: string; rootError?: string }
  | { type: 'completions'; seq: number; value: string; candidates: string[] }
  | { type: 'fetchProgress'; seq: number; line: string }
  | { type: 'fetched'; seq: number; root: string }
  | { type: 'progress'; seq: number; done: number; total: number }
  | { type: 'scanned'; seq: number; result: ScanResult; options: ApproachOption[] }
  | { type: 'planned'; seq: number; plan: PlanLike; diff: string; misses: string[]; warning?: string }
  | { type: 'applied'; seq: number; written: string[]; unchanged: boolean }
  | { type: 'saved'; seq: number; file: string }
  | { type: 'failed'; seq: number; error: string };

export interface InitOptions {
  cwd: string;
  root?: string;
  home: string;
  homeSource: HomeSource;
  color: boolean;
  columns?: number;
  rows?: number;
}

export const NEXT_STEPS_FILE = 'codex-mitm-next-steps.md';

/** Where "save next steps" writes by default: the codex home (A, CA) or the engine's state folder
 *  in the tree (B: <tree>/.codex-mitm/); absolute. Without a plan: the file name alone. */
export function defaultSavePath(plan: Pick<PlanLike, 'approach' | 'target'> | undefined): string {
  if (!plan) return NEXT_STEPS_FILE;
  return plan.approach === 'b' ? join(plan.target, '.codex-mitm', NEXT_STEPS_FILE) : join(plan.target, NEXT_STEPS_FILE);
}

/** The absolute file a typed save path names (~ is the user's home, relative paths start at cwd). */
export function savePath(draft: string, cwd: string): string {
  const t = draft.trim();
  if (t === '~') return homedir();
  if (t.startsWith('~/')) return join(homedir(), t.slice(2));
  return isAbsolute(t) ? t : resolve(cwd, t);
}

export function initialState(o: InitOptions): State {
  return {
    screen: 'where',
    cwd: o.cwd,
    color: o.color,
    columns: o.columns ?? 80,
    rows: o.rows ?? 24,
    where: {
      root: o.root ?? '',
      rootDetected: false,
      detecting: true,
      home: o.home,
      homeSource: o.homeSource,
      focus: 0,
      editing: null,
      draft: '',
      completions: [],
    },
    scan: { status: 'idle', done: 0, total: 0 },
    channels: { cursor: 0 },
    evidence: { scroll: 0 },
    choose: {
      options: [],
      approach: 'a',
      auth: 'apikey',
      authChosen: false,
      modelPort: '8080',
      backendPort: '8081',
      proxyPort: '8080',
      caFile: '',
      focus: 0,
      editing: null,
      draft: '',
    },
    preview: { status: 'idle', diff: [], tail: [], scroll: 0 },
    apply: { status: 'confirm', saving: false, saveDraft: NEXT_STEPS_FILE },
    pending: { seq: 1, kind: 'info', root: o.root ?? null, home: o.home },
    seq: 1,
  };
}

/** Rows a scrollable list may use on the current screen (header + footer take the rest). */
export function listRows(s: Pick<State, 'rows'>, reserved = 10): number {
  return Math.max(3, s.rows - reserved);
}

export const APPROACHES: Approach[] = ['a', 'b', 'ca'];

/** Columns the Preview's rows are cut to (narrower terminals cut the rows short instead). */
export function previewWidth(s: Pick<State, 'columns'>): number {
  return Math.max(20, s.columns);
}

/** The warning above the Preview's diff, as the rows it takes. */
export function previewWarning(s: Pick<State, 'columns' | 'preview'>): string[] {
  const w = s.preview.warning;
  return w ? wordWrap(displayText(`! ${w}`), previewWidth(s)) : [];
}

/** Diff rows on the Preview screen: what is left once the warning (wrapped) is shown. */
export function previewRows(s: Pick<State, 'rows' | 'columns' | 'preview'>): number {
  return listRows(s, 10 + previewWarning(s).length);
}

/** One screen row of the Preview's diff and tail; `line` is the logical line it is part of. */
export type PreviewRow = { line: number } & ({ kind: 'diff'; text: string } | { kind: 'tail'; text: string; tone: Tone });

let rowsMemo: { diff: string[]; tail: TailLine[]; width: number; rows: PreviewRow[] } | undefined;

/** The Preview's diff and tail cut to the screen's width, one entry per screen row: the list the
 *  Preview pages over (`preview.scroll` is an index into it). Long diff lines are cut at the
 *  width (the change is often at the end of a long manifest line), prose at spaces. */
export function previewLines(s: Pick<State, 'columns' | 'preview'>): PreviewRow[] {
  const { diff, tail } = s.preview;
  const width = previewWidth(s);
  if (rowsMemo && rowsMemo.diff === diff && rowsMemo.tail === tail && rowsMemo.width === width) return rowsMemo.rows;
  const rows: PreviewRow[] = [];
  diff.forEach((d, line) => {
    for (const text of hardWrap(displayText(d), width)) rows.push({ line, kind: 'diff', text });
  });
  tail.forEach((t, i) => {
    for (const text of wordWrap(displayText(t.text), width)) rows.push({ line: diff.length + i, kind: 'tail', text, tone: t.tone });
  });
  rowsMemo = { diff, tail, width, rows };
  return rows;
}

/** The last scroll position of the Preview: its last row at the bottom of the page. */
export function previewMaxScroll(s: Pick<State, 'rows' | 'columns' | 'preview'>): number {
  return Math.max(0, previewLines(s).length - previewRows(s));
}

/** Rows of the Choose screen for the selected approach, in order: the approaches, its settings, continue. */
export function chooseFields(approach: Approach): ChooseField[] {
  if (approach === 'a') return [...APPROACHES, 'auth', 'modelPort', 'backendPort', 'continue'];
  if (approach === 'ca') return [...APPROACHES, 'auth', 'proxyPort', 'caFile', 'continue'];
  return [...APPROACHES, 'continue'];
}

/** True while a text field takes the keys (q and b are then letters, not commands). */
export function isEditing(s: State): boolean {
  return (
    (s.screen === 'where' && s.where.editing !== null) ||
    (s.screen === 'choose' && s.choose.editing !== null) ||
    (s.screen === 'apply' && s.apply.saving)
  );
}

export const EVIDENCE_KEYS = '↑↓/j k scroll · space/PgDn page · Enter/Esc/b back · q quit';

/** One screen row of the Evidence screen; `mark` (an approach and its verdict glyph) is painted
 *  in the verdict's tone before `text`. */
export interface EvidenceRow {
  text: string;
  tone: Tone;
  mark?: { text: string; tone: Tone };
}

const SHORT: Record<Approach, string> = { a: 'A', b: 'B', ca: 'CA' };

let evidenceMemo: { channel: unknown; width: number; rows: EvidenceRow[] } | undefined;

/** The Evidence screen of the channel under the cursor, cut to the width, one entry per screen row
 *  (`evidence.scroll` is an index into it): hosts, TLS, overrides, then per approach its verdict
 *  and every reason, word-wrapped as `codex-mitm scan` prints them (the first reason on the
 *  verdict's row, the facts it rests on below it, each fact once per channel), then the evidence. */
export function evidenceRows(s: Pick<State, 'columns' | 'scan' | 'channels'>): EvidenceRow[] {
  const c = s.scan.result?.channels?.[s.channels.cursor];
  if (!c) return [];
  const width = previewWidth(s);
  if (evidenceMemo && evidenceMemo.channel === c && evidenceMemo.width === width) return evidenceMemo.rows;
  const rows: EvidenceRow[] = [];
  const add = (text: string, tone: Tone = 'plain', hang?: number) => {
    for (const t of wordWrap(displayText(text), width, hang)) rows.push({ text: t, tone });
  };
  add(`hosts: ${c.hosts.join(', ') || '—'}`, 'plain', 7);
  add(`tls: ${c.tls || 'unknown'}`, 'plain', 5);
  add(`overrides: ${c.overrides.map((o) => `${o.kind} ${o.path ?? o.name}`).join(', ') || 'none'}`, 'plain', 11);
  if (c.contacted === false) {
    add(
      `${APPROACHES.map((a) => `${SHORT[a]} ${NOT_CONTACTED}`).join('  ')}  not contacted: codex shows, compares or listens on it, never fetches from it (never a miss)`,
      'dim',
      4,
    );
  } else {
    const facts = new Set<string>();
    for (const a of APPROACHES) {
      const m = coverageMark(c, a);
      const mark = `${SHORT[a].padEnd(3)}${m.glyph} `;
      const [reason, ...rest] = c.why[a].length ? c.why[a] : [c.coverage[a]];
      wordWrap(displayText(`${mark}${reason}`), width, mark.length).forEach((t, i) =>
        rows.push(i === 0 ? { mark: { text: mark, tone: m.tone }, text: t.slice(mark.length), tone: 'plain' } : { text: t, tone: 'plain' }),
      );
      for (const fact of rest) {
        if (facts.has(fact)) continue;
        facts.add(fact);
        add(`${' '.repeat(mark.length)}${fact}`, 'dim', mark.length);
      }
    }
  }
  const lines = evidenceLines(s);
  rows.push({ text: '', tone: 'plain' });
  rows.push({ text: `evidence (${lines.length}):`, tone: 'bold' });
  for (const l of lines) add(`  ${l}`, 'plain', 4);
  evidenceMemo = { channel: c, width, rows };
  return rows;
}

/** Rows of the Evidence screen's page: title, key help (as wrapped), blanks, the "lines a-b of n"
 *  line and one row to spare (a frame as tall as the terminal makes Ink redraw it all) take the rest. */
export function evidencePage(s: Pick<State, 'rows' | 'columns'>): number {
  return Math.max(3, s.rows - 5 - wordWrap(EVIDENCE_KEYS, Math.max(20, s.columns)).length);
}

/** The last scroll position of the Evidence screen: its last row at the bottom of the page. */
export function evidenceMaxScroll(s: Pick<State, 'rows' | 'columns' | 'scan' | 'channels'>): number {
  return Math.max(0, evidenceRows(s).length - evidencePage(s));
}

/** The evidence list of the channel under the cursor: file:line of findings, clients, overrides. */
export function evidenceLines(s: Pick<State, 'scan' | 'channels'>): string[] {
  const ch = s.scan.result?.channels?.[s.channels.cursor];
  if (!ch) return [];
  const lines: string[] = [];
  for (const e of ch.evidence) lines.push(`${e.file}:${e.line}`);
  for (const c of ch.clients) {
    const at = `${c.file}:${c.line}`;
    if (!lines.includes(at)) lines.push(`${at}  (client, ${c.crate})`);
  }
  for (const o of ch.overrides) lines.push(`${o.file}:${o.line}  (${o.kind} override ${o.path ?? o.name})`);
  return lines;
}
