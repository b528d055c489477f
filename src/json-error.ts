import { InputError } from './model.js';

// Where a JSON text stops being JSON (1-based line), without quoting any of it: auth.json holds
// secrets, and JSON.parse's messages can echo the text around the error.

export function jsonErrorLine(text: string): number {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new Error('bad');
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === '}') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return string();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  const string = () => {
    i++;
    while (i < n && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= n) fail();
    i++;
  };
  try {
    value();
    ws();
    if (i < n) fail();
  } catch {
    /* i is where it broke */
  }
  return text.slice(0, Math.min(i, n)).split('\n').length;
}

/**
 * JSON.parse with a one-line error that names the file and the line where the text stops being
 * JSON (never a quote of it): `${file}:${line}: ${what}: not valid JSON`.
 */
export function parseJsonText(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${what}: not valid JSON`, file, jsonErrorLine(text));
  }
}
