// The wizard: one reducer, one screen component per step; `pending` work runs here through
// the actions adapter and comes back as actions.
import React, { useEffect, useReducer, useRef } from 'react';
import { useApp, useInput, useStdout } from 'ink';
import { uncaptured, warning, wizardError, type WizardActions } from './actions.js';
import { reducer } from './reducer.js';
import type { Action, State } from './state.js';
import { ColorContext } from './theme.js';
import { WhereScreen } from './screens/where.js';
import { ScanScreen } from './screens/scan.js';
import { ChannelsScreen, EvidenceScreen } from './screens/channels.js';
import { ChooseScreen } from './screens/choose.js';
import { PreviewScreen } from './screens/preview.js';
import { ApplyScreen, nextStepsText } from './screens/apply.js';

export interface AppProps {
  initial: State;
  actions: WizardActions;
  onExit: (code: number, state: State) => void;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  fixedSize?: boolean;
}

export function App({ initial, actions, onExit, fixedSize }: AppProps) {
  const [state, dispatch] = useReducer(reducer, initial);
  const ref = useRef(state);
  ref.current = state;
  const { exit } = useApp();
  const { stdout } = useStdout();

  useInput((input, key) => dispatch({ type: 'key', input, key }));

  useEffect(() => {
    if (fixedSize || !stdout) return;
    const onResize = () => dispatch({ type: 'resize', columns: stdout.columns || 80, rows: stdout.rows || 24 });
    onResize();
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixedSize]);

  useEffect(() => {
    const p = state.pending;
    if (!p) return;
    run(p, ref.current, actions, dispatch).catch((err: unknown) => dispatch({ type: 'failed', seq: p.seq, error: wizardError(err) }));
  }, [state.pending?.seq]);

  useEffect(() => {
    if (state.exit === undefined) return;
    onExit(state.exit, state);
    exit();
  }, [state.exit]);

  return <ColorContext.Provider value={state.color}>{screen(state)}</ColorContext.Provider>;
}

function screen(s: State) {
  switch (s.screen) {
    case 'where':
      return <WhereScreen s={s} />;
    case 'scan':
      return <ScanScreen s={s} />;
    case 'channels':
      return <ChannelsScreen s={s} />;
    case 'evidence':
      return <EvidenceScreen s={s} />;
    case 'choose':
      return <ChooseScreen s={s} />;
    case 'preview':
      return <PreviewScreen s={s} />;
    case 'apply':
      return <ApplyScreen s={s} />;
  }
}

async function run(p: NonNullable<State['pending']>, s: State, actions: WizardActions, dispatch: (a: Action) => void): Promise<void> {
  const seq = p.seq;
  switch (p.kind) {
    case 'info': {
      if (p.root === null) {
        const { root, error } = await actions.detectRoot(s.cwd);
        const info = root
          ? await actions.info(root, p.home, s.cwd)
          : { ...(await actions.info(s.cwd, p.home, s.cwd)), root: undefined, rootError: error, version: undefined };
        dispatch({ type: 'info', seq, ...info, root, detected: Boolean(root) });
        return;
      }
      const info = await actions.info(p.root, p.home, s.cwd);
      dispatch({ type: 'info', seq, ...info });
      return;
    }
    case 'fetch': {
      const root = await actions.fetchSource(p.version, (line) => dispatch({ type: 'fetchProgress', seq, line }));
      dispatch({ type: 'fetched', seq, root });
      return;
    }
    case 'complete': {
      const r = await actions.complete(p.input, s.cwd);
      dispatch({ type: 'completions', seq, value: r.value, candidates: r.candidates });
      return;
    }
    case 'scan': {
      const result = await actions.scan(p.root, (done, total) => dispatch({ type: 'progress', seq, done, total }));
      dispatch({ type: 'scanned', seq, result, options: actions.options(result) });
      return;
    }
    case 'plan': {
      const scan = s.scan.result;
      if (!scan) throw new Error('no scan result');
      const c = s.choose;
      const plan = await actions.plan({
        approach: c.approach,
        scan,
        root: s.where.root,
        home: s.where.home,
        // Only a mode chosen on this screen: otherwise the planner reads auth.json (or says it assumed one).
        ...(c.authChosen && c.auth !== s.where.auth ? { auth: c.auth } : {}),
        modelPort: Number(c.modelPort),
        backendPort: Number(c.backendPort),
        proxyPort: Number(c.proxyPort),
        ...(c.caFile ? { ca: c.caFile } : {}),
      });
      const misses =
        uncaptured(plan) ??
        (scan.channels ?? [])
          // channels codex never contacts are listed, never a miss (as in the scan report)
          .filter((ch) => ch.contacted !== false && ch.coverage[c.approach] === 'no')
          .map((ch) => `${ch.name}${ch.hosts.length ? ` (${ch.hosts.join(', ')})` : ''}`);
      dispatch({ type: 'planned', seq, plan, diff: actions.diff(plan, s.color), misses, warning: warning(plan) });
      return;
    }
    case 'apply': {
      const plan = s.preview.plan;
      if (!plan) throw new Error('no plan');
      const r = await actions.apply(plan);
      dispatch({ type: 'applied', seq, written: r.written, unchanged: r.unchanged });
      return;
    }
    case 'save': {
      const file = await actions.save(p.file, nextStepsText(s), s.cwd);
      dispatch({ type: 'saved', seq, file });
      return;
    }
  }
}
