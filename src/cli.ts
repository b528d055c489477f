import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { InputError } from './model.js';
import { processIo, type Io } from './io.js';
import { approachARules, rustRules } from './rules/files.js';
// The one place modules load on demand: each command's module (and what it pulls in: tree-sitter,
// mockttp, Ink) loads when that command runs, so `--help`, `--version` and a usage error start in
// ~0.15 s instead of ~1.5 s (measured: every module at start-up made `--help` ten times slower).
// Typed by the modules themselves; a module that fails to load fails the command loudly.
function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  return (async (...args: unknown[]) => ((await load())[name] as (...a: unknown[]) => Promise<number>)(...args)) as M[K];
}
const scanCommand = lazy(() => import('./commands/scan.js'), 'scanCommand');
const docsCommand = lazy(() => import('./commands/docs.js'), 'docsCommand');
const patchTreeCommand = lazy(() => import('./commands/patch-tree.js'), 'patchTreeCommand');
const unpatchTreeCommand = lazy(() => import('./commands/patch-tree.js'), 'unpatchTreeCommand');
const patchHomeCommand = lazy(() => import('./commands/patch-home.js'), 'patchHomeCommand');
const unpatchHomeCommand = lazy(() => import('./commands/patch-home.js'), 'unpatchHomeCommand');
const runCommand = lazy(() => import('./commands/patch-home.js'), 'runCommand');
const verifyCommand = lazy(() => import('./commands/verify.js'), 'verifyCommand');
const diffCommand = lazy(() => import('./commands/diff.js'), 'diffCommand');
const captureCommand = lazy(() => import('./commands/capture.js'), 'captureCommand');
const showCommand = lazy(() => import('./commands/show.js'), 'showCommand');
const wizardCommand = lazy(() => import('./commands/wizard.js'), 'wizardCommand');

/** `--ca-env` of verify: the CA variables of rules/approach-a.toml, or none. */
function caEnvChoices(): string[] {
  const { ca } = approachARules();
  return [ca.ca_env, ca.fallback_env, 'none'];
}

const require = createRequire(import.meta.url);
export const VERSION: string = (require('../package.json') as { version: string }).version;

type Handler = () => Promise<number>;

/** Builds the command tree; each action stores its handler so `main` can await its exit code. */
export function buildProgram(io: Io, setHandler: (h: Handler) => void): Command {
  const program = new Command();
  program
    .name('codex-mitm')
    .description('Find every network channel of a codex-rs tree, how to capture it, and make it so.')
    .version(VERSION, '-V, --version')
    // one error style: commander's own usage errors read like every other one (`codex-mitm: ...`)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (str, write) => write(str.replace(/^error: /, 'codex-mitm: ')) })
    .showHelpAfterError(false)
    .exitOverride();

  const approach = (desc: string, choices = ['a', 'b', 'ca']) =>
    new Option('--approach <approach>', desc).choices(choices);

  program
    .command('scan')
    .description('scan a codex checkout (or its codex-rs folder) and report channels, clients, TLS roots')
    .argument('[path]', 'codex checkout or codex-rs folder (default: current directory; none there: the source of the installed codex)')
    .option('--codex-version <version>', 'scan the source of this codex version (fetched once with git: rust-v<version>, codex-rs only)')
    .option('--source-repo <url>', 'repository to fetch versions from', rustRules().tree.source_repo)
    .option('--binary <path>', 'also read a codex binary (or its npm launcher): hosts, URLs, env names; cross-checked with the tree')
    .option('--json', 'JSON report (schemaVersion 1)')
    .option('--markdown', 'Markdown report')
    .option('--sarif', 'SARIF 2.1.0 report')
    .option('--include-tests', 'also show findings in test code')
    .option('--no-cache', 'do not use or fill the parse cache')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action((path: string | undefined, opts) => setHandler(() => scanCommand(path, opts, io)));

  program
    .command('diff')
    .description('what changed in codex networking between two trees, scan --json reports or versions')
    .argument('<a>', 'codex-rs tree, scan --json report (*.json) or version (0.148.0)')
    .argument('<b>', 'the same, for the newer side')
    .option('--json', 'JSON')
    .option('--markdown', 'Markdown')
    .option('--source-repo <url>', 'repository to fetch versions from', rustRules().tree.source_repo)
    .action((a: string, b: string, opts) => setHandler(() => diffCommand(a, b, opts, io)));

  program
    .command('docs')
    .description('regenerate the channel table between the codex-mitm markers in a Markdown file')
    .argument('[file]', 'Markdown file (default: docs/channels.md)')
    .option('--root <path>', 'codex-rs tree to scan (default: fixtures/codex-rs of this package)')
    .option('--check', 'exit 1 and print a diff when the file is stale; write nothing')
    .option('--versions <json...>', 'scan --json reports of real codex trees: also regenerate the versions table')
    .action((file: string | undefined, opts) => setHandler(() => docsCommand(file, opts, io)));

  const patchCommon = (cmd: Command) =>
    cmd
      .option('--dry-run', 'print the diff, write nothing')
      .option('--json', 'print the plan as JSON')
      .option('--codex-home <dir>', 'codex home (default: $CODEX_HOME, else ~/.codex)');

  patchCommon(
    program
      .command('patch')
      .description('apply an approach: a (reverse proxy config), b (rebuild with native roots), ca (custom CA env)')
      .argument('[path]', 'codex-rs tree (approach b; for a/ca: source tree used for coverage, like --root)')
      .addOption(approach('capture approach').makeOptionMandatory())
      .option('--include-dev', 'approach b: also patch dev-dependencies')
      .option('--force', 'approach b: write even when the rebuild would not change what codex trusts')
      .option('--root <path>', 'approach a/ca: codex source tree, for version and coverage')
      .addOption(new Option('--auth <mode>', 'approach a/ca: auth mode (default: from auth.json)').choices(['apikey', 'chatgpt']))
      .option('--codex-version <version>', 'approach a/ca: codex version (default: codex --version on PATH, else the --root tree)')
      .option('--model-port <port>', 'approach a: model API reverse proxy port', '8080')
      .option('--backend-port <port>', 'approach a: ChatGPT backend reverse proxy port', '8081')
      .option('--proxy-port <port>', 'approach ca: forward proxy port', '8080')
      .option('--listen-host <host>', 'proxy listen host (loopback only)', '127.0.0.1')
      .option('--ca <file>', 'approach ca: CA certificate PEM (default: ~/.mitmproxy/mitmproxy-ca-cert.pem)'),
  ).action((path: string | undefined, opts, cmd: Command) =>
    setHandler(() => {
      if (opts.approach !== 'b') {
        if (opts.force) throw new InputError('--force: for --approach b only (approach a and ca replace their own earlier block, and refuse only what cannot be undone)');
        return patchHomeCommand(path, opts, io);
      }
      // approach b edits Cargo manifests: a flag about the codex home or its proxies means a mix-up
      const homeOnly = ['root', 'auth', 'codexVersion', 'modelPort', 'backendPort', 'proxyPort', 'listenHost', 'ca', 'codexHome'];
      const given = homeOnly.filter((k) => cmd.getOptionValueSource(k) === 'cli');
      if (given.length > 0) {
        const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        throw new InputError(`${given.map(flag).join(', ')}: for --approach a and ca only (approach b patches the Cargo manifests of PATH)`);
      }
      return patchTreeCommand(path, opts, io);
    }),
  );

  patchCommon(
    program
      .command('unpatch')
      .description('restore the exact bytes a patch changed')
      .argument('[path]', 'codex-rs tree (approach b)')
      .addOption(approach('approach to undo').makeOptionMandatory())
      .option('--force', 'restore even files edited since the patch'),
  ).action((path: string | undefined, opts) =>
    setHandler(() => (opts.approach === 'b' ? unpatchTreeCommand(path, opts, io) : unpatchHomeCommand(path, opts, io))),
  );

  program
    .command('run')
    .description('run codex with the env file of an applied approach (a or ca)')
    .addOption(approach('approach whose env file to use', ['a', 'ca']))
    .option('--codex-home <dir>', 'codex home (default: $CODEX_HOME, else ~/.codex)')
    .argument('<command...>', 'command to run, after --')
    .action((argv: string[], opts) => setHandler(() => runCommand(argv, opts, io)));

  program
    .command('verify')
    .description('run the real codex offline against loopback listeners and report what it contacted')
    .option('--codex <bin>', 'codex binary (default: codex on PATH)')
    .addOption(approach('approach to verify'))
    .option('--codex-home <dir>', 'codex home to derive the throwaway home from')
    .option('--timeout <seconds>', 'how long to let codex run', '20')
    .option('--json', 'JSON observations')
    .option('--markdown', 'Markdown section for docs')
    .option('--root <path>', 'codex-rs tree: compare with the static prediction')
    .addOption(new Option('--auth <mode>', 'fake auth to use').choices(['apikey', 'chatgpt']))
    .addOption(new Option('--ca-env <name>', 'approach ca: which env var carries the CA').choices(caEnvChoices()))
    .action((opts) => setHandler(() => verifyCommand(undefined, opts, io)));

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('capture')
    .description('run codex through a recording proxy: every request forwarded upstream and saved as HAR')
    .argument('[codex-args...]', 'arguments for codex, after --')
    .option('--codex <bin>', 'codex binary (default: codex on PATH)')
    .addOption(approach('ca (forward proxy + CA env) or a (reverse listeners); default: from --root, else by version', ['a', 'ca']))
    .option('--out <dir>', 'folder for the recordings (default: ~/.local/state/codex-mitm/captures)')
    .option('--root <path>', 'codex-rs tree or scan --json report: predictions and the default approach')
    .addOption(new Option('--home <which>', 'throwaway: a copy of your config in a temporary home; user: your codex home').choices(['throwaway', 'user']).default('throwaway'))
    .option('--codex-home <dir>', 'your codex home (default: $CODEX_HOME, else ~/.codex)')
    .option('--upstream <host=addr>', 'send HOST to ADDR[:PORT] instead (repeatable; HOST may be *)', collect)
    .option('--upstream-proxy <url>', 'chain to this proxy (corporate gateways)')
    .option('--upstream-ca <pem>', 'also trust this CA for upstream TLS (repeatable)', collect)
    .option('--keep-secrets', 'do not redact tokens, keys and cookies in the recording')
    .option('--no-isolate', 'run codex without the private network namespace')
    .option('--json', 'print the summary as JSON')
    .action((args: string[], opts) => setHandler(() => captureCommand(args, opts, io)));

  program
    .command('show')
    .description('summarise a capture: per channel, per request, and the model turns put back together')
    .argument('<file>', 'a .har file written by capture')
    .option('--channel <id>', 'only this channel')
    .option('--json', 'JSON')
    .action((file: string, opts) => setHandler(async () => showCommand(file, opts, io)));

  program
    .command('wizard', { isDefault: false })
    .description('interactive wizard (also: codex-mitm with no arguments in a terminal)')
    .option('--root <path>', 'codex source tree')
    .option('--codex-home <dir>', 'codex home')
    .action((opts) => setHandler(() => wizardCommand(undefined, opts, io)));

  for (const cmd of program.commands) {
    const ex = EXAMPLES[cmd.name()];
    if (ex) cmd.addHelpText('after', `\nExamples:\n${ex.map((l) => `  ${l}`).join('\n')}\n`);
  }
  program.addHelpText('after', `\nExamples:\n${EXAMPLES.top!.map((l) => `  ${l}`).join('\n')}\n`);
  return program;
}

/** `--help` examples of each command (and of the program). */
const EXAMPLES: Record<string, string[]> = {
  top: [
    'codex-mitm scan ~/src/codex              # which channels, how to capture them, the next command',
    'codex-mitm patch --approach ca --root ~/src/codex/codex-rs',
    'codex-mitm run -- codex                  # start codex with the applied approach',
    'codex-mitm capture -- exec "hello"       # or: record everything codex sends, in one command',
  ],
  scan: [
    'codex-mitm scan ~/src/codex                      # a checkout or its codex-rs folder',
    'codex-mitm scan codex-rs --json -o scan.json     # the full report as JSON (schemaVersion 1)',
    'codex-mitm scan codex-rs --markdown --include-tests',
    'codex-mitm scan --codex-version 0.171.0               # fetch that version\'s source once, then scan it',
    'codex-mitm scan codex-rs --binary $(which codex)       # cross-check the tree with the installed binary',
  ],
  diff: [
    'codex-mitm diff 0.147.1 0.148.0                  # fetches both versions\' source once',
    'codex-mitm diff old.json new.json --markdown     # two saved scan --json reports',
  ],
  docs: [
    'codex-mitm docs --check                          # exit 1 with a diff when docs/channels.md is stale',
    'codex-mitm docs --root ~/src/codex/codex-rs --versions 0.98.json 0.148.json',
  ],
  patch: [
    'codex-mitm patch --approach ca --root codex-rs --dry-run   # show the env file it would write',
    'codex-mitm patch --approach a --root codex-rs --auth chatgpt',
    'codex-mitm patch --approach b codex-rs                     # switch webpki roots to native roots',
    'codex-mitm patch --approach b codex-rs --force             # even where the rebuild changes no trust',
  ],
  unpatch: ['codex-mitm unpatch --approach ca', 'codex-mitm unpatch --approach b codex-rs --dry-run'],
  run: ['codex-mitm run -- codex', 'codex-mitm run --approach a -- codex exec "hello"'],
  verify: [
    'codex-mitm verify --approach ca --root codex-rs             # needs the codex binary on PATH',
    'codex-mitm verify --codex ./node_modules/.bin/codex --approach a --auth chatgpt --markdown',
  ],
  capture: [
    'codex-mitm capture                               # interactive codex, everything recorded',
    'codex-mitm capture --home user -- exec "hello"   # your sign-in; the HAR path is printed at exit',
    'codex-mitm capture --approach a --root codex-rs -- exec "hello"',
  ],
  show: ['codex-mitm show ~/.local/state/codex-mitm/captures/codex-0.171.0-20261202T120000Z.har', 'codex-mitm show FILE.har --channel model-api --json'],
  wizard: ['codex-mitm wizard --root ~/src/codex/codex-rs'],
};

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let handler: Handler | undefined;
  const program = buildProgram(io, (h) => {
    handler = h;
  });
  const args = argv.slice(2);
  try {
    if (args.length === 0) {
      if (io.isTTY && process.stdin.isTTY) return await wizardCommand(undefined, {}, io);
      io.stdout(program.helpInformation());
      return 0;
    }
    await program.parseAsync(argv);
    return handler ? await handler() : 0;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    // --help and --version end here with exitCode 0; usage errors with 1 → bad input is 2.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof InputError) {
    io.stderr(`codex-mitm: ${err.oneLine}\n`);
    return 2;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    io.stderr(`codex-mitm: ${e.message.split('\n')[0]}\n`);
    return 2;
  }
  throw err;
}
