// `codex-mitm verify`: run the installed codex once against loopback listeners and report what it
// contacted, through which route, with what TLS outcome. Exit 1 when a channel predicted as
// captured was seen refused.
import type { Io } from '../io.js';
import { InputError } from '../model.js';
import type { CaEnvChoice } from '../verify/home.js';
import { runVerify, type VerifyReport } from '../verify/index.js';
import { nothingSeen, renderJson, renderMarkdown, renderTable } from '../verify/render.js';
import { loadVerifyRules } from '../verify/rules.js';

export interface VerifyCommandOptions {
  codex?: string;
  approach?: 'a' | 'b' | 'ca';
  codexHome?: string;
  timeout?: string;
  json?: boolean;
  markdown?: boolean;
  root?: string;
  auth?: 'apikey' | 'chatgpt';
  caEnv?: string;
}

const DEFAULT_TIMEOUT_S = 20;

export function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const m = /^\s*(\d+(?:\.\d+)?)\s*s?\s*$/.exec(text);
  const seconds = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new InputError(`--timeout: expected a number of seconds above 0, at most 3600, got "${text}"`);
  }
  return Math.round(seconds * 1000);
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(`${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export async function verifyCommand(_pos: string | undefined, opts: VerifyCommandOptions, io: Io): Promise<number> {
  const approach = oneOf('--approach', opts.approach, ['a', 'b', 'ca'] as const, 'ca');
  const auth = oneOf('--auth', opts.auth, ['apikey', 'chatgpt'] as const, 'apikey');
  const rules = loadVerifyRules();
  const caEnv: CaEnvChoice = oneOf('--ca-env', opts.caEnv, [rules.caEnv, rules.fallbackCaEnv, 'none'], 'both');
  const timeoutMs = parseTimeout(opts.timeout);
  if (opts.json && opts.markdown) throw new InputError('--json and --markdown cannot be used together');

  // a run takes up to the timeout: on a terminal, say so and count the seconds on stderr
  let tick: NodeJS.Timeout | undefined;
  if (io.isTTY) {
    const started = Date.now();
    const total = Math.round(timeoutMs / 1000);
    const show = () => io.stderr(`\rcodex-mitm verify: running codex offline against loopback listeners… ${Math.round((Date.now() - started) / 1000)}/${total} s`);
    show();
    tick = setInterval(show, 1000);
  }
  const report: VerifyReport = await runVerify({
    codex: opts.codex,
    approach,
    codexHome: opts.codexHome,
    timeoutMs,
    auth,
    caEnv,
    root: opts.root,
    env: io.env,
    cwd: io.cwd,
  }).finally(() => {
    if (tick) {
      clearInterval(tick);
      io.stderr('\r\u001b[2K');
    }
  });
  if (opts.json) io.stdout(renderJson(report));
  else if (opts.markdown) io.stdout(renderMarkdown(report));
  else io.stdout(renderTable(report, io.isTTY ? io.columns : undefined));
  if (nothingSeen(report)) {
    const how = report.codex.timedOut ? 'hung until the timeout' : `exited with ${report.codex.exitCode ?? report.codex.signal}`;
    io.stderr(`codex-mitm verify: codex ${how} without contacting any listener; nothing was verified\n`);
    return 1;
  }
  if (report.failures.length > 0) {
    if (opts.json || opts.markdown) {
      io.stderr(`codex-mitm verify: ${report.failures.length} channel(s) predicted as captured were refused\n`);
    }
    return 1;
  }
  return 0;
}
