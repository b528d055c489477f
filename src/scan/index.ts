// Temporary: src/patch/approach-b/index.ts and src/patch/codex-home/index.ts still import the
// whole pipeline from here, and src/patch/ is being changed on another branch. Once their import
// lines name '../../pipeline.js', delete this file: src/scan/ then imports neither src/channels/
// nor src/pipeline.ts (test/scan/layering.test.ts allows this one file until then).
export { findCodexRoot, scan, type ScanOptions } from '../pipeline.js';
