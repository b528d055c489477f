// Evidence from a codex binary: the hosts, URLs and URL paths in its bytes, and which env var names
// and config keys known to the rules (and to a scanned tree) it contains. Reads ELF, Mach-O and PE
// alike (strings are bytes; the format is only named), no external tools. An npm launcher
// (node_modules/.bin/codex → @openai/codex/bin/codex.js) is resolved to the platform binary it runs.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../model.js';
import { binaryRules } from '../rules/files.js';

export type BinaryFormat = 'elf' | 'mach-o' | 'pe' | 'unknown';

export interface BinaryEvidence {
  /** What was given, and the file read. */
  given: string;
  file: string;
  format: BinaryFormat;
  bytes: number;
  /** From the npm package around it, when there is one. */
  version?: string;
  hosts: string[];
  urls: string[];
  paths: string[];
  envVars: string[];
  configKeys: string[];
}

interface BinaryRules {
  domains: string[];
  tlds: string[];
  ignore: string[];
  minRun: number;
  splitCamel: boolean;
}

export function loadBinaryRules(channelHosts: string[]): BinaryRules {
  const doc = binaryRules();
  const registrable = channelHosts
    .map((h) => h.replace(/^\*\./, '').replace(/:\d+$/, '').split('.').slice(-2).join('.'))
    .filter((h) => h.includes('.') && !/^\d+\.\d+$/.test(h));
  return {
    domains: [...new Set([...doc.hosts.domains, ...registrable])],
    tlds: doc.hosts.tlds,
    ignore: doc.hosts.ignore,
    minRun: doc.strings?.min_run ?? 6,
    splitCamel: doc.strings?.split_camel !== false,
  };
}

export function formatOf(head: Buffer): BinaryFormat {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) return 'elf';
  const m = head.length >= 4 ? head.readUInt32BE(0) : 0;
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(m)) return 'mach-o';
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return 'pe';
  return 'unknown';
}

/** The platform binary behind what the user gave (itself when it is one). */
export function resolveCodexBinary(given: string): { file: string; version?: string } {
  let real: string;
  try {
    real = realpathSync(given);
  } catch {
    throw new InputError('no such file', given);
  }
  if (!statSync(real).isFile()) throw new InputError('not a regular file', given);
  if (!real.endsWith('.js')) return { file: real };
  // @openai/codex/bin/codex.js: the binary is in vendor/ of a platform package beside it (or its own)
  const pkg = dirname(dirname(real));
  const scope = dirname(pkg);
  const candidates: { dir: string; pkgJson: string }[] = [{ dir: join(pkg, 'vendor'), pkgJson: join(pkg, 'package.json') }];
  for (const name of existsSync(scope) ? readdirSync(scope) : []) {
    if (name.startsWith(`${basename(pkg)}-`)) candidates.push({ dir: join(scope, name, 'vendor'), pkgJson: join(scope, name, 'package.json') });
  }
  for (const c of candidates) {
    if (!existsSync(c.dir)) continue;
    for (const triple of readdirSync(c.dir)) {
      for (const rel of ['bin/codex', 'bin/codex.exe', 'codex/codex', 'codex/codex.exe']) {
        const file = join(c.dir, triple, rel);
        if (existsSync(file)) {
          let version: string | undefined;
          try {
            version = (JSON.parse(readFileSync(c.pkgJson, 'utf8')) as { version?: string }).version?.replace(/-[a-z].*$/, '');
          } catch {
            // no readable package.json: version unknown
          }
          return { file, ...(version ? { version } : {}) };
        }
      }
    }
  }
  throw new InputError('an npm launcher whose platform binary is not installed (no vendor/*/bin/codex beside it)', given);
}

/** Printable ASCII runs of at least `min` bytes. */
export function printableRuns(buf: Buffer, min: number): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= buf.length; i++) {
    const c = i < buf.length ? buf[i]! : 0;
    const printable = c >= 0x20 && c < 0x7f;
    if (printable) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= min) out.push(buf.toString('latin1', start, i));
      start = -1;
    }
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function extractNetwork(runs: string[], rules: BinaryRules): { hosts: Set<string>; urls: Set<string>; paths: Set<string> } {
  const hosts = new Set<string>();
  const urls = new Set<string>();
  const paths = new Set<string>();
  const tld = rules.tlds.map(escape).join('|');
  const urlRe = new RegExp(`(https?|wss?)://((?:[a-z0-9-]+\\.)+?(?:${tld})|localhost|\\d{1,3}(?:\\.\\d{1,3}){3})(?![a-z0-9-]*\\.[a-z])(:\\d{2,5})?(/[A-Za-z0-9._~%/{}:-]*)?`, 'g');
  // no look-ahead: `openai.cominvalid` is `openai.com` followed by the next packed string
  const domainRe = new RegExp(`(?:[a-z0-9-]+\\.)*(?:${rules.domains.map(escape).join('|')})`, 'g');
  // packed strings run into each other: a path ends where the next URL or identifier starts
  const cut = (path: string): string => {
    let p = path;
    const next = /(https?|wss?):\/\//.exec(p.slice(1));
    if (next) p = p.slice(0, next.index + 1).replace(/(https?|wss?)$/, '');
    if (rules.splitCamel) {
      const m = /[a-z0-9.][A-Z]/.exec(p);
      if (m) p = p.slice(0, m.index + 1);
    }
    return p.replace(/[.:-]+$/, '');
  };
  // `chatgpt.comt.openai.com`: a label that starts with a top-level domain and goes on is where
  // two packed strings meet; the host ends at that top-level domain
  const tldPrefix = new RegExp(`^(${tld})[a-z0-9]`);
  const trimHost = (host: string): string => {
    const labels = host.split('.');
    for (let i = 1; i < labels.length - 1; i++) {
      const m = tldPrefix.exec(labels[i]!);
      if (m) return [...labels.slice(0, i), m[1]!].join('.');
    }
    return host;
  };
  for (const run of runs) {
    for (const m of run.matchAll(urlRe)) {
      const host = trimHost(m[2]!.toLowerCase());
      if (rules.ignore.includes(host)) continue;
      const path = m[4] ? cut(m[4]) : '';
      urls.add(`${m[1]}://${host}${m[3] ?? ''}${path}`);
      if (host !== 'localhost' && !/^\d/.test(host)) hosts.add(host);
      if (path && path !== '/') paths.add(path);
    }
    for (const m of run.matchAll(domainRe)) {
      const host = trimHost(m[0].replace(/^-+/, ''));
      if (!rules.ignore.includes(host)) hosts.add(host);
    }
  }
  return { hosts, urls, paths };
}

export interface CrossCheck {
  tree: { root: string; version?: string };
  /** Hosts and paths in the binary that no production code of the tree names: a wrong tree or
   *  version, or channels the tree does not show. */
  inBinaryOnly: { hosts: string[]; paths: string[] };
  /** Hosts in the binary under no domain codex is known to talk to (links, docs, bundled
   *  grammars, third-party SDK defaults): listed, not counted as disagreement. */
  otherHosts: string[];
  /** Production hosts, paths and env vars of the tree absent from the binary: dead, feature-gated,
   *  or built from other source. */
  inTreeOnly: { hosts: string[]; paths: string[]; envVars: string[] };
  versions: 'same' | 'different' | 'unknown';
}

export interface TreeFacts {
  root: string;
  version?: string;
  hosts: string[];
  paths: string[];
  envVars: string[];
  configKeys: string[];
}

/** Reads `given` and collects its network strings; with a tree, what the two disagree on. */
export function readBinaryEvidence(
  given: string,
  opts: { channelHosts: string[]; envNames: string[]; configKeys: string[]; tree?: TreeFacts },
): BinaryEvidence & { crossCheck?: CrossCheck } {
  const ev = readEvidence(given, { ...opts, envNames: [...opts.envNames, ...(opts.tree?.envVars ?? [])], configKeys: [...opts.configKeys, ...(opts.tree?.configKeys ?? [])] });
  const t = opts.tree;
  if (!t) {
    const { buf: _buf, ...rest } = ev;
    return rest;
  }
  const { buf, ...rest } = ev;
  // named exactly: a wildcard of the rules (`*.chatgpt.com`) does not make gov.chatgpt.com known
  const known = (h: string) => t.hosts.includes(h) || opts.channelHosts.includes(h);
  const domains = loadBinaryRules(opts.channelHosts).domains;
  const ours = (h: string) => domains.some((d) => h === d || h.endsWith(`.${d}`));
  const treePaths = new Set(t.paths);
  const crossCheck: CrossCheck = {
    tree: { root: t.root, ...(t.version ? { version: t.version } : {}) },
    inBinaryOnly: {
      hosts: rest.hosts.filter((h) => ours(h) && !known(h)),
      paths: rest.paths.filter((p) => !treePaths.has(p) && ![...treePaths].some((q) => q.startsWith(p) || p.startsWith(q))),
    },
    otherHosts: rest.hosts.filter((h) => !ours(h) && !known(h)),
    inTreeOnly: {
      hosts: [...new Set(t.hosts)].filter((h) => /^[a-z0-9.-]+$/i.test(h) && !buf.includes(h)).sort(),
      paths: [...treePaths].filter((p) => p.length >= 4 && !buf.includes(p)).sort(),
      envVars: [...new Set(t.envVars)].filter((n) => !buf.includes(n)).sort(),
    },
    versions: !rest.version || !t.version || t.version === '0.0.0' ? 'unknown' : rest.version === t.version ? 'same' : 'different',
  };
  return { ...rest, crossCheck };
}

function readEvidence(given: string, opts: { channelHosts: string[]; envNames: string[]; configKeys: string[] }): BinaryEvidence & { buf: Buffer } {
  const { file, version } = resolveCodexBinary(given);
  const buf = readFileSync(file);
  const rules = loadBinaryRules(opts.channelHosts);
  const net = extractNetwork(printableRuns(buf, rules.minRun), rules);
  const present = (names: string[]) => [...new Set(names)].filter((n) => buf.includes(n)).sort();
  return {
    buf,
    given,
    file,
    format: formatOf(buf.subarray(0, 8)),
    bytes: buf.length,
    ...(version ? { version } : {}),
    hosts: [...net.hosts].sort(),
    urls: [...net.urls].sort(),
    paths: [...net.paths].sort(),
    envVars: present(opts.envNames),
    // short keys (`model`) are in every binary: only distinctive ones say anything
    configKeys: present(opts.configKeys.filter((k) => k.length >= 8 && /[_.]/.test(k))),
  };
}
