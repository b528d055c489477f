// `codex-mitm capture [-- codex ARGS…]`: run codex through the recording proxy; the HAR and a
// per-channel summary at exit. Exits with codex's exit code.
import type { Io } from '../io.js';
import { InputError } from '../model.js';
import { runCapture, type CaptureApproach } from '../capture/index.js';
import { renderSummary } from '../capture/summary.js';

export interface CaptureCommandOptions {
  codex?: string;
  approach?: CaptureApproach;
  out?: string;
  root?: string;
  home?: string;
  codexHome?: string;
  upstream?: string[];
  upstreamProxy?: string;
  upstreamCa?: string[];
  keepSecrets?: boolean;
  isolate?: boolean;
  json?: boolean;
}

/** `HOST=ADDR` pairs → map; ADDR is host[:port] (an IPv4 address keeps HOST's name for TLS). */
export function parseUpstreams(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const m = /^([A-Za-z0-9.*_-]+)=([A-Za-z0-9._-]+(?::\d{1,5})?)$/.exec(item);
    if (!m) throw new InputError(`--upstream: expected HOST=ADDR[:PORT] (HOST may be *), got "${item}"`);
    out[m[1]!.toLowerCase()] = m[2]!;
  }
  return out;
}

function checkProxyUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(`--upstream-proxy: not a URL: "${url}"`);
  }
  if (!['http:', 'https:', 'socks5:', 'socks4:', 'socks:'].includes(u.protocol)) throw new InputError(`--upstream-proxy: expected http://, https:// or socks5://, got "${url}"`);
  return url;
}

export async function captureCommand(args: string[], opts: CaptureCommandOptions, io: Io): Promise<number> {
  const home = opts.home ?? 'throwaway';
  if (home !== 'throwaway' && home !== 'user') throw new InputError(`--home: expected throwaway or user, got "${home}"`);
  const result = await runCapture({
    ...(opts.codex ? { codex: opts.codex } : {}),
    ...(opts.approach ? { approach: opts.approach } : {}),
    ...(opts.out ? { out: opts.out } : {}),
    ...(opts.root ? { root: opts.root } : {}),
    ...(opts.codexHome ? { codexHome: opts.codexHome } : {}),
    ...(opts.upstreamProxy ? { upstreamProxy: checkProxyUrl(opts.upstreamProxy)! } : {}),
    args,
    home,
    upstreams: parseUpstreams(opts.upstream),
    upstreamCa: opts.upstreamCa ?? [],
    keepSecrets: opts.keepSecrets === true,
    isolate: opts.isolate !== false,
    env: io.env,
    cwd: io.cwd,
    say: (line) => io.stderr(`${line}\n`),
  });
  if (opts.json) {
    io.stdout(JSON.stringify({ har: result.har, jsonl: result.jsonl, approach: result.approach, version: result.version, isolated: result.isolated, exitCode: result.exitCode, notes: result.notes, summary: result.summary }, null, 2) + '\n');
  } else {
    io.stderr(`\n${renderSummary(result.summary, io.columns ?? 100)}\n\n`);
    for (const n of result.notes) io.stderr(`note: ${n}\n`);
    io.stderr(`recorded: ${result.har}\nlook at it: codex-mitm show ${result.har}\n`);
  }
  return result.exitCode;
}
