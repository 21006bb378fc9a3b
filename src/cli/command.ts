import type { Argv } from 'yargs';
import type { CliContext } from './context.js';
import { reportFailure } from './fail.js';

/** A yargs command whose handler returns the exit code instead of exiting. */
export interface BatchprepCommand<A = any> {
  command: string | string[];
  describe: string;
  /** `ctx` and `result` let a parent command `mount` its subcommands (e.g. `filex upload`). */
  builder: (y: Argv, ctx: CliContext, result: { code: number; debug: boolean; usage?: string }) => Argv<any>;
  run: (args: A, ctx: CliContext) => Promise<number>;
}

/**
 * yargs drops a lone `-` from positional lists, yet `-` means stdin (SPEC section 4): it is
 * swapped for this token before parsing and swapped back in the parsed arguments.
 */
export const STDIN_TOKEN = '\u0000batchprep-stdin\u0000';

export function restoreStdin(args: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(args)) {
    if (v === STDIN_TOKEN) args[k] = '-';
    else if (Array.isArray(v)) args[k] = v.map((x) => (x === STDIN_TOKEN ? '-' : x));
  }
  return args;
}

/** Registers a command (and its subcommands) so that its `run` result becomes the exit code. */
export function mount(y: Argv, cmd: BatchprepCommand, ctx: CliContext, result: { code: number; debug: boolean; usage?: string }): Argv {
  const name = Array.isArray(cmd.command) ? cmd.command[0]! : cmd.command;
  return y.command(cmd.command, cmd.describe, (yy: Argv) => {
    // The innermost command being parsed, for usage messages that name a missing positional.
    result.usage = result.usage && !result.usage.endsWith(name) ? `${result.usage.split(' ')[0]} ${name}` : name;
    return cmd.builder(yy, ctx, result);
  }, async (args: any) => {
    try {
      result.code = await cmd.run(restoreStdin(args), ctx);
    } catch (err) {
      result.code = reportFailure(err, ctx, result.debug);
    }
  });
}

