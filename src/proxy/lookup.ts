// `--upstream HOST=IP:PORT`: the upstream connection keeps the real host name (SNI, certificate
// check, Host header) and goes to IP. mockttp resolves upstream names with the function its
// passthrough module's getDnsLookupFunction(lookupOptions) returns, looked up on that module at
// each call; options marked here get a lookup that answers from the map (falling back to the
// system's for names not in it), so no resolver, DNS server or network interface is involved.
import dns, { type LookupAddress, type LookupOneOptions } from 'node:dns';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type LookupFn = (hostname: string, options: unknown, callback: (...args: unknown[]) => void) => void;
interface Handling {
  getDnsLookupFunction: ((options: unknown) => LookupFn) & { cache?: unknown };
}

const require = createRequire(import.meta.url);
const handling = require(join(dirname(require.resolve('mockttp')), 'rules', 'passthrough-handling.js')) as Handling;
const original = handling.getDnsLookupFunction;
const maps = new Map<object, Record<string, string>>();

handling.getDnsLookupFunction = Object.assign((options: unknown) => {
  const map = options && typeof options === 'object' ? maps.get(options) : undefined;
  return map ? lookupFrom(map) : original(options);
}, { cache: original.cache });

function lookupFrom(map: Record<string, string>): LookupFn {
  return (hostname, options, callback) => {
    const ip = map[hostname.toLowerCase()] ?? map['*'];
    const opts = (typeof options === 'object' && options !== null ? options : {}) as LookupOneOptions & { all?: boolean };
    if (!ip) return dns.lookup(hostname, opts as never, callback as never);
    if (opts.all) return callback(null, [{ address: ip, family: 4 } satisfies LookupAddress]);
    return callback(null, ip, 4);
  };
}

export interface LookupMap {
  /** Pass as the passthrough's `lookupOptions`. */
  options: object;
  release(): void;
}

/** A host → IPv4 map (`*` for every host) that mockttp's passthrough will resolve from. */
export function mappedLookup(map: Record<string, string>): LookupMap {
  if (typeof original !== 'function') throw new Error('mockttp: passthrough lookup hook not found (unsupported mockttp version)');
  const options = { servers: ['codex-mitm-upstream-map'] };
  maps.set(options, map);
  return { options, release: () => maps.delete(options) };
}
