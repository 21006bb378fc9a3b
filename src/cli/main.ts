import yargs from 'yargs';
import type { Argv } from 'yargs';
import { ExitCode } from '../errors.js';
import { VERSION } from '../version.js';
import type { CliContext } from './context.js';
import { reportFailure } from './fail.js';

/** A yargs command whose handler returns the exit code instead of exiting. */
export interface BatchprepCommand<A = any> {
  command: string | string[];
  describe: string;
  /** `ctx` and `result` let a parent command `mount` its subcommands (e.g. `filex upload`). */
  builder: (y: Argv, ctx: CliContext, result: { code: number; debug: boolean }) => Argv<any>;
  run: (args: A, ctx: CliContext) => Promise<number>;
}

/**
 * The commands, loaded lazily: only the invoked command's module (and its dependencies,
 * such as the AWS SDK for filex) is imported, so `validate` on a 1 GB file does not pay
 * tens of MB of RSS for clients it never uses. The others are listed by name for --help.
 */
const commands: Array<{ name: string; usage: string; describe: string; load: () => Promise<BatchprepCommand> }> = [
  { name: 'validate', usage: 'validate [files..]', describe: 'Check consent files (CSV/JSON) against the FinPro upload rules; writes nothing', load: async () => (await import('./commands/validate.js')).validateCommand },
  { name: 'prepare', usage: 'prepare [file]', describe: 'Validate, normalise and split a consent file into upload-ready parts with a manifest', load: async () => (await import('./commands/prepare.js')).prepareCommand },
  { name: 'pack', usage: 'pack <inputs..>', describe: 'Zip files for FINRA fileX into archives under the upload cap, splitting big CSVs by rows', load: async () => (await import('./commands/pack.js')).packCommand },
  { name: 'finpro', usage: 'finpro <command>', describe: 'FinPro File Upload API: submit consent files (finpro submit <file|-|DIR>)', load: async () => (await import('./commands/finpro.js')).finproCommand },
  { name: 'filex', usage: 'filex <command>', describe: 'FINRA fileX: list, upload (REST, S3 Direct, SFTP), download and track files', load: async () => (await import('./commands/filex.js')).filexCommand },
  { name: 'schema', usage: 'schema', describe: 'Print (or write) the JSON Schemas of the consent file formats, generated from the zod schemas', load: async () => (await import('./commands/schema.js')).schemaCommand },
];

/**
 * yargs drops a lone `-` from positional lists, yet `-` means stdin (SPEC section 4): it is
 * swapped for this token before parsing and swapped back in the parsed arguments.
 */
const STDIN_TOKEN = '\u0000batchprep-stdin\u0000';

function restoreStdin(args: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(args)) {
    if (v === STDIN_TOKEN) args[k] = '-';
    else if (Array.isArray(v)) args[k] = v.map((x) => (x === STDIN_TOKEN ? '-' : x));
  }
  return args;
}

/** Registers a command (and its subcommands) so that its `run` result becomes the exit code. */
export function mount(y: Argv, cmd: BatchprepCommand, ctx: CliContext, result: { code: number; debug: boolean }): Argv {
  return y.command(cmd.command, cmd.describe, (yy: Argv) => cmd.builder(yy, ctx, result), async (args: any) => {
    try {
      result.code = await cmd.run(restoreStdin(args), ctx);
    } catch (err) {
      result.code = reportFailure(err, ctx, result.debug);
    }
  });
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], ctx: CliContext): Promise<number> {
  argv = argv.map((a) => (a === '-' ? STDIN_TOKEN : a));
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
  const invoked = argv.find((a) => !a.startsWith('-'));
  for (const c of commands) {
    if (c.name === invoked) y = mount(y, await c.load(), ctx, result);
    else y = y.command(c.usage, c.describe, (b) => b, () => undefined);
  }
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
