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
}

export function processIo(): Io {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY,
    color: isTTY && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') && process.env.TERM !== 'dumb',
    env: process.env,
    cwd: process.cwd(),
  };
}
