// Words the reporters use for approaches and flags. One place, so table, Markdown and SARIF agree.
import { loadChannelRules } from '../channels/rules.js';
import { tlsMeanings, type Meaning } from '../channels/tls-meaning.js';
import { shQuote } from '../patch/codex-home/envfile.js';
import type { Approach, Channel, ClientSite, Platform, ScanResult, ScanWarning, TlsFeature, Tracing } from '../model.js';

export const APPROACH_SHORT: Record<Approach, string> = { a: 'A', b: 'B', ca: 'CA' };

/** `A — point codex at …`: the letter and the rules' label ([approach.x] label). */
export const APPROACH_LABEL: Record<Approach, string> = Object.fromEntries(
  (['a', 'b', 'ca'] as const).map((k) => [k, `${APPROACH_SHORT[k]} — ${loadChannelRules().approaches[k].label}`]),
) as Record<Approach, string>;

/** Short TLS flags of one client site, in a fixed order. */
export function clientFlags(c: ClientSite, short = false): string[] {
  const f: string[] = [];
  // Facts that hold only under a condition (inside if/match/closure) are marked `?`.
  const t = tlsMeanings(c);
  const mark = (label: string, m: Meaning) => (m === 'conditional' ? `${label}?` : label);
  if (t.rustls !== 'never') f.push(mark('rustls', t.rustls));
  if (t.nativeTls !== 'never') f.push(mark('native-tls', t.nativeTls));
  if (t.preconfigured !== 'never') f.push(mark('preconfigured-tls', t.preconfigured));
  if (t.rootsAdded !== 'never') {
    const label = mark('roots+', t.rootsAdded);
    f.push(c.tls.customCaEnv.length && !short ? `${label} (${c.tls.customCaEnv.join(', ')})` : label);
  }
  if (t.builtinRootsOff !== 'never') f.push(mark('no-built-in-roots', t.builtinRootsOff));
  if (t.acceptsInvalid !== 'never') f.push(mark('accepts-invalid-certs', t.acceptsInvalid));
  if (t.proxy !== 'never') f.push(mark('proxy', t.proxy));
  if (t.noProxy !== 'never') f.push(mark('no_proxy', t.noProxy));
  if (c.fallback) f.push('fallback');
  return f;
}

export function featureNotes(t: TlsFeature, short = false): string[] {
  const n: string[] = [];
  if (t.implicit) n.push(short ? 'implicit' : 'implicit (default features)');
  if (t.inherited) n.push(short ? 'inherited' : 'inherited (workspace = true)');
  // the short form leaves out the usual case: inherited from the workspace root
  if (t.declared && t.declared.manifest !== t.manifest && !(short && t.inherited && t.declared.manifest === 'Cargo.toml')) {
    n.push(`${short ? 'from' : 'declared in'} ${t.declared.manifest}:${t.declared.line}`);
  }
  return n;
}

/**
 * A shipped entry reaches a binary: not dev-dependencies (never linked into it) and not the
 * `[workspace.dependencies]` template itself (members that inherit it carry their own entries).
 */
export function shipped(t: TlsFeature): boolean {
  return !t.test && !/(^|\.)dev-dependencies$/.test(t.table) && t.table !== 'workspace.dependencies';
}

/** 'shipped', 'dev' (dev-dependencies or test-only) or 'workspace' (the [workspace.dependencies] template). */
export function shipsLabel(t: TlsFeature): 'shipped' | 'dev' | 'workspace' {
  if (t.test || /(^|\.)dev-dependencies$/.test(t.table)) return 'dev';
  return t.table === 'workspace.dependencies' ? 'workspace' : 'shipped';
}

export function codexVersion(r: ScanResult): string | undefined {
  return r.capabilities?.version;
}

export function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A warning's message without a leading `file:line: ` that repeats its location. */
export function warningText(w: ScanWarning): string {
  if (!w.file) return w.message;
  const f = w.file.replace(/\\/g, '/');
  for (const p of [w.line ? `${f}:${w.line}: ` : undefined, `${f}: `]) {
    if (p && w.message.startsWith(p)) return w.message.slice(p.length);
  }
  return w.message;
}

/** A recommendation miss as words: channel ids become `Name (hosts)`; other text stays. */
export function missLabel(r: ScanResult, miss: string): string {
  const ch = r.channels?.find((c) => c.id === miss);
  if (!ch) return miss;
  return ch.hosts.length ? `${ch.name} (${ch.hosts.join(', ')})` : ch.name;
}

const PLATFORM_NAME: Record<Platform, string> = { linux: 'Linux', macos: 'macOS', windows: 'Windows' };
const PLATFORM_LETTER: Record<Platform, string> = { linux: 'L', macos: 'M', windows: 'W' };
const PLATFORMS: Platform[] = ['linux', 'macos', 'windows'];

/** Whether a channel's CA verdict differs by platform. */
export function platformsDiffer(ch: Channel): boolean {
  const p = ch.platforms;
  return !!p && new Set(PLATFORMS.map((k) => p[k])).size > 1;
}

/** `Linux yes, macOS no, Windows no` when the CA verdict differs by platform, else undefined. */
export function platformNote(ch: Channel): string | undefined {
  if (!platformsDiffer(ch)) return undefined;
  return PLATFORMS.map((k) => `${PLATFORM_NAME[k]} ${ch.platforms![k]}`).join(', ');
}

/** The platforms where CA captures the channel, as letters (`L`), for a table cell. */
export function platformLetters(ch: Channel): string {
  if (!platformsDiffer(ch)) return '';
  return PLATFORMS.filter((k) => ch.platforms![k] === 'yes').map((k) => PLATFORM_LETTER[k]).join('');
}

/** One sentence of how much the scan traced. */
export function tracingLine(t: Tracing): string {
  const e = t.endpoints;
  const extra = [e.file ? `${e.file} only by a shared file` : '', e.untraced ? `${e.untraced} not at all` : ''].filter(Boolean).join(', ');
  const ch = t.channels;
  const chExtra = [ch.assumed ? `${ch.assumed} assumed to use codex's shared client` : '', ch.unknown ? `${ch.unknown} with no carrier (?)` : ''].filter(Boolean).join(', ');
  return (
    `traced ${e.traced} of ${e.total} endpoints to the client that sends them${extra ? ` (${extra})` : ''}; ` +
    `TLS resolved for ${t.clientSites.resolved} of ${t.clientSites.total} client sites, through ${plural(t.factories, 'client factory', 'client factories')}` +
    (chExtra ? `; of ${ch.total} contacted channels ${chExtra}` : '')
  );
}

/** The report's opening warning when tracing is poor. */
export function tracingBanner(t: Tracing): string | undefined {
  if (t.level !== 'poor') return undefined;
  return `This codex's client code was not understood: ${tracingLine(t)}. The verdicts below rest on guesses; codex-mitm verify runs the real binary and is the way to know.`;
}

/**
 * The report's first screen: how to capture this codex in plain words. The approach in one
 * sentence, what it misses, and the commands that set it up (rules/channels.toml [approach.x]
 * `plain` and `next`, the tree's path quoted for the shell).
 */
export function captureHowTo(r: ScanResult): { sentence: string; misses: string[]; next: string[] } | undefined {
  const rec = r.recommendation;
  if (!rec) return undefined;
  const a = loadChannelRules().approaches[rec.approach];
  const root = shQuote(r.root.replace(/\\/g, '/'));
  return {
    sentence: a?.plain ?? APPROACH_LABEL[rec.approach] ?? rec.approach,
    misses: rec.misses.map((m) => missLabel(r, m)),
    next: (a?.next ?? []).map((c) => c.replace('{root}', root)),
  };
}
