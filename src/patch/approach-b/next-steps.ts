// What the user does after the patch, for their OS, and what stays uncaptured.
import { readFileSync } from 'node:fs';
import type { Channel, ScanResult } from '../../model.js';
import type { ApproachBRules, CaStore } from './rules.js';
import { tlsMeanings } from '../../channels/tls-meaning.js';

export interface OsInfo {
  platform: NodeJS.Platform;
  /** os-release ID and ID_LIKE words (Linux). */
  ids: string[];
}

export function detectOs(platform: NodeJS.Platform = process.platform, osRelease = '/etc/os-release'): OsInfo {
  if (platform !== 'linux') return { platform, ids: [] };
  try {
    const text = readFileSync(osRelease, 'utf8');
    const ids: string[] = [];
    for (const m of text.matchAll(/^(ID|ID_LIKE)=("?)([^"\n]*)\2\s*$/gm)) ids.push(...m[3]!.toLowerCase().split(/\s+/).filter(Boolean));
    return { platform, ids };
  } catch {
    return { platform, ids: [] };
  }
}

export function caStoreFor(os: OsInfo, rules: ApproachBRules): CaStore | undefined {
  if (os.platform === 'linux') {
    for (const id of os.ids) {
      const s = rules.stores.find((x) => x.match.includes(id));
      if (s) return s;
    }
    return rules.stores.find((s) => s.key === 'linux');
  }
  return rules.stores.find((s) => s.key === os.platform);
}

/** `rebuild` false: nothing was (or will be) patched, the shipped binary already reads the OS store. */
export function nextStepsB(root: string, os: OsInfo, rules: ApproachBRules, rebuild = true): string[] {
  const store = caStoreFor(os, rules);
  const steps: string[] = [];
  steps.push(`Run \`${rules.proxy.mitmdump}\` once so mitmproxy creates its CA (${rules.caFile}).`);
  if (store) steps.push(`Install the CA into the ${store.name} system store: ${store.commands.map((c) => `\`${c}\``).join(' && ')}`);
  const bin = rebuild ? (os.platform === 'win32' ? 'target\\release\\codex.exe' : './target/release/codex') : 'codex';
  if (rebuild) steps.push(`Rebuild: \`cd ${root} && ${rules.proxy.build}\` (binary: ${bin}).`);
  const flow = rules.proxy.flow;
  const record = `${rules.proxy.mitmdump} -w +${flow}`; // `+`: append, a restart keeps earlier flows
  steps.push(
    os.platform === 'win32'
      ? `Start the forward proxy, recording to a flow file: \`${record}\`. The flow file holds bearer tokens and API keys (Authorization headers): keep it private, never commit or share it, and delete it when done.`
      : `Start the forward proxy, recording to a flow file: \`(umask 077 && ${record})\`. The flow file holds bearer tokens and API keys (Authorization headers): keep it private (umask 077 makes it readable by you only), never commit or share it, and delete it when done.`,
  );
  steps.push(
    os.platform === 'win32'
      ? `Run codex through it: \`set ${rules.proxy.env}\` then \`${bin}\`.`
      : `Run codex through it: \`${rules.proxy.env} ${bin}\`.`,
  );
  if (rebuild) steps.push(`Undo later: \`codex-mitm unpatch --approach b ${root}\` (puts every byte back).`);
  return steps;
}

/** What a forward proxy with a trusted CA still does not see, from the scan's facts. */
export function uncapturedB(result: ScanResult): string[] {
  const out: string[] = [];
  for (const c of result.clients) {
    if (c.test || !c.noProxy) continue;
    if (tlsMeanings(c).noProxy === 'conditional') {
      out.push(`${c.file}:${c.line} (${c.crate}): ${c.constructor} calls no_proxy() only under a condition (e.g. inside a sandbox); then https_proxy does not apply to it`);
    } else {
      out.push(`${c.file}:${c.line} (${c.crate}): ${c.constructor} calls no_proxy(), so https_proxy does not apply to it`);
    }
  }
  // Channels codex never contacts (its own listeners, links) are no miss, as in the scan report.
  for (const ch of (result.channels ?? []).filter((c) => c.contacted !== false)) {
    if (ch.coverage.b !== 'no') continue;
    const reasons = ch.why.b.filter(Boolean);
    const why = reasons.length > 0 ? `: ${reasons.join('; ')}` : '';
    out.push(`channel ${ch.name} (${ch.hosts.join(', ') || ch.id})${why}`);
  }
  return out;
}

