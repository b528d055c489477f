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
    color: isTTY && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') && process.env.TERM !== 'dumb',
    env: process.env,
    cwd: process.cwd(),
    columns: isTTY ? process.stdout.columns : undefined,
  };
}
