// Keys of a codex config that start programs (rules/capture.toml [config] drop, `*` = any one
// table key): found and removed from a config codex-mitm runs codex with.
type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Every concrete dotted path in `config` a pattern names (`model_providers.*.auth` →
 *  `model_providers.azure.auth`), with the table holding it. */
export function findCommandKeys(config: Table, patterns: string[]): { path: string[]; parent: Table; key: string }[] {
  const out: { path: string[]; parent: Table; key: string }[] = [];
  const walk = (table: Table, parts: string[], at: string[]): void => {
    const [head, ...rest] = parts;
    if (head === undefined) return;
    const keys = head === '*' ? Object.keys(table) : head in table ? [head] : [];
    for (const key of keys) {
      if (rest.length === 0) out.push({ path: [...at, key], parent: table, key });
      else if (isTable(table[key])) walk(table[key] as Table, rest, [...at, key]);
    }
  };
  for (const p of patterns) walk(config, p.split('.'), []);
  return out;
}

/** Removes them in place; returns the dotted paths removed. */
export function dropCommandKeys(config: Table, patterns: string[]): string[] {
  const found = findCommandKeys(config, patterns);
  for (const f of found) delete f.parent[f.key];
  return found.map((f) => f.path.join('.'));
}
