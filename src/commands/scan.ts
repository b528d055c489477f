import { writeFile } from 'node:fs/promises';
import type { Io } from '../io.js';
import { InputError } from '../model.js';
import { render, type Format } from '../report/index.js';
import { scan } from '../scan/index.js';
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
