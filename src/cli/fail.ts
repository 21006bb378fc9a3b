import { BatchprepError, ErrorCode, ExitCode, isBatchprepError } from '../errors.js';
import type { CliContext } from './context.js';

/**
 * Turns any thrown value into one coded line on stderr and an exit code. With `--debug` the
 * stack follows; without it, never. (Redaction happens in the output streams: src/cli/output.ts.)
 * An interrupt says only that it was one: what was left behind is for the command to say,
 * where it knows.
 */
export function reportFailure(err: unknown, ctx: CliContext, debug: boolean): number {
  const e: BatchprepError = isBatchprepError(err)
    ? err
    : new BatchprepError(ErrorCode.IoError, `unexpected internal error: ${(err as Error)?.message ?? String(err)}${debug ? '' : ' (run with --debug for details)'}`, {
        cause: err,
      });
  if (e.code === ErrorCode.Aborted) {
    // An interrupt that had something to clean up says what it did (e.g. a partial SFTP upload).
    ctx.stderr.write(e.message.startsWith('interrupted; ') ? `batchprep: Aborted: ${e.message}\n` : 'batchprep: Aborted: interrupted\n');
  } else {
    ctx.stderr.write(`batchprep: ${e.code}: ${e.message}\n`);
  }
  if (debug) {
    const stack = (isBatchprepError(err) && err.cause instanceof Error ? err.cause.stack : (err as Error)?.stack) ?? '';
    if (stack) ctx.stderr.write(`${stack}\n`);
  }
  return isBatchprepError(err) ? e.exitCode : ExitCode.Usage;
}
