import { describe, expect, it } from 'vitest';
import { findRegion, readRegion, replaceRegion } from '../../src/report/region.js';
import { InputError } from '../../src/model.js';

const doc = (eol: string) =>
  ['# T', '', 'Mention `<!-- codex-mitm:x:begin -->` inline is not a marker.', '<!-- codex-mitm:x:begin -->', 'old', '<!-- codex-mitm:x:end -->', 'tail', ''].join(eol);

describe('replaceRegion', () => {
  it('replaces only the lines between the markers', () => {
    expect(replaceRegion(doc('\n'), 'x', 'new\ncontent')).toBe(doc('\n').replace('old\n', 'new\ncontent\n'));
    expect(readRegion(doc('\n'), 'x')).toBe('old\n');
  });

  it('keeps CRLF files CRLF, including the new content', () => {
    const out = replaceRegion(doc('\r\n'), 'x', 'a\nb\n');
    expect(out).toBe(doc('\r\n').replace('old\r\n', 'a\r\nb\r\n'));
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('can empty a region and is idempotent', () => {
    const once = replaceRegion(doc('\n'), 'x', '');
    expect(once).toContain('<!-- codex-mitm:x:begin -->\n<!-- codex-mitm:x:end -->');
    expect(replaceRegion(replaceRegion(doc('\n'), 'x', 'z'), 'x', 'z')).toBe(replaceRegion(doc('\n'), 'x', 'z'));
  });

  it('leaves other regions alone', () => {
    const two = doc('\n') + '<!-- codex-mitm:y:begin -->\nkeep\n<!-- codex-mitm:y:end -->\n';
    const out = replaceRegion(two, 'y', 'changed');
    expect(out).toContain('\nold\n');
    expect(readRegion(out, 'y')).toBe('changed\n');
  });

  const fails = (text: string, line: number | undefined, msg: RegExp) => {
    let err: unknown;
    try {
      findRegion(text, 'x', 'docs/a.md');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const ie = err as InputError;
    expect(ie.file).toBe('docs/a.md');
    expect(ie.line).toBe(line);
    expect(ie.oneLine).toMatch(msg);
    expect(ie.oneLine).not.toContain('\n');
  };

  it('rejects missing, doubled and reversed markers with file and line', () => {
    fails('# none\n', undefined, /^docs\/a\.md: no <!-- codex-mitm:x:begin --> marker$/);
    fails('a\n<!-- codex-mitm:x:begin -->\nb\n', 2, /^docs\/a\.md:2: no <!-- codex-mitm:x:end --> marker/);
    fails('<!-- codex-mitm:x:begin -->\n<!-- codex-mitm:x:begin -->\n<!-- codex-mitm:x:end -->\n', 2, /second <!-- codex-mitm:x:begin --> marker \(first at line 1\)/);
    fails('<!-- codex-mitm:x:end -->\n<!-- codex-mitm:x:begin -->\n', 1, /^docs\/a\.md:1: <!-- codex-mitm:x:end --> comes before/);
    fails('<!-- codex-mitm:x:begin -->\n<!-- codex-mitm:x:end -->\n<!-- codex-mitm:x:end -->\n', 3, /second <!-- codex-mitm:x:end -->/);
  });
});
