import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { lexToml, locateFeatureStrings, TomlLexError, type KeyPath } from '../../src/util/toml-spans.js';

/** The value smol-toml gives at `path`. */
function at(doc: unknown, path: KeyPath): unknown {
  let cur = doc as Record<string | number, unknown> | undefined;
  for (const k of path) cur = cur?.[k] as typeof cur;
  return cur;
}

/** Every string the lexer reports must be the string smol-toml parses at the same path,
 *  and every feature span must slice to a quoted literal. */
function checkAgainstSmolToml(text: string): void {
  const doc = parse(text.replace(/^\uFEFF/, ''));
  const lexed = lexToml(text);
  for (const s of lexed.strings) {
    // array-of-tables paths carry an index after the table name: smol-toml stores an array there too
    expect(at(doc, s.path), JSON.stringify(s.path)).toBe(s.value);
    expect(['"', "'"]).toContain(text[s.start]);
    expect(text[s.end - 1]).toBe(text[s.start]);
  }
  // every key/value statement's value span parses to the value smol-toml has at its path; the
  // statement ends at its trailing comment; comment lines are comments alone on their line
  for (const st of lexed.statements) {
    expect(text.slice(st.lineStart, st.start).replace(/^\uFEFF/, '').trim(), JSON.stringify(st.path)).toBe('');
    if (st.comment !== undefined) expect(text.slice(st.end - st.comment.length, st.end)).toBe(st.comment);
    if (st.kind !== 'kv') continue;
    const expected = at(doc, st.path);
    if (expected !== undefined) expect((parse(`v = ${text.slice(st.valueStart, st.valueEnd)}`) as { v: unknown }).v, JSON.stringify(st.path)).toEqual(expected);
  }
  for (const c of lexed.commentLines) {
    expect(text[c.hash]).toBe('#');
    expect(text.slice(c.lineStart, c.hash).replace(/^\uFEFF/, '').trim()).toBe('');
    expect(text.slice(c.hash, c.end)).not.toMatch(/[\r\n]/);
  }
  for (const f of locateFeatureStrings(text)) {
    const lit = text.slice(f.start, f.end);
    expect(lit.slice(1, -1)).toBe(f.feature);
    expect(text.slice(0, f.start).split('\n').length).toBe(f.line);
  }
}

const slices = (text: string) => locateFeatureStrings(text).map((f) => [f.table, f.dependency, text.slice(f.start, f.end), f.line]);

describe('locateFeatureStrings', () => {
  it('finds features in an inline table', () => {
    const text = '[dependencies]\nreqwest = { version = "0.12", default-features = false, features = ["json", "rustls-tls"] }\n';
    expect(slices(text)).toEqual([
      ['dependencies', 'reqwest', '"json"', 2],
      ['dependencies', 'reqwest', '"rustls-tls"', 2],
    ]);
    checkAgainstSmolToml(text);
  });

  it('handles multi-line arrays with comments, trailing commas and literal strings', () => {
    const text = [
      '[dependencies]',
      '# reqwest = { features = ["rustls-tls"] } in a comment',
      'reqwest = { version = "0.12", default-features = false, features = [',
      "    'json', # a literal string",
      '    "stream",',
      '    # "rustls-tls" commented out here',
      '    "rustls-tls",  ',
      '] }',
      '',
    ].join('\n');
    expect(slices(text)).toEqual([
      ['dependencies', 'reqwest', "'json'", 4],
      ['dependencies', 'reqwest', '"stream"', 5],
      ['dependencies', 'reqwest', '"rustls-tls"', 7],
    ]);
    checkAgainstSmolToml(text);
  });

  it('keeps CRLF offsets exact', () => {
    const text = '[package]\r\nname = "x"\r\n\r\n[dependencies]\r\nreqwest = { workspace = true, features = [\r\n  "blocking",\r\n  "rustls-tls",\r\n] }\r\n';
    const found = locateFeatureStrings(text);
    expect(found.map((f) => text.slice(f.start, f.end))).toEqual(['"blocking"', '"rustls-tls"']);
    expect(found.map((f) => f.line)).toEqual([6, 7]);
    // replacing exactly the span keeps every other byte
    const f = found[1]!;
    const patched = text.slice(0, f.start) + '"rustls-tls-native-roots"' + text.slice(f.end);
    expect(patched.split('\r\n').length).toBe(text.split('\r\n').length);
    expect((parse(patched) as any).dependencies.reqwest.features).toEqual(['blocking', 'rustls-tls-native-roots']);
    checkAgainstSmolToml(text);
  });

  it('reads the [dependencies.reqwest] sub-table form', () => {
    const text = '[dependencies.reqwest]\nversion = "0.12"\ndefault-features = false\nfeatures = ["json", "rustls-tls"]\n\n[dependencies]\nserde = "1"\n';
    expect(slices(text)).toEqual([
      ['dependencies', 'reqwest', '"json"', 4],
      ['dependencies', 'reqwest', '"rustls-tls"', 4],
    ]);
    checkAgainstSmolToml(text);
  });

  it('reads dotted keys', () => {
    const text = '[dependencies]\nreqwest.workspace = true\nreqwest.features = ["rustls-tls"]\n';
    expect(slices(text)).toEqual([['dependencies', 'reqwest', '"rustls-tls"', 3]]);
    checkAgainstSmolToml(text);
  });

  it("names target tables with their cfg, quoted with ' or \"", () => {
    const text = [
      "[target.'cfg(windows)'.dependencies]",
      'reqwest = { version = "0.12", features = ["native-tls"] }',
      '[target."cfg(unix)".dev-dependencies]',
      'reqwest = { version = "0.12", features = ["rustls-tls"] }',
      '[target.x86_64-unknown-linux-gnu.build-dependencies]',
      'reqwest = { version = "0.12", features = ["rustls-tls-native-roots"] }',
      '',
    ].join('\n');
    expect(slices(text)).toEqual([
      ['target.cfg(windows).dependencies', 'reqwest', '"native-tls"', 2],
      ['target.cfg(unix).dev-dependencies', 'reqwest', '"rustls-tls"', 4],
      ['target.x86_64-unknown-linux-gnu.build-dependencies', 'reqwest', '"rustls-tls-native-roots"', 6],
    ]);
    checkAgainstSmolToml(text);
  });

  it('reads [workspace.dependencies], dev- and build-dependencies, and ignores [features]', () => {
    const text = [
      '[workspace]',
      'members = ["a"]',
      '[workspace.dependencies]',
      'reqwest = "0.12"',
      'tokio-tungstenite = { version = "0.28.0", features = ["proxy", "rustls-tls-native-roots"] }',
      '[features]',
      'tls = ["reqwest/rustls-tls"]',
      '[dev-dependencies]',
      'reqwest = { workspace = true, features = ["rustls-tls"] }',
      '[build-dependencies]',
      'reqwest = { version = "0.12", features = ["blocking"] }',
      '',
    ].join('\n');
    expect(slices(text)).toEqual([
      ['workspace.dependencies', 'tokio-tungstenite', '"proxy"', 5],
      ['workspace.dependencies', 'tokio-tungstenite', '"rustls-tls-native-roots"', 5],
      ['dev-dependencies', 'reqwest', '"rustls-tls"', 9],
      ['build-dependencies', 'reqwest', '"blocking"', 11],
    ]);
    checkAgainstSmolToml(text);
  });

  it('does not match strings that contain # or look like features elsewhere', () => {
    const text = [
      '[package]',
      'name = "x" # "rustls-tls"',
      'description = "uses # and \\"rustls-tls\\" in a string"',
      "homepage = 'https://example.invalid/#rustls-tls'",
      'notes = """',
      'features = ["rustls-tls"]',
      '"""',
      '[dependencies]',
      'reqwest = { version = "0.12", features = ["rustls-tls"] } # features = ["native-tls"]',
      '',
    ].join('\n');
    expect(slices(text)).toEqual([['dependencies', 'reqwest', '"rustls-tls"', 9]]);
    checkAgainstSmolToml(text);
  });

  it('keeps offsets after a BOM, non-ASCII text and escapes', () => {
    const text = '\uFEFF[package]\nname = "ü-crate"\ndescription = "tab\\t and \\u00e9"\n[dependencies]\n"reqwest" = { features = ["rustls-tls"], version = "0.12" }\n';
    const [f] = locateFeatureStrings(text);
    expect(text.slice(f!.start, f!.end)).toBe('"rustls-tls"');
    expect(f!.dependency).toBe('reqwest');
    checkAgainstSmolToml(text);
  });

  it('reports array-of-table items and nested arrays by index', () => {
    const text = '[[bin]]\nname = "a"\n[[bin]]\nname = "b"\n[x]\ny = [["p", "q"], ["r"]]\nd = 1979-05-27 07:32:00Z\nz = { a = { b = \'c\' } }\n';
    const lexed = lexToml(text);
    expect(lexed.strings.map((s) => [s.path, s.value])).toEqual([
      [['bin', 0, 'name'], 'a'],
      [['bin', 1, 'name'], 'b'],
      [['x', 'y', 0, 0], 'p'],
      [['x', 'y', 0, 1], 'q'],
      [['x', 'y', 1, 0], 'r'],
      [['x', 'z', 'a', 'b'], 'c'],
    ]);
    checkAgainstSmolToml(text);
  });

  it('throws TomlLexError with a line on broken text', () => {
    expect(() => lexToml('[dependencies]\nreqwest = { features = ["rustls-tls }\n')).toThrow(TomlLexError);
    let err: unknown;
    try {
      lexToml('a = 1\nb = [\n "x"\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TomlLexError);
    expect((err as TomlLexError).line).toBe(4);
  });

  it('agrees with smol-toml on every fixture manifest', async () => {
    const { readFileSync, readdirSync, existsSync } = await import('node:fs');
    const root = new URL('../../fixtures/codex-rs/', import.meta.url);
    const dirs = ['', ...readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'target').map((d) => d.name)];
    let n = 0;
    for (const d of dirs) {
      const f = new URL(d ? `${d}/Cargo.toml` : 'Cargo.toml', root);
      if (!existsSync(f)) continue;
      checkAgainstSmolToml(readFileSync(f, 'utf8'));
      n++;
    }
    expect(n).toBe(16);
  });
});
