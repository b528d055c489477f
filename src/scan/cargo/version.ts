// The codex version of a tree: what its workspace manifest gives every member crate
// ([workspace.package] version). One reader for the manifest scan and for the wizard, which
// shows the version before any scan has run.
import type { ScanWarning } from '../../model.js';
import { readManifest, type TomlTable } from './manifest-read.js';

/** `[workspace.package] version` of a parsed manifest, or undefined (no workspace, no version). */
export function workspaceVersionOf(doc: TomlTable): string | undefined {
  const ws = doc.workspace;
  const pkg = typeof ws === 'object' && ws !== null ? (ws as TomlTable).package : undefined;
  const version = typeof pkg === 'object' && pkg !== null ? (pkg as TomlTable).version : undefined;
  return typeof version === 'string' ? version : undefined;
}

/**
 * The version of the tree at `root` read from its Cargo.toml as the manifest scan reads it (a
 * regular file only, a link not followed, a FIFO never waited on), before any scan; undefined when
 * the manifest is missing, unreadable, does not parse, or declares no workspace version.
 */
export async function treeVersion(root: string): Promise<string | undefined> {
  const ignored: ScanWarning[] = [];
  const m = await readManifest(root, 'Cargo.toml', ignored);
  return m ? workspaceVersionOf(m.doc) : undefined;
}
