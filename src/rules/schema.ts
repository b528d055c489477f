// A small schema language for the rules files: each schema reads one parsed TOML value, checks its
// type and (for tables) that every key is known, and returns it typed. A failure names the path
// (turned into a file and line by the loader).

export type Path = readonly (string | number)[];
export type Fail = (path: Path, message: string) => never;

export interface Schema<T, Optional extends boolean = false> {
  /** What a value must be, for messages: "a string", "a list of strings". */
  readonly what: string;
  readonly optional: Optional;
  read(value: unknown, path: Path, fail: Fail): T;
}

export type Infer<S> = S extends Schema<infer T, boolean> ? T : never;
type Fields = Record<string, Schema<unknown, boolean>>;
type Required<F extends Fields> = { [K in keyof F as F[K] extends Schema<unknown, true> ? never : K]: Infer<F[K]> };
type Optionals<F extends Fields> = { [K in keyof F as F[K] extends Schema<unknown, true> ? K : never]?: Infer<F[K]> };
type Flat<T> = { [K in keyof T]: T[K] };
export type TableOf<F extends Fields> = Flat<Required<F> & Optionals<F>>;

function make<T>(what: string, test: (v: unknown) => boolean, extra?: (v: T, path: Path, fail: Fail) => void): Schema<T> {
  return {
    what,
    optional: false,
    read(v, path, fail) {
      if (!test(v)) fail(path, `must be ${what}`);
      extra?.(v as T, path, fail);
      return v as T;
    },
  };
}

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

export const str = (o: { nonEmpty?: boolean } = {}): Schema<string> =>
  make<string>(o.nonEmpty ? 'a non-empty string' : 'a string', (v) => typeof v === 'string' && (!o.nonEmpty || v !== ''));

export const num = (o: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> => {
  const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min !== undefined ? ` of at least ${o.min}` : '';
  return make<number>(
    `${o.integer ? 'an integer' : 'a number'}${range}`,
    (v) => typeof v === 'number' && Number.isFinite(v) && (!o.integer || Number.isInteger(v)) && (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max),
  );
};

export const bool = (): Schema<boolean> => make<boolean>('true or false', (v) => typeof v === 'boolean');

export const oneOf = <const L extends readonly string[]>(values: L): Schema<L[number]> =>
  make<L[number]>(`one of ${values.map((v) => `"${v}"`).join(', ')}`, (v) => typeof v === 'string' && values.includes(v));

/** A string that compiles as a JavaScript regular expression (`(?i)` in front: case-insensitive). */
export const pattern = (): Schema<string> =>
  make<string>('a regular expression', (v) => typeof v === 'string', (v, path, fail) => {
    try {
      new RegExp(v.startsWith('(?i)') ? v.slice(4) : v);
    } catch (err) {
      fail(path, `is not a valid regular expression: ${(err as Error).message}`);
    }
  });

export function list<T>(item: Schema<T, boolean>, o: { nonEmpty?: boolean } = {}): Schema<T[]> {
  const what = `${o.nonEmpty ? 'a non-empty list' : 'a list'} of ${item.what.replace(/^an? /, '').replace(/\b(string|number|integer|table|expression)\b/, '$1s')}`;
  return {
    what,
    optional: false,
    read(v, path, fail) {
      if (!Array.isArray(v) || (o.nonEmpty && v.length === 0)) fail(path, `must be ${what}`);
      return (v as unknown[]).map((x, i) => item.read(x, [...path, i], fail));
    },
  };
}

/** A table with known keys: an unknown key is refused (a misspelt key would silently read as absent). */
export function table<F extends Fields>(fields: F): Schema<TableOf<F>> {
  return {
    what: 'a table',
    optional: false,
    read(v, path, fail) {
      if (!isTable(v)) return fail(path, 'must be a table');
      // keys keep the file's order (reports list tables in the order the rules give them)
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const s = fields[k];
        if (!s) return fail([...path, k], `unknown key "${k}" (known: ${Object.keys(fields).join(', ')})`);
        out[k] = s.read(x, [...path, k], fail);
      }
      for (const [k, s] of Object.entries(fields)) if (!s.optional && !(k in v)) fail(path, `needs "${k}"`);
      return out as TableOf<F>;
    },
  };
}

/** A table whose keys are names (any key), each value of one schema. */
export function record<T>(value: Schema<T, boolean>): Schema<Record<string, T>> {
  return {
    what: `a table of ${value.what.replace(/^an? /, '')}`,
    optional: false,
    read(v, path, fail) {
      if (!isTable(v)) return fail(path, 'must be a table');
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value.read(x, [...path, k], fail)]));
    },
  };
}

/** May be absent. */
export function optional<T>(s: Schema<T, boolean>): Schema<T, true> {
  return { what: s.what, optional: true, read: s.read };
}

/** A string of a given form (`what` says which, for the message). */
export const matching = (re: RegExp, what: string): Schema<string> => make<string>(what, (v) => typeof v === 'string' && re.test(v));
