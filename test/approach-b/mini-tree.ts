// A small codex-rs-shaped tree written by hand for the approach B tests (built in a temp folder).
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';

export const FILES: Record<string, string> = {
  'Cargo.toml': [
    '[workspace]',
    'members = ["cli", "core", "net", "tools", "legacy", "state"]',
    'resolver = "2"',
    '',
    '[workspace.package]',
    'version = "0.0.0"',
    'edition = "2024"',
    '',
    '[workspace.dependencies]',
    'codex-core = { path = "core" }',
    'reqwest = "0.12"',
    '# websocket transport: compiled-in roots',
    'tokio-tungstenite = { version = "0.28.0", features = ["proxy", "rustls-tls-webpki-roots"] }',
    'sqlx = { version = "0.8.6", default-features = false, features = ["runtime-tokio-rustls", "sqlite"] }',
    '',
  ].join('\n'),
  'cli/Cargo.toml': [
    '[package]',
    'name = "codex-cli"',
    'version.workspace = true',
    '',
    '[[bin]]',
    'name = "codex"',
    'path = "src/main.rs"',
    '',
    '[dependencies]',
    'codex-core = { workspace = true }',
    'codex-net = { path = "../net" }',
    'codex-legacy = { path = "../legacy" }',
    'codex-state = { path = "../state" }',
    '',
    '[dev-dependencies]',
    'reqwest = { workspace = true, features = ["rustls-tls"] }',
    '',
  ].join('\n'),
  // CRLF line endings and trailing whitespace must survive.
  'core/Cargo.toml': [
    '[package]',
    'name = "codex-core"',
    'version.workspace = true',
    '',
    '[dependencies]',
    'reqwest = { workspace = true, features = ["json", "rustls-tls"] }   ',
    'tokio-tungstenite = { workspace = true }',
    '',
  ].join('\r\n'),
  'net/Cargo.toml': [
    '[package]',
    'name = "codex-net"',
    'version = "0.1.0"',
    '',
    '[dependencies]',
    'reqwest = { version = "0.12", default-features = false, features = [',
    '    "json", # "rustls-tls-webpki-roots" in a comment stays',
    "    'rustls-tls-webpki-roots',",
    '] }',
    'hyper-rustls = { version = "0.27", features = ["http2", "webpki-roots"] }',
    '',
    '[dependencies.opentelemetry-otlp]',
    'version = "0.31"',
    'features = ["trace", "reqwest-rustls-webpki-roots"]',
    '',
  ].join('\n'),
  // Not reached from codex-cli.
  'tools/Cargo.toml': [
    '[package]',
    'name = "codex-tools"',
    'version = "0.1.0"',
    '',
    '[dependencies]',
    'reqwest = { version = "0.12", features = ["rustls-tls"] }',
    '',
  ].join('\n'),
  // In the closure, but tokio-tungstenite 0.16 is outside the switch's range.
  'legacy/Cargo.toml': [
    '[package]',
    'name = "codex-legacy"',
    'version = "0.1.0"',
    '',
    '[dependencies]',
    'tokio-tungstenite = { version = "0.16", features = ["rustls-tls-webpki-roots"] }',
    '',
  ].join('\n'),
  'state/Cargo.toml': ['[package]', 'name = "codex-state"', 'version = "0.1.0"', '', '[dependencies]', 'sqlx = { workspace = true }', ''].join('\n'),
  'cli/src/main.rs': 'fn main() {\n    codex_core::run();\n}\n',
  'core/src/lib.rs': [
    'pub fn run() {',
    '    let _c = reqwest::Client::builder()',
    '        .no_proxy()',
    '        .build();',
    '}',
    '',
  ].join('\n'),
  'net/src/lib.rs': 'pub fn net() {}\n',
  'tools/src/lib.rs': 'pub fn tools() {}\n',
  'legacy/src/lib.rs': 'pub fn legacy() {}\n',
  'state/src/lib.rs': 'pub fn state() {}\n',
};

/** What approach B must write (by hand): file -> [old literal, new literal] on a given 1-based line. */
export const EXPECTED: Record<string, Array<{ line: number; from: string; to: string }>> = {
  'Cargo.toml': [{ line: 13, from: '"rustls-tls-webpki-roots"', to: '"rustls-tls-native-roots"' }],
  'core/Cargo.toml': [{ line: 6, from: '"rustls-tls"', to: '"rustls-tls-native-roots"' }],
  'net/Cargo.toml': [
    { line: 8, from: "'rustls-tls-webpki-roots'", to: "'rustls-tls-native-roots'" },
    { line: 10, from: '"webpki-roots"', to: '"native-tokio"' },
    { line: 14, from: '"reqwest-rustls-webpki-roots"', to: '"reqwest-rustls"' },
  ],
};

export function expectedText(file: string, extra: Record<string, Array<{ line: number; from: string; to: string }>> = {}): string {
  const text = FILES[file]!;
  const edits = [...(EXPECTED[file] ?? []), ...(extra[file] ?? [])];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  for (const e of edits) {
    const l = lines[e.line - 1]!;
    if (l.split(e.from).length !== 2) throw new Error(`test setup: ${e.from} not once on ${file}:${e.line}`);
    lines[e.line - 1] = l.replace(e.from, e.to);
  }
  return lines.join(eol);
}

export async function makeTree(): Promise<string> {
  const root = join(await fs.mkdtemp(join(tmpdir(), 'cm-b-')), 'codex-rs');
  for (const [rel, text] of Object.entries(FILES)) {
    await fs.mkdir(dirname(join(root, rel)), { recursive: true });
    await fs.writeFile(join(root, rel), text);
  }
  return root;
}

/** sha256 of every file of the tree (relative path -> hash), .codex-mitm included. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, rel: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(dir, e.name), r);
      else out[r] = createHash('sha256').update(await fs.readFile(join(dir, e.name))).digest('hex');
    }
  };
  await walk(root, '');
  return out;
}
