// Unified diff of every file of a plan (what `patch` prints, and `--dry-run` shows).
import { createTwoFilesPatch } from 'diff';
import { changedFiles, type Plan } from './plan.js';

const RED = '\u001b[31m';
const GREEN = '\u001b[32m';
const CYAN = '\u001b[36m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

export function renderDiff(plan: Plan, opts: { color?: boolean } = {}): string {
  let out = '';
  for (const f of changedFiles(plan)) {
    const oldName = f.oldText === null ? '/dev/null' : `a/${f.display}`;
    const patch = createTwoFilesPatch(oldName, `b/${f.display}`, f.oldText ?? '', f.newText, undefined, undefined, {
      context: 3,
    });
    // Drop the "Index:"/"====" preamble the diff package writes; keep the ---/+++ headers.
    const body = patch.replace(/^(Index: [^\n]*\n)?=+\n/, '');
    out += opts.color ? colorize(body) : body;
  }
  return out;
}

function colorize(patch: string): string {
  return patch
    .split('\n')
    .map((l) => {
      if (l.startsWith('---') || l.startsWith('+++')) return `${BOLD}${l}${RESET}`;
      if (l.startsWith('@@')) return `${CYAN}${l}${RESET}`;
      if (l.startsWith('+')) return `${GREEN}${l}${RESET}`;
      if (l.startsWith('-')) return `${RED}${l}${RESET}`;
      return l;
    })
    .join('\n');
}
