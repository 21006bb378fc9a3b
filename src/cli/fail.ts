import { BatchprepError, ErrorCode, ExitCode, isBatchprepError } from '../errors.js';
import { redact } from '../redact.js';
import type { CliContext } from './context.js';

/**
 * Turns any thrown value into one redacted line on stderr and an exit code. With
 * `--debug` the stack (redacted too) follows; without it, never.
 */
export function reportFailure(err: unknown, ctx: CliContext, debug: boolean): number {
  const e: BatchprepError = isBatchprepError(err)
    ? err
    : new BatchprepError(ErrorCode.IoError, `unexpected internal error: ${(err as Error)?.message ?? String(err)} (run with --debug for details)`, {
        cause: err,
      });
  if (e.code === ErrorCode.Aborted) {
    // An interrupt that had something to clean up says what it did (e.g. a partial SFTP upload).
    ctx.stderr.write(e.message.startsWith('interrupted; ') ? `batchprep: ${redact(e.message)}\n` : 'batchprep: interrupted; nothing partial was left behind\n');
    return ExitCode.Interrupted;
  }
  ctx.stderr.write(`batchprep: ${e.code}: ${redact(e.message)}\n`);
  if (debug) {
    const stack = (isBatchprepError(err) && err.cause instanceof Error ? err.cause.stack : (err as Error)?.stack) ?? '';
    if (stack) ctx.stderr.write(`${redact(stack)}\n`);
  }
  return isBatchprepError(err) ? e.exitCode : ExitCode.Usage;
}
