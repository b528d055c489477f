// `unpatch --approach a` keeps the lines a user added inside the managed block of config.toml:
// only codex-mitm's own lines and the two markers go, whether the patch state is there or not.
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { reverseConfig } from '../../src/patch/codex-home/config-edit.js';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const START = '# >>> codex-mitm (managed) >>>';
const END = '# <<< codex-mitm <<<';

/** Inserts `lines` right after the start marker line of the managed block. */
function addInsideBlock(text: string, lines: string[], eol = '\n'): string {
  const at = text.indexOf(START);
  const nl = text.indexOf('\n', at) + 1;
  return text.slice(0, nl) + lines.map((l) => l + eol).join('') + text.slice(nl);
}

describe('unpatch --approach a keeps lines the user added inside the managed block', () => {
  it('fresh home: the user key survives, unpatch says so, the rest is cleaned', async () => {
    sb = await sandbox();
    const p = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey']);
    expect(p.code, p.stderr).toBe(0);
    await sb.write('config.toml', addInsideBlock((await sb.read('config.toml'))!, ['model_reasoning_effort = "high"']));

    // edited since the patch: refused without --force
    const refused = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('use --force to undo only the patch and keep your edits');
    const dry = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home, '--dry-run', '--force']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would keep 1 line you added inside the managed block (${join(sb.home, 'config.toml')}:1)`);

    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home, '--force']);
    expect(u.stderr).toBe('');
    expect(u.code).toBe(0);
    expect(u.stdout.split('\n').filter((l) => l.includes('inside the managed block'))).toEqual([
      `kept 1 line you added inside the managed block (${join(sb.home, 'config.toml')}:1)`,
    ]);
    const text = (await sb.read('config.toml'))!;
    expect(text).toBe('model_reasoning_effort = "high"\n');
    expect(parse(text)).toEqual({ model_reasoning_effort: 'high' });
    expect(sb.snapshot()).toEqual({ 'config.toml': 'model_reasoning_effort = "high"\n' });
  });

  it('existing CRLF config: the user lines stay where the block was, everything else byte for byte', async () => {
    sb = await sandbox();
    const original = '# mine\r\nmodel = "o3"\r\n\r\n[tui]\r\nnotifications = true\r\n';
    await sb.write('config.toml', original);
    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey']).code).toBe(0);
    const patched = (await sb.read('config.toml'))!;
    // a comment, a key, and a line between codex-mitm's own two
    let edited = addInsideBlock(patched, ['# my effort', 'model_reasoning_effort = "high"'], '\r\n');
    edited = edited.replace('\r\nopenai_base_url', '\r\nhide_agent_reasoning = true\r\nopenai_base_url');
    await sb.write('config.toml', edited);
    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home, '--force']);
    expect(u.stderr).toBe('');
    expect(u.code).toBe(0);
    expect(u.stdout).toContain(`kept 3 lines you added inside the managed block (${join(sb.home, 'config.toml')}:3-5)`);
    const text = (await sb.read('config.toml'))!;
    expect(text).toBe(
      '# mine\r\nmodel = "o3"\r\n# my effort\r\nmodel_reasoning_effort = "high"\r\nhide_agent_reasoning = true\r\n\r\n[tui]\r\nnotifications = true\r\n',
    );
    expect(parse(text)).toEqual({ model: 'o3', model_reasoning_effort: 'high', hide_agent_reasoning: true, tui: { notifications: true } });
    expect(text).not.toContain('codex-mitm');
  });

  it('without the patch state (crash-left block): the markers cleanup keeps them the same way', async () => {
    sb = await sandbox();
    const original = 'model = "gpt-5"'; // no final line break: the block carries +eol
    await sb.write('config.toml', original);
    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey']).code).toBe(0);
    await sb.write('config.toml', addInsideBlock((await sb.read('config.toml'))!, ['model_reasoning_effort = "high"']));
    await fs.rm(join(sb.home, '.codex-mitm'), { recursive: true });
    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.stderr).toBe('');
    expect(u.code).toBe(0);
    expect(u.stdout).toContain('cleaned from the codex-mitm markers');
    expect(u.stdout).toContain(`kept 1 line you added inside the managed block (${join(sb.home, 'config.toml')}:2)`);
    const text = (await sb.read('config.toml'))!;
    expect(text).toBe('model = "gpt-5"\nmodel_reasoning_effort = "high"\n');
    expect(parse(text)).toEqual({ model: 'gpt-5', model_reasoning_effort: 'high' });
  });

  it('nothing added: exact bytes back and no "kept" line', async () => {
    sb = await sandbox();
    const original = 'model = "gpt-5"\n\n[tui]\nnotifications = true\n';
    await sb.write('config.toml', original);
    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey']).code).toBe(0);
    const u = sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]);
    expect(u.code).toBe(0);
    expect(u.stdout).not.toContain('inside the managed block');
    expect(sb.snapshot()).toEqual({ 'config.toml': original });
  });

  it('patching again over a user line in the block keeps the line (outside the new block)', async () => {
    sb = await sandbox();
    expect(sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey']).code).toBe(0);
    await sb.write('config.toml', addInsideBlock((await sb.read('config.toml'))!, ['model_reasoning_effort = "high"']));
    const p = sb.cli(['patch', '--approach', 'a', '--codex-home', sb.home, '--codex-version', '0.125.0', '--auth', 'apikey', '--backend-port', '9091']);
    expect(p.code, p.stderr).toBe(0);
    expect(await sb.read('config.toml')).toBe(
      'model_reasoning_effort = "high"\n' +
        '# >>> codex-mitm (managed) >>> approach=a\n' +
        'chatgpt_base_url = "http://127.0.0.1:9091/backend-api/"\n' +
        'openai_base_url = "http://127.0.0.1:8080/v1"\n' +
        '# <<< codex-mitm <<<\n',
    );
    expect(sb.cli(['unpatch', '--approach', 'a', '--codex-home', sb.home]).code).toBe(0);
    expect(sb.snapshot()).toEqual({ 'config.toml': 'model_reasoning_effort = "high"\n' });
  });
});

describe('reverseConfig with user lines inside the block', () => {
  const block = (inner: string[]) =>
    [`${START} approach=a`, 'chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"', ...inner, 'openai_base_url = "http://127.0.0.1:8080/v1"', END, ''].join('\n');

  it('keeps a multi-line string whose inside looks like a codex-mitm line', () => {
    const inner = ['notes = """', 'chatgpt_base_url = "not a key"', '"""'];
    const r = reverseConfig('a = 1\n' + block(inner) + '[t]\nx = 1\n');
    expect(r.text).toBe('a = 1\n' + inner.join('\n') + '\n[t]\nx = 1\n');
    expect(r.kept).toEqual({ line: 2, lastLine: 4, lines: inner, count: 3 });
    expect(parse(r.text!)).toEqual({ a: 1, notes: 'chatgpt_base_url = "not a key"\n', t: { x: 1 } });
  });

  it('only blank lines added: they go with the block (exact original bytes)', () => {
    const r = reverseConfig('a = 1\n' + block(['', '  ']));
    expect(r.text).toBe('a = 1\n');
    expect(r.kept).toBeUndefined();
  });

  it('numbers the kept lines after an in-place record before the block that spans two lines', () => {
    const was = 'chatgpt_base_url = """\nhttps://mine/"""';
    const text = `chatgpt_base_url = "http://127.0.0.1:8081/backend-api/"  # codex-mitm-was: ${JSON.stringify(was)}\n${START} approach=a\nmodel = "o3"\n${END}\n`;
    const r = reverseConfig(text);
    expect(r.text).toBe(`${was}\nmodel = "o3"\n`);
    expect(parse(r.text!)).toEqual({ chatgpt_base_url: 'https://mine/', model: 'o3' });
    expect(r.kept).toMatchObject({ line: 3, lastLine: 3, count: 1 });
  });
});
