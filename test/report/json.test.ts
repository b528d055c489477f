import { describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/json.js';
import type { ScanResult } from '../../src/model.js';
import { sample } from './sample.js';

describe('renderJson', () => {
  it('emits the schemaVersion 1 contract in a fixed key order, 2-space indent', () => {
    const text = renderJson(sample());
    expect(text.startsWith('{\n  "schemaVersion": 1,\n  "tool": {\n    "name": "codex-mitm",\n    "version": "9.8.7"\n  },\n  "root": ')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    const obj = JSON.parse(text);
    expect(Object.keys(obj)).toEqual([
      'schemaVersion', 'tool', 'root', 'summary', 'capabilities', 'recommendation', 'channels',
      'clients', 'tlsFeatures', 'endpoints', 'envVars', 'configKeys', 'crates',
    ]);
    expect(Object.keys(obj.clients[0])).toEqual(['file', 'line', 'crate', 'test', 'constructor', 'calls', 'tls', 'noProxy', 'proxy', 'function']);
    expect(Object.keys(obj.clients[0].tls)).toEqual([
      'useRustls', 'useNativeTls', 'rootsAdded', 'builtInRootsDisabled', 'acceptsInvalidCerts', 'preconfiguredTls', 'customCaEnv',
    ]);
    expect(Object.keys(obj.tlsFeatures[1])).toEqual([
      'manifest', 'line', 'crate', 'test', 'dependency', 'feature', 'roots', 'table', 'inherited', 'version', 'declared',
    ]);
    expect(Object.keys(obj.endpoints[0].overrides[0])).toEqual(['kind', 'name', 'file', 'line']);
    expect(Object.keys(obj.summary.warnings[0])).toEqual(['kind', 'file', 'line', 'message']);
  });

  it('is the same text whatever order the scan built the keys in', () => {
    const a = sample();
    const shuffle = (o: unknown): unknown => {
      if (Array.isArray(o)) return o.map(shuffle);
      if (o && typeof o === 'object') {
        return Object.fromEntries(Object.entries(o as Record<string, unknown>).reverse().map(([k, v]) => [k, shuffle(v)]));
      }
      return o;
    };
    const b = shuffle(a) as ScanResult;
    expect(Object.keys(b)[0]).not.toBe('schemaVersion');
    expect(renderJson(b)).toBe(renderJson(a));
  });

  it('writes paths with / and keeps unknown extra keys (sorted, after the known ones)', () => {
    const r = sample();
    r.clients[0].file = 'core\\src\\default_client.rs';
    r.tlsFeatures[0].manifest = 'app-server\\Cargo.toml';
    (r.clients[0] as unknown as Record<string, unknown>).zeta = 1;
    (r.clients[0] as unknown as Record<string, unknown>).alpha = 2;
    const obj = JSON.parse(renderJson(r));
    expect(obj.clients[0].file).toBe('core/src/default_client.rs');
    expect(obj.tlsFeatures[0].manifest).toBe('app-server/Cargo.toml');
    expect(Object.keys(obj.clients[0]).slice(-2)).toEqual(['alpha', 'zeta']);
  });

  it('drops undefined optional fields instead of writing null', () => {
    const r = sample();
    r.clients[0].function = undefined;
    const text = renderJson(r);
    expect(JSON.parse(text).clients[0]).not.toHaveProperty('function');
    expect(text).not.toContain('null');
  });
});
