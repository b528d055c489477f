// Env vars the program reads, with the const they are read through; fills ctx.envByFile.
import type { EnvVar } from '../../../model.js';
import type { ResolveContext } from './context.js';
import { ENV_NAME } from './context.js';

export function envVarsOf(ctx: ResolveContext): EnvVar[] {
  const { entries, crateFor, isTest, resolveConst } = ctx;
  const envByFile = ctx.envByFile;
  const envVars: EnvVar[] = [];
  for (const e of entries) {
    if (!e.facts) continue;
    const seen = new Set<string>();
    for (const r of e.facts.envReads) {
      let name = r.name;
      let via = 'literal';
      if (!name && r.constRef) {
        const d = resolveConst(r.constRef, e.file);
        if (!d || !/^[A-Z][A-Z0-9_]*$/.test(d.value)) continue;
        name = d.value;
        via = r.constRef;
      }
      if (!name || !ENV_NAME.test(name)) continue;
      const k = `${r.line}:${name}`;
      if (seen.has(k)) continue;
      seen.add(k);
      envVars.push({
        file: e.file,
        line: r.line,
        crate: crateFor(e.file),
        test: isTest(e.file, r.test),
        name,
        via,
        ...(r.function ? { function: r.function } : {}),
        ...(r.debugOnly ? { debugOnly: true } : {}),
        ...(r.forChild ? { forChild: true } : {}),
      });
      const l = envByFile.get(e.file) ?? [];
      if (!l.includes(name)) l.push(name);
      envByFile.set(e.file, l);
    }
  }

  return envVars;
}
