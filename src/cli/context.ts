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
  /** Colour on stderr/stdout text (TTY and no NO_COLOR). */
  color: boolean;
  /** Fires on Ctrl-C. */
  signal: AbortSignal;
}

/** Writes one line to stderr, for people. */
export function say(ctx: CliContext, line: string): void {
  ctx.stderr.write(`${line}\n`);
}
