// Config keys: fields of serde-deserialized config structs that carry URLs or TLS settings, named
// as a user writes them (`rename`, `rename_all`).
import type { FileContext } from './context.js';
import { lineOf, precedingAttrs } from './syntax.js';

export function configFieldsIn(ctx: FileContext): void {
  const { file, rules, facts, structs, inTest } = ctx;
  const configFile = rules.configPath.test(file) && !rules.configPathDeny.test(file);
  for (const st of structs) {
    const name = st.childForFieldName('name')?.text ?? '';
    if (!rules.configStructs.has(name) && !configFile) continue;
    const attrs = precedingAttrs(st);
    if (!attrs.some((a) => /\bderive\b[\s\S]*\bDeserialize\b/.test(a))) continue;
    const renameAll = attrs.map((a) => /rename_all\s*=\s*"([^"]+)"/.exec(a)?.[1]).find(Boolean);
    const body = st.childForFieldName('body');
    if (!body || body.type !== 'field_declaration_list') continue;
    for (const fd of body.namedChildren) {
      if (fd.type !== 'field_declaration') continue;
      const fname = fd.childForFieldName('name')?.text;
      const ftype = fd.childForFieldName('type')?.text.replace(/\s+/g, ' ') ?? '';
      if (!fname) continue;
      const fattrs = precedingAttrs(fd);
      const serdeAttrs = fattrs.filter((a) => /^\s*serde\s*\(/.test(a));
      if (serdeAttrs.some((a) => /\bskip\b|\bskip_deserializing\b/.test(a))) continue;
      const rename = serdeAttrs.map((a) => /\brename\s*=\s*"([^"]+)"/.exec(a)?.[1]).find(Boolean);
      const key = rename ?? applyRenameAll(fname.replace(/^r#/, ''), renameAll);
      if (!rules.configFieldName.test(fname) && !rules.configFieldName.test(key) && !/\b(Url|Certificate|Tls|Proxy)\b/.test(ftype)) continue;
      facts.configFields.push({ struct: name, key, line: lineOf(fd), type: ftype, test: inTest(fd.startIndex) });
    }
  }
}

function applyRenameAll(name: string, rule: string | undefined): string {
  if (!rule) return name;
  const words = name.split('_').filter(Boolean);
  switch (rule) {
    case 'kebab-case':
      return words.join('-');
    case 'camelCase':
      return words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
    case 'PascalCase':
      return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
    case 'SCREAMING_SNAKE_CASE':
      return name.toUpperCase();
    case 'lowercase':
      return name.toLowerCase();
    case 'UPPERCASE':
      return name.toUpperCase();
    default:
      return name;
  }
}

