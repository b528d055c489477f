// One entry for every output format over the one ScanResult.
import type { ScanResult } from '../model.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export type Format = 'table' | 'json' | 'markdown' | 'sarif';

export interface RenderOptions {
  /** ANSI colours (table only). */
  color?: boolean;
  /** Show findings in test code (table only; the other formats carry `test` on every item). */
  includeTests?: boolean;
  /** Terminal width for the table (default 100). */
  width?: number;
}

export function render(r: ScanResult, format: Format, opts: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(r);
    case 'markdown':
      return renderMarkdown(r);
    case 'sarif':
      return renderSarif(r);
    case 'table':
      return renderTable(r, { color: opts.color ?? false, includeTests: opts.includeTests ?? false, width: opts.width });
  }
}

export { renderJson, renderMarkdown, renderSarif, renderTable };
export { renderChannelTable } from './markdown.js';
