import type { Io } from '../io.js';

/** "files parsed / total" on stderr, only on a TTY and only once the work has taken over half a second. */
export function progressReporter(io: Io, label = 'parsing', delayMs = 500): { update: (done: number, total: number) => void; done: () => void } {
  // stderr decides: `scan --json > report.json` in a terminal still shows progress.
  const tty = Boolean(process.stderr.isTTY) && io.env.TERM !== 'dumb';
  const start = Date.now();
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - start < delayMs || (now - last < 80 && done < total)) return;
      last = now;
      shown = true;
      io.stderr(`\r${label} ${done}/${total} files`);
    },
    done() {
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}
