// Read and parse Cargo manifests: smol-toml for the values, the span lexer for positions.
import { readRegularText } from './read-file.js';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type { ScanWarning } from '../../model.js';
import { dependencyLines, featureStringsOf, lexToml, TomlLexError, type FeatureStringSpan } from '../../util/toml-spans.js';

export type TomlTable = Record<string, unknown>;

export interface ParsedManifest {
  /** Path relative to the scanned root, with `/`. */
  rel: string;
  /** Folder relative to the root ('' for the root manifest). */
  dir: string;
  text: string;
  doc: TomlTable;
  /** Feature string literals; empty when the span lexer could not read the file. */
  featureSpans: FeatureStringSpan[];
  /** `${table}\0${key}` -> 1-based line of the dependency entry. */
  depLines: Map<string, number>;
  /** false when the lexer failed (then no `declared` spans come from this manifest). */
  spansOk: boolean;
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export function relDir(rel: string): string {
  const d = path.posix.dirname(rel);
  return d === '.' ? '' : d;
}

/** Read and parse one manifest; on failure returns undefined and pushes a warning. */
export async function readManifest(root: string, rel: string, warnings: ScanWarning[]): Promise<ParsedManifest | undefined> {
  const relPosix = toPosix(rel);
  // a FIFO or a device named Cargo.toml is warned about and skipped, never waited on; a link is not followed
  const got = await readRegularText(path.join(root, rel), { noFollow: true });
  if (!('text' in got)) {
    warnings.push({ kind: got.code === 'utf8' ? 'encoding' : got.code === 'link' ? 'symlink' : 'unreadable', file: relPosix, message: `manifest ${got.why}` });
    return undefined;
  }
  return parseManifestText(relPosix, got.text, warnings);
}

export function parseManifestText(rel: string, text: string, warnings: ScanWarning[]): ParsedManifest | undefined {
  let doc: TomlTable;
  try {
    doc = parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as TomlTable;
  } catch (e) {
    const line = e instanceof TomlError ? e.line : undefined;
    const first = String((e as Error).message).split('\n')[0] ?? 'parse error';
    warnings.push({ kind: 'manifest', file: rel, line, message: `manifest does not parse: ${first}` });
    return undefined;
  }
  let featureSpans: FeatureStringSpan[] = [];
  let depLines = new Map<string, number>();
  let spansOk = true;
  try {
    const lexed = lexToml(text);
    featureSpans = featureStringsOf(lexed);
    depLines = dependencyLines(lexed);
  } catch (e) {
    spansOk = false;
    warnings.push({
      kind: 'manifest',
      file: rel,
      line: e instanceof TomlLexError ? e.line : undefined,
      message: `cannot locate feature strings: ${(e as Error).message}`,
    });
  }
  return { rel, dir: relDir(rel), text, doc, featureSpans, depLines, spansOk };
}
