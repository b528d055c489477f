import { writeFile } from 'node:fs/promises';
import type { Io } from '../io.js';
import { InputError } from '../model.js';
import { render, type Format } from '../report/index.js';
import { scan } from '../scan/index.js';
import { loadRules } from '../scan/rust/rules-load.js';
import { progressReporter } from './progress.js';

export interface ScanCommandOptions {
  json?: boolean;
  markdown?: boolean;
  sarif?: boolean;
  includeTests?: boolean;
  cache?: boolean;
  output?: string;
}

export async function scanCommand(path: string | undefined, opts: ScanCommandOptions, io: Io): Promise<number> {
  const formats = (['json', 'markdown', 'sarif'] as const).filter((f) => opts[f]);
  if (formats.length > 1) throw new InputError(`choose one of --json, --markdown, --sarif (got ${formats.map((f) => `--${f}`).join(' ')})`);
  const format: Format = formats[0] ?? 'table';
  const progress = progressReporter(io);
  let result;
  try {
    result = await scan(path ?? io.cwd, { includeTests: opts.includeTests, useCache: opts.cache !== false, onProgress: progress.update });
  } finally {
    progress.done();
  }
  // a folder that is not codex's (a home folder, another Rust project): refused, naming what is there
  const prefix = loadRules().data.tree?.package_prefix;
  if (prefix && result.crates.length > 0 && !result.crates.some((c) => c.name === prefix || c.name.startsWith(`${prefix}-`))) {
    const names = result.crates.map((c) => c.name).sort();
    const shown = names.slice(0, 4).join(', ') + (names.length > 4 ? `, and ${names.length - 4} more` : '');
    throw new InputError(
      `not a codex-rs tree: ${result.summary.manifests} Cargo.toml ${result.summary.manifests === 1 ? 'declares' : 'declare'} ${names.length} package${names.length === 1 ? '' : 's'} (${shown}), none named ${prefix}-*; pass a codex checkout or its codex-rs folder`,
      result.root,
    );
  }
  const text = render(result, format, { color: io.color && !opts.output, includeTests: Boolean(opts.includeTests), width: opts.output ? undefined : io.columns });
  if (opts.output) {
    try {
      await writeFile(opts.output, text);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(err));
      throw new InputError(`cannot write the report: ${why}`, opts.output);
    }
  }
  else io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}
