import yargs from 'yargs';
import type { Argv } from 'yargs';
import { ExitCode } from '../errors.js';
import { VERSION } from '../version.js';
import type { CliContext } from './context.js';
import { reportFailure } from './fail.js';
import { validateCommand } from './commands/validate.js';
import { prepareCommand } from './commands/prepare.js';
import { packCommand } from './commands/pack.js';
import { schemaCommand } from './commands/schema.js';
import { finproCommand } from './commands/finpro.js';
import { filexCommand } from './commands/filex.js';

/** A yargs command whose handler returns the exit code instead of exiting. */
export interface BatchprepCommand<A = any> {
  command: string | string[];
  describe: string;
  /** `ctx` and `result` let a parent command `mount` its subcommands (e.g. `filex upload`). */
  builder: (y: Argv, ctx: CliContext, result: { code: number; debug: boolean }) => Argv<any>;
  run: (args: A, ctx: CliContext) => Promise<number>;
}

const commands: BatchprepCommand[] = [
  validateCommand,
  prepareCommand,
  packCommand,
  finproCommand,
  filexCommand,
  schemaCommand,
];

/** Registers a command (and its subcommands) so that its `run` result becomes the exit code. */
export function mount(y: Argv, cmd: BatchprepCommand, ctx: CliContext, result: { code: number; debug: boolean }): Argv {
  return y.command(cmd.command, cmd.describe, (yy: Argv) => cmd.builder(yy, ctx, result), async (args: any) => {
    try {
      result.code = await cmd.run(args, ctx);
    } catch (err) {
      result.code = reportFailure(err, ctx, result.debug);
    }
  });
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const result = { code: ExitCode.Ok as number, debug: argv.includes('--debug') };
  const width = Math.min(100, (ctx.stdout as { columns?: number }).columns ?? 100);
  let usageFailed = false;
  let y: Argv<any> = yargs(argv)
    .scriptName('batchprep')
    .usage('$0 <command> [options]\n\nPrepare, validate and submit batch files for FinPro consent uploads and FINRA fileX.')
    .version(VERSION)
    .option('debug', { type: 'boolean', describe: 'Show stack traces for failures (secrets stay redacted)', global: true })
    .strict()
    .demandCommand(1, 'Name a command: validate, prepare, pack, finpro, filex or schema (see --help).')
    .recommendCommands()
    .wrap(width)
    .epilogue(
      'Exit codes: 0 success, 1 data rejected, 2 usage or local I/O error, 3 remote or transport failure, 4 authentication refused.\n' +
        'Docs: README.md. Secrets come from the environment only, never from flags.',
    )
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      usageFailed = true;
      ctx.stderr.write(`batchprep: UsageError: ${msg}\nRun 'batchprep --help' or 'batchprep <command> --help' for usage.\n`);
    });
  for (const cmd of commands) y = mount(y, cmd, ctx, result);
  let output = '';
  try {
    await y.parseAsync(argv, {}, (_err, _argv, out) => {
      output = out;
    });
  } catch (err) {
    return reportFailure(err, ctx, result.debug);
  }
  if (output) ctx.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  if (usageFailed) return ExitCode.Usage;
  return result.code;
}
