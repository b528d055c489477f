// 6. Apply: confirm, write with the engine's atomic writer, then the next steps.
import React from 'react';
import { isAbsolute, relative, sep } from 'node:path';
import { Box } from 'ink';
import { savePath, type State } from '../state.js';
import { Paint } from '../theme.js';
import { displayText, stepWrap } from '../wrap.js';
import { ErrorLine, Frame } from './frame.js';

export function nextStepsText(s: State): string {
  const plan = s.preview.plan;
  if (!plan) return '';
  const head = `# codex-mitm: approach ${plan.approach.toUpperCase()} (${plan.target})\n\n`;
  return head + plan.nextSteps.join('\n') + '\n';
}

export function ApplyScreen({ s }: { s: State }) {
  const a = s.apply;
  const plan = s.preview.plan;
  const files = plan ? plan.files.filter((f) => f.oldText !== f.newText) : [];
  const keys = a.saving
    ? 'type a file path · Enter save · Esc cancel'
    : a.status === 'confirm'
      ? 'y apply · n/Enter do not apply · Esc/b back · q quit'
      : a.status === 'nothing'
        ? 's save next steps to a file · Esc/b back · q quit'
        : a.status === 'error'
          ? 'Esc/b back · q quit'
          : a.status === 'applying'
            ? 'writing…'
            : `s save next steps to a file · Enter finish${a.status === 'declined' ? ' · Esc/b back' : ''} · q quit`;
  const steps = plan?.nextSteps ?? [];
  const shownSteps = stepsThatFit(s, steps);
  const stepRows = steps.slice(0, shownSteps).flatMap((n) => stepWrap(displayText(n), s.columns));
  return (
    <Frame step={6} keys={keys} width={s.columns}>
      {a.status === 'confirm' ? (
        <Box flexDirection="column">
          <Paint tone="bold">{`Write ${files.length} file${files.length === 1 ? '' : 's'} (a backup of each is kept; \`codex-mitm unpatch\` restores them)?`}</Paint>
          {files.slice(0, Math.max(3, s.rows - 12)).map((f) => (
            <Paint key={f.path}>{`  ${f.oldText === null ? '+ ' : '~ '}${f.path}`}</Paint>
          ))}
          <Box marginTop={1}>
            <Paint tone="warn">Apply? (y/N) </Paint>
          </Box>
        </Box>
      ) : null}
      {a.status === 'applying' ? <Paint tone="dim">writing…</Paint> : null}
      {a.status === 'error' ? (
        <Box flexDirection="column">
          <Paint tone="bad">apply refused, nothing was written:</Paint>
          <ErrorLine error={a.error} />
        </Box>
      ) : null}
      {a.status === 'done' || a.status === 'declined' || a.status === 'nothing' ? (
        <Box flexDirection="column">
          {a.status === 'done' ? (
            <Paint tone="good" wrap="wrap">{doneLine(a.written ?? [], Boolean(a.unchanged), plan?.target)}</Paint>
          ) : a.status === 'nothing' ? (
            <Paint tone="good" wrap="wrap">{NOTHING_LINE}</Paint>
          ) : (
            <Paint tone="warn">Not applied: nothing was written.</Paint>
          )}
          <Box marginTop={1} flexDirection="column">
            <Paint tone="bold">{a.status === 'declined' ? 'Next steps (once applied):' : 'Next steps:'}</Paint>
            {/* Cut by stepWrap, not by Ink: commands break only between words, with a " \" line
                continuation, so that a command copied from the screen runs as it is. */}
            {stepRows.map((r, i) => (
              <Paint key={i}>{r}</Paint>
            ))}
            {steps.length > shownSteps ? <Paint tone="dim">{'  … (s saves them all to a file)'}</Paint> : null}
            {steps.length === 0 ? <Paint tone="dim">  none</Paint> : null}
          </Box>
          {a.saving ? (
            <Box marginTop={1} flexDirection="column">
              <Box>
                <Paint fixed>{'Save to: '}</Paint>
                <Paint inverse tone="bold" wrap="wrap">{`${a.saveDraft}█`}</Paint>
              </Box>
              {/* The file that will be written, absolute, whatever was typed. */}
              {a.saveDraft.trim() && savePath(a.saveDraft, s.cwd) !== a.saveDraft ? (
                <Paint tone="dim" wrap="wrap">{`  → ${savePath(a.saveDraft, s.cwd)}`}</Paint>
              ) : null}
            </Box>
          ) : null}
          {a.saved ? <Paint tone="good" wrap="wrap">{`✓ next steps saved to ${a.saved}`}</Paint> : null}
          <ErrorLine error={a.saveError} />
        </Box>
      ) : null}
    </Frame>
  );
}

/** The Apply screen's first line when the plan changes no file. */
export const NOTHING_LINE = 'Nothing to write: the plan changes no file (already applied).';

/** Rows a text takes when wrapped at `width` (words wrap early: a little slack per row). */
function rowsOf(text: string, width: number): number {
  return Math.max(1, Math.ceil(text.length / Math.max(10, width - 8)));
}

/** How many next steps fit under the result line, the save prompt and the key help. */
function stepsThatFit(s: State, steps: string[]): number {
  const a = s.apply;
  const w = s.columns;
  const head =
    a.status === 'done'
      ? rowsOf(doneLine(a.written ?? [], Boolean(a.unchanged), s.preview.plan?.target), w)
      : a.status === 'nothing'
        ? rowsOf(NOTHING_LINE, w)
        : 1;
  const save = a.saving ? 1 + rowsOf(`Save to: ${a.saveDraft}█`, w) + 1 : 0;
  const after = (a.saved ? rowsOf(`✓ next steps saved to ${a.saved}`, w) : 0) + (a.saveError ? rowsOf(a.saveError, w) : 0);
  // title + blank, result, blank + "Next steps:", the "… more" line, blank + key help
  let budget = s.rows - (2 + head + 2 + 1 + save + after + 2 + 1);
  let n = 0;
  for (const step of steps) {
    budget -= stepWrap(displayText(step), w).length;
    if (budget < 0) break;
    n++;
  }
  return Math.max(1, n);
}

/** What apply wrote, as paths relative to the plan's target (the tree for B, the codex home for A/CA). */
export function doneLine(written: string[], unchanged: boolean, target?: string): string {
  if (unchanged || written.length === 0) return '✓ Nothing to change: already applied (no-op).';
  const shown = (w: string) => {
    if (!target) return w;
    const r = relative(target, w);
    return r && !r.startsWith('..') && !isAbsolute(r) ? r.split(sep).join('/') : w;
  };
  const names = written.map(shown).join(', ');
  return `✓ Applied: wrote ${written.length} file${written.length === 1 ? '' : 's'}${target ? ` in ${target}` : ''}: ${names}.`;
}
