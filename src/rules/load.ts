// Reading a rules file: TOML (smol-toml), checked against its schema. Every problem is one
// InputError naming the file and line: a TOML syntax error, an unknown key, a wrong type.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, TomlError } from 'smol-toml';
import { InputError } from '../model.js';
import { lineIndex } from './locate.js';
import type { Path, Schema } from './schema.js';

const RULES_DIR = new URL('../../rules/', import.meta.url);

/** The rules folder shipped with codex-mitm, and a file in it. */
export function rulesFile(name: string): string {
  return fileURLToPath(new URL(name, RULES_DIR));
}

/** `[[channel]] model-api`, `[approach.ca]`, `[[dependency]] reqwest features.rustls-tls`. */
function where(doc: unknown, path: Path): string {
  const lastIndex = path.reduce<number>((at, p, i) => (typeof p === 'number' ? i : at), -1);
  if (lastIndex < 0) return path.length ? `[${path.join('.')}]` : 'the top level';
  let element: unknown = doc;
  for (const p of path.slice(0, lastIndex + 1)) element = (element as Record<string | number, unknown> | undefined)?.[p];
  const e = element as Record<string, unknown> | undefined;
  const label = typeof e?.id === 'string' ? e.id : typeof e?.name === 'string' ? e.name : `#${(path[lastIndex] as number) + 1}`;
  const head = path.slice(0, lastIndex).filter((p) => typeof p === 'string').join('.');
  const rest = path.slice(lastIndex + 1).join('.');
  return `[[${head}]] ${label}${rest ? ` ${rest}` : ''}`;
}

/** A rules text checked against its schema (`file` only names it in errors). */
export function parseRules<T>(text: string, file: string, schema: Schema<T, boolean>): T {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    if (err instanceof TomlError) throw new InputError(`invalid TOML: ${err.message.split('\n')[0]}`, file, err.line);
    throw err;
  }
  // lines are looked up only for an error (the lexer pass costs more than the check)
  return schema.read(doc, [], (path, message) => {
    throw new InputError(describe(doc, path, message), file, lineIndex(text)(path));
  });
}

const isTable = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
const valueAt = (doc: unknown, path: Path): unknown => path.reduce<unknown>((v, p) => (v as Record<string | number, unknown> | undefined)?.[p], doc);

/** One message naming the table, the key and (in a list) the item. */
function describe(doc: unknown, path: Path, message: string): string {
  const p = [...path];
  let item = '';
  while (typeof p[p.length - 1] === 'number' && !isTable(valueAt(doc, p))) item = ` item ${(p.pop() as number) + 1}${item}`;
  if (message.startsWith('unknown key')) {
    const key = p.pop();
    if (p.length === 0) return `unknown section [${String(key)}]${message.slice(message.indexOf(' (known'))}`;
    return `${where(doc, p)}: ${message}`;
  }
  const key = p[p.length - 1];
  if (message.startsWith('needs') || typeof key !== 'string') return `${where(doc, p)}${item}: ${message}`;
  p.pop();
  return `${where(doc, p)}: "${key}"${item} ${message}`;
}

/** The text of a file of the shipped rules folder (read once). */
export function rulesText(name: string): string {
  let text = texts.get(name);
  if (text === undefined) texts.set(name, (text = readText(rulesFile(name))));
  return text;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read rules: ${(err as Error).message}`, file);
  }
}
const texts = new Map<string, string>();

/** A rules file anywhere (a test's copy), read and checked; `label` names it in errors. */
export function readRulesFile<T>(file: string, schema: Schema<T, boolean>, label = file): T {
  return parseRules(readText(file), label, schema);
}

const loaded = new Map<string, unknown>();

/** A file of the shipped rules folder, read and checked once per process. */
export function loadRules<T>(name: string, schema: Schema<T, boolean>): T {
  if (!loaded.has(name)) loaded.set(name, parseRules(rulesText(name), `rules/${name}`, schema));
  return loaded.get(name) as T;
}
