// Where commands write. Tests and the wizard pass their own.
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** true when stdout is a terminal (progress bars, colours). */
  isTTY: boolean;
  /** Colours allowed (false with NO_COLOR or no TTY). */
  color: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Terminal width when stdout is a terminal. */
  columns?: number;
}

/** A closed pipe (`codex-mitm scan | head`) ends the output quietly, not with a stack trace. */
function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

export function processIo(): Io {
  quietOnEpipe(process.stdout);
  quietOnEpipe(process.stderr);
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY,
    color: colorWanted(process.env, isTTY),
    env: process.env,
    cwd: process.cwd(),
    columns: isTTY ? process.stdout.columns : undefined,
  };
}

/**
 * Colours: NO_COLOR (non-empty) turns them off; FORCE_COLOR turns them on even in a pipe (`0` or
 * `false` off), as most tools read it; otherwise a TTY that is not `TERM=dumb`.
 */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return isTTY && env.TERM !== 'dumb';
}
