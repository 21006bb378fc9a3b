import type { Readable, Writable } from 'node:stream';

/**
 * Everything a command may know about its process, handed in by `bin.ts` so that commands
 * stay testable and the library never touches `process`.
 */
export interface CliContext {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  cwd: string;
  /** stderr is a terminal: progress bars and colour are allowed. */
  stderrIsTTY: boolean;
  /** Colour on stderr/stdout text (TTY and no non-empty NO_COLOR). */
  color: boolean;
  /** Fires on Ctrl-C. */
  signal: AbortSignal;
  /** `--quiet`: no progress and no summary lines on stderr (failures are still printed). Set by main.ts. */
  quiet?: boolean;
  /** `--progress`: draw progress even when stderr is not a terminal. Set by main.ts. */
  forceProgress?: boolean;
}

/** Writes one informational line to stderr, for people; `--quiet` silences it. */
export function say(ctx: CliContext, line: string): void {
  if (!ctx.quiet) ctx.stderr.write(`${line}\n`);
}

/** Writes one line about a problem to stderr; shown even under `--quiet`. */
export function warn(ctx: CliContext, line: string): void {
  ctx.stderr.write(`${line}\n`);
}

/**
 * A command is about to read stdin: when stdin is a terminal and nothing has been typed
 * after a second, say on stderr what is expected (people who forgot the file name wait
 * forever otherwise). Returns the function that cancels the hint.
 */
export function hintIfStdinIdle(ctx: CliContext, what: string): () => void {
  const stdin = ctx.stdin as Readable & { isTTY?: boolean; bytesRead?: number };
  if (!stdin.isTTY) return () => undefined;
  const timer = setTimeout(() => {
    // bytesRead (a tty is a socket) counts what arrived without adding a listener that
    // would change how the stream is later read.
    if (!stdin.bytesRead) {
      ctx.stderr.write(`batchprep: reading ${what} from stdin (the terminal); type or paste it and end with Ctrl-D, or press Ctrl-C and give a file name\n`);
    }
  }, 1000);
  timer.unref();
  return () => clearTimeout(timer);
}
