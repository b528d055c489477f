// rules/capture.toml: redaction and the config keys that start programs. Unknown sections or keys
// and wrong types are refused with the file and line.
import { captureRules, captureSchema, type CaptureDoc } from '../rules/files.js';
import { parseRules } from '../rules/load.js';

export interface CaptureRules {
  redact: { headers: string[]; keys: string[]; values: RegExp[]; placeholder: string };
  config: { drop: string[] };
  output: { dir: string };
}

/** `(?i)` at the start of a pattern makes it case-insensitive (TOML has no regex flags). */
function regex(source: string): RegExp {
  const ci = source.startsWith('(?i)');
  return new RegExp(ci ? source.slice(4) : source, ci ? 'gi' : 'g');
}

function compile(r: CaptureDoc): CaptureRules {
  return {
    redact: {
      headers: r.redact.headers.map((h) => h.toLowerCase()),
      keys: r.redact.keys.map((k) => k.toLowerCase()),
      values: r.redact.values.map(regex),
      placeholder: r.redact.placeholder,
    },
    config: { drop: r.config.drop },
    output: { dir: r.output.dir },
  };
}

/** A capture.toml text (a test's), checked by the rules schema. */
export function parseCaptureRules(text: string, file: string): CaptureRules {
  return compile(parseRules(text, file, captureSchema));
}

let cached: CaptureRules | undefined;
export function loadCaptureRules(): CaptureRules {
  return (cached ??= compile(captureRules()));
}
