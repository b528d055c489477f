// Generated config.toml files for the approach a/ca properties (comments, tables, profiles, arrays
// of tables, multi-line strings and arrays, existing keys, CRLF, missing final newline, a byte order
// mark; seeded PRNG): one seed's case planned for a codex home, and the properties of its plan.
// property-memory.test.ts runs most seeds in memory, property.test.ts a few through the engine on disk.
import { expect } from 'vitest';
import { parse } from 'smol-toml';
import { planApproachA, planApproachCa, type HomePlan, type HomePlanInput } from '../../src/patch/codex-home/plan.js';
import { reverseConfig } from '../../src/patch/codex-home/config-edit.js';
import { prng } from '../helpers/prng.js';

export interface Gen {
  text: string | null;
  profile?: string;
  /** Active profile sets chatgpt_base_url. */
  profileSetsBackend: boolean;
}

export function generate(rnd: () => number): Gen {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number) => rnd() < p;
  if (chance(0.04)) return { text: null, profileSetsBackend: false };
  if (chance(0.03)) return { text: '', profileSetsBackend: false };
  const eol = chance(0.3) ? '\r\n' : '\n';
  const lines: string[] = [];
  const comment = () => pick(['# a comment', '#', '# [profiles.fake] = "not a table"', '#   codex settings ✓', '# chatgpt_base_url = "x"']);
  const trailing = () => (chance(0.3) ? `${pick([' ', '  ', '\t'])}${comment()}` : '');
  const scalar = (): string =>
    pick([
      () => `"${pick(['gpt-5', 'with \\"escapes\\" \\t', 'ünïcode', '# not a comment', '[not.a.table]'])}"`,
      () => `'${pick(['literal', 'C:\\path', "a = b"])}'`,
      () => String(Math.floor(rnd() * 1000) - 500),
      () => pick(['3.14', '-0.0', '1e3', 'inf', 'nan', '0x1F', '1_000']),
      () => pick(['true', 'false']),
      () => pick(['1979-05-27', '1979-05-27T07:32:00Z', '1979-05-27 07:32:00', '07:32:00']),
      () => `"""${eol}multi${eol}[profiles.inside_string]${eol}line = "x"${eol}"""`,
      () => `'''${eol}raw # text${eol}'''`,
      () => `[${pick(['1, 2, 3', '"a", "b"', `${eol}  "x", # c${eol}  "y",${eol}`, ''])}]`,
      () => `{ ${pick(['a = 1', 'b = "two", c = [1]', ''])} }`,
    ])();
  const kv = (key: string) => `${key}${pick([' = ', '=', '  =  '])}${scalar()}${trailing()}`;
  const blank = () => {
    if (chance(0.3)) lines.push('');
    if (chance(0.2)) lines.push(comment());
  };

  // Root keys.
  blank();
  const rootKeys = ['model', 'approval_policy', '"quoted key"', 'sandbox.mode', 'x_y-z'];
  for (const k of rootKeys) if (chance(0.4)) lines.push(kv(k));
  if (chance(0.25)) lines.push(`chatgpt_base_url = "https://chatgpt.example/backend-api/"${trailing()}`);
  if (chance(0.2)) lines.push(`${pick(['openai_base_url', '"openai_base_url"'])} = ${pick(['"https://api.example/v1"', "'https://lit/v1'"])}${trailing()}`);
  const profiles = ['work', 'home', 'p 3'];
  const profile = chance(0.6) ? pick(profiles) : undefined;
  if (profile !== undefined) lines.push(`profile = ${JSON.stringify(profile)}${trailing()}`);
  blank();

  // Tables.
  let profileSetsBackend = false;
  const tables: (() => void)[] = [];
  for (const name of profiles) {
    if (!chance(0.6)) continue;
    tables.push(() => {
      const hdr = name.includes(' ') ? `[profiles."${name}"]` : pick([`[profiles.${name}]`, `[ profiles . ${name} ]`, `[profiles."${name}"]`]);
      lines.push(`${hdr}${trailing()}`);
      if (chance(0.5)) lines.push(kv('model'));
      if (chance(0.5)) {
        lines.push(`chatgpt_base_url = ${pick(['"https://corp/backend-api/"', "'https://corp/'", '"""https://multi/"""'])}${trailing()}`);
        if (name === profile) profileSetsBackend = true;
      }
      blank();
    });
  }
  if (chance(0.5))
    tables.push(() => {
      lines.push('[model_providers.azure]', 'name = "Azure"', 'base_url = "https://x.openai.azure.com/openai"');
      blank();
    });
  if (chance(0.5))
    tables.push(() => {
      lines.push('[mcp_servers.docs]', 'command = "npx"', `args = [${eol}  "-y", # pkg${eol}  "@x/docs",${eol}]`);
      blank();
    });
  if (chance(0.4))
    tables.push(() => {
      for (let i = 0; i < 2; i++) lines.push('[[hooks]]', kv('name'), `chatgpt_base_url = "in an array table"`);
      blank();
    });
  // Shuffle table order.
  for (let i = tables.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [tables[i], tables[j]] = [tables[j]!, tables[i]!];
  }
  for (const t of tables) t();
  let text = lines.join(eol);
  if (!chance(0.15)) text += eol;
  if (chance(0.04)) text = `\uFEFF${text}`;
  return { text, ...(profile !== undefined ? { profile } : {}), profileSetsBackend };
}

export const VERSIONS = [undefined, '0.98.0', '0.114.0', '0.115.0', '0.121.0', '0.125.0'];

export interface Case {
  seed: number;
  /** `seed ${seed}`, for the assertion messages. */
  ctx: string;
  g: Gen;
  approach: 'a' | 'ca';
  plan: HomePlan;
  auth: 'apikey' | 'chatgpt';
  version: string | undefined;
}

/** Seed `seed`'s generated config planned for the codex home `home` (the planner is pure: nothing
 *  is read or written); undefined when the generated text is not valid TOML (skipped). */
export function planCase(seed: number, home: string): Case | undefined {
  const rnd = prng(seed);
  const g = generate(rnd);
  if (g.text !== null) {
    try {
      parse(g.text);
    } catch {
      return undefined;
    }
  }
  const auth = rnd() < 0.5 ? 'apikey' : 'chatgpt';
  const version = VERSIONS[Math.floor(rnd() * VERSIONS.length)];
  const approach = rnd() < 0.8 ? 'a' : 'ca';
  const input: HomePlanInput = {
    home,
    configText: g.text,
    envText: null,
    auth,
    authSource: 'test',
    target: version ? { version, source: 'flag' } : { source: 'unknown' },
    host: '127.0.0.1',
    modelPort: 18080,
    backendPort: 18081,
    proxyPort: 18082,
    ca: '/tmp/ca.pem',
  };
  const plan = approach === 'a' ? planApproachA(input) : planApproachCa(input);
  return { seed, ctx: `seed ${seed}`, g, approach, plan, auth, version };
}

/** The plan's own properties: approach a's config.toml parses and holds the intended keys, keeps
 *  CRLF line endings, and its markers alone reverse it to the exact bytes; approach ca leaves
 *  config.toml alone. Says whether the patch records a value in place and whether the text is CRLF. */
export function checkPlan(c: Case): { inPlace: boolean; crlf: boolean } {
  const { ctx, g, plan, auth, version } = c;
  const cfgFile = plan.files.find((f) => f.display === 'config.toml');
  let inPlace = false;
  let crlf = false;
  if (c.approach === 'a') {
    expect(cfgFile, ctx).toBeDefined();
    const patched = parse(cfgFile!.newText) as Record<string, any>;
    expect(patched.chatgpt_base_url, ctx).toBe('http://127.0.0.1:18081/backend-api/');
    if (g.profileSetsBackend) expect(patched.profiles[g.profile!].chatgpt_base_url, ctx).toBe('http://127.0.0.1:18081/backend-api/');
    const wantKey = version === undefined || ['0.115.0', '0.121.0', '0.125.0'].includes(version);
    if (wantKey) {
      expect(patched.openai_base_url, ctx).toBe(
        auth === 'apikey' ? 'http://127.0.0.1:18080/v1' : 'http://127.0.0.1:18081/backend-api/codex',
      );
    }
    // Marker-only fallback reverses to the exact bytes too.
    expect(reverseConfig(cfgFile!.newText).text, ctx).toBe(g.text);
    if (cfgFile!.newText.includes('codex-mitm-was')) inPlace = true;
    if (g.text?.includes('\r\n')) {
      crlf = true;
      expect(cfgFile!.newText.replace(/\r\n/g, ''), ctx).not.toContain('\n');
    }
  } else {
    expect(cfgFile, ctx).toBeUndefined();
  }
  return { inPlace, crlf };
}
