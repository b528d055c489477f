// rules/capture.toml: redaction and the config keys that start programs. Unknown sections or keys
// and wrong types are refused with the file and line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, TomlError } from 'smol-toml';
import { InputError } from '../model.js';

export interface CaptureRules {
  redact: { headers: string[]; keys: string[]; values: RegExp[]; placeholder: string };
  config: { drop: string[] };
  output: { dir: string };
}

const FILE = fileURLToPath(new URL('../../rules/capture.toml', import.meta.url));
const SHAPE: Record<string, Record<string, 'string' | 'strings'>> = {
  redact: { headers: 'strings', keys: 'strings', values: 'strings', placeholder: 'string' },
  config: { drop: 'strings' },
  output: { dir: 'string' },
};

function lineOf(text: string, needle: RegExp): number | undefined {
  const i = text.split('\n').findIndex((l) => needle.test(l));
  return i >= 0 ? i + 1 : undefined;
}

/** `(?i)` at the start of a pattern makes it case-insensitive (TOML has no regex flags). */
function regex(source: string, text: string, file: string): RegExp {
  const ci = source.startsWith('(?i)');
  try {
    return new RegExp(ci ? source.slice(4) : source, ci ? 'gi' : 'g');
  } catch (err) {
    throw new InputError(`redact.values: bad regular expression: ${(err as Error).message}`, file, lineOf(text, /^\s*values\s*=/));
  }
}

export function parseCaptureRules(text: string, file = FILE): CaptureRules {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) throw new InputError(`invalid TOML: ${err.message.split('\n')[0]}`, file, err.line);
    throw err;
  }
  for (const [section, value] of Object.entries(doc)) {
    const shape = SHAPE[section];
    const at = lineOf(text, new RegExp(`^\\s*\\[${section}\\]`));
    if (!shape) throw new InputError(`unknown section [${section}] (known: ${Object.keys(SHAPE).join(', ')})`, file, at);
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const kind = shape[key];
      const keyAt = lineOf(text, new RegExp(`^\\s*${key}\\s*=`));
      if (!kind) throw new InputError(`unknown key ${section}.${key} (known: ${Object.keys(shape).join(', ')})`, file, keyAt);
      const ok = kind === 'string' ? typeof v === 'string' : Array.isArray(v) && v.every((x) => typeof x === 'string');
      if (!ok) throw new InputError(`${section}.${key} must be ${kind === 'string' ? 'a string' : 'a list of strings'}`, file, keyAt);
    }
    for (const key of Object.keys(shape)) {
      if (!(key in (value as object))) throw new InputError(`missing ${section}.${key}`, file, at);
    }
  }
  for (const section of Object.keys(SHAPE)) if (!(section in doc)) throw new InputError(`missing section [${section}]`, file);
  const r = doc as { redact: Record<string, string & string[]>; config: { drop: string[] }; output: { dir: string } };
  return {
    redact: {
      headers: r.redact.headers.map((h) => h.toLowerCase()),
      keys: r.redact.keys.map((k) => k.toLowerCase()),
      values: r.redact.values.map((v) => regex(v, text, file)),
      placeholder: r.redact.placeholder,
    },
    config: { drop: r.config.drop },
    output: { dir: r.output.dir },
  };
}

let cached: CaptureRules | undefined;
export function loadCaptureRules(): CaptureRules {
  return (cached ??= parseCaptureRules(readFileSync(FILE, 'utf8')));
}
