import yargs from 'yargs';
import type { Argv } from 'yargs';
import { ExitCode, isBatchprepError } from '../errors.js';
import { VERSION } from '../version.js';
import type { CliContext } from './context.js';
import { reportFailure } from './fail.js';
import { type BatchprepCommand, mount, STDIN_TOKEN } from './command.js';
import { checkMissingValues, checkNumbers, usageError } from './usage.js';
import { resolveEnvironment } from '../config/environment.js';
import { redacting } from './output.js';
import { registerSecretsFromEnv } from '../redact.js';
import { EXIT_CODES_HELP, COMMON_ENV_HELP } from './help.js';

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
  { name: 'sandbox', usage: 'sandbox', describe: 'Run FinPro, FIP and fileX on 127.0.0.1 to rehearse a pipeline (see sandbox --help)', load: async () => (await import('./commands/sandbox.js')).sandboxCommand },
  { name: 'schema', usage: 'schema', describe: 'Print (or write) the JSON Schemas of the consent file formats, generated from the zod schemas', load: async () => (await import('./commands/schema.js')).schemaCommand },
];

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], ctx: CliContext): Promise<number> {
  // Every byte of text leaves through one redaction point, secrets known before anything runs.
  registerSecretsFromEnv(ctx.env);
  // A copy: its env gets the profile and secret files after the command line is checked.
  ctx = { ...ctx, stdout: redacting(ctx.stdout), stderr: redacting(ctx.stderr) };
  const rawArgv = argv;
  argv = argv.map((a) => (a === '-' ? STDIN_TOKEN : a));
  const result: { code: number; debug: boolean; usage?: string } = { code: ExitCode.Ok as number, debug: argv.includes('--debug') };
  const width = Math.min(100, (ctx.stdout as { columns?: number }).columns ?? 100);
  let parsing: Argv | undefined;
  let y: Argv<any> = yargs(argv)
    .scriptName('batchprep')
    .usage('$0 <command> [options]\n\nPrepare, validate and submit batch files for FinPro consent uploads and FINRA fileX.')
    .version(VERSION)
    .option('debug', { type: 'boolean', describe: 'Show stack traces for failures (secrets stay redacted)', global: true })
    .option('profile', { type: 'string', global: true, describe: 'Settings profile from the config file (default: $BATCHPREP_PROFILE, else [default]); see README "Profiles and secrets"' })
    // After validation, before any handler: profile under the environment, *_FILE secrets read.
    .middleware((async (args: { profile?: string }) => {
      ctx.env = await resolveEnvironment(ctx.env, { profile: args.profile, cwd: ctx.cwd });
      registerSecretsFromEnv(ctx.env); // secrets read from *_FILE files are masked too
    }) as never)
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'No progress or summary lines on stderr (failures are still shown)', global: true })
    .option('progress', { type: 'boolean', describe: 'Draw progress (percent and time left when the size is known) even when stderr is not a terminal', global: true })
    .conflicts('quiet', 'progress')
    .example('$0 validate consents.csv', 'check a file; exit 0 when FinPro would accept it')
    .example('$0 prepare consents.csv --out-dir parts', 'split into upload-ready parts with a manifest')
    .example('$0 finpro submit parts/', 'upload every part of a prepare run')
    .example('$0 filex upload report.zip 0001/app1/in', 'upload to FINRA fileX; prints the trackingId')
    .strict()
    .demandCommand(1, 'Name a command: validate, prepare, pack, finpro, filex, schema or sandbox (see --help).')
    .recommendCommands()
    .wrap(width)
    .epilogue(
      `${EXIT_CODES_HELP}\nEnvironment: ${COMMON_ENV_HELP}; each command's --help lists the variables it reads.\n` +
        'Docs: README.md. Secrets come from the environment (or *_FILE files) only, never from flags or profiles, and are masked in all output.\n' +
        'Profiles: --profile NAME or BATCHPREP_PROFILE picks [profile NAME] in $BATCHPREP_CONFIG_FILE, else $XDG_CONFIG_HOME/batchprep/config, else ~/.config/batchprep/config.',
    )
    .exitProcess(false)
    // Throwing (not recording) is what stops yargs: the command's handler never runs after a
    // usage failure, so a mistyped flag reads, writes and sends nothing.
    .middleware(((args: Record<string, unknown>, current: Argv) => {
      parsing = current;
      ctx.quiet = args.quiet === true;
      ctx.forceProgress = args.progress === true;
      // yargs turns `--max-errors abc` into NaN: a usage error naming the flag and what was typed.
      checkNumbers(args, current, rawArgv);
      checkMissingValues(current, rawArgv);
    }) as never, true)
    .fail((msg, err) => {
      if (err && isBatchprepError(err)) throw err;
      // yargs re-wraps an error thrown by a `coerce` (a bad size, number or --report) in a YError.
      if (err && err.name !== 'YError') throw err;
      throw usageError(msg ?? err?.message ?? 'invalid command line', parsing, result.usage);
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
  return result.code;
}
