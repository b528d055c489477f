// The env file (`codex-mitm.env` in the codex home): POSIX sh `export NAME='value'` lines under a
// header naming the approach. `. ~/.codex/codex-mitm.env` in a shell, or `codex-mitm run -- codex`.
import { join } from 'node:path';
import { InputError } from '../../model.js';

const HEADER = '# codex-mitm (managed) approach=';

/** Refuses a value that cannot be written on one shell line: a line break (or NUL) in it would end
 *  the quoted word or the comment it sits in, and the rest would run as a command when sourced. */
export function assertOneLine(value: string, what: string, file: string): string {
  if (/[\n\r\0]/.test(value)) throw new InputError(`${what} holds a line break (or NUL), which cannot be written safely into a shell-sourced file or a printed command; refusing (nothing written)`, file.replace(/[\n\r\0]/g, '?'));
  return value;
}

export function renderEnvFile(approach: string, vars: [string, string][], home: string, eol = '\n'): string {
  const envFile = join(home, 'codex-mitm.env');
  assertOneLine(home, 'the codex home path', envFile);
  for (const [k, v] of vars) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new InputError(`${JSON.stringify(k)} is not a variable name`, envFile);
    assertOneLine(v, `the value of ${k}`, envFile);
  }
  const lines = [
    `${HEADER}${approach}`,
    `# Source it before starting codex (\`. ${shQuote(join(home, 'codex-mitm.env'))}\`), or run \`codex-mitm run --codex-home ${shQuote(home)} -- codex ...\`.`,
    '# Removed by `codex-mitm unpatch`.',
    ...vars.map(([k, v]) => `export ${k}=${shQuote(v)}`),
  ];
  return lines.join(eol) + eol;
}

/** Approach recorded in an env file codex-mitm wrote; undefined when the file is not ours. */
export function envFileApproach(text: string): string | undefined {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  return first.startsWith(HEADER) ? first.slice(HEADER.length).trim() : undefined;
}

/** Variables of an env file: `[export ]NAME=value` with '…', "…" or bare values. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l);
    if (!m) throw new InputError('not a NAME=value line', file, i + 1);
    out[m[1]!] = unquote(m[2]!, file, i + 1);
  });
  return out;
}

function unquote(v: string, file: string, line: number): string {
  let out = '';
  let i = 0;
  while (i < v.length) {
    const c = v[i]!;
    if (c === "'") {
      const e = v.indexOf("'", i + 1);
      if (e < 0) throw new InputError('unterminated quote', file, line);
      out += v.slice(i + 1, e);
      i = e + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < v.length && v[j] !== '"') {
        if (v[j] === '\\' && j + 1 < v.length) j++;
        out += v[j];
        j++;
      }
      if (j >= v.length) throw new InputError('unterminated quote', file, line);
      i = j + 1;
    } else if (c === '\\' && i + 1 < v.length) {
      out += v[i + 1];
      i += 2;
    } else if (c === ' ' || c === '\t' || c === '#') {
      break;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** `v` as one shell word. A line break cannot be quoted safely in a line that is pasted or sourced:
 *  callers refuse it first (assertOneLine); here it is a programming error. */
export function shQuote(v: string): string {
  if (/[\n\r\0]/.test(v)) throw new InputError('a value with a line break cannot be quoted for the shell; refusing (nothing written)');
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}
