import yargs from 'yargs';
import type { Argv } from 'yargs';
import { ExitCode } from '../errors.js';
import { VERSION } from '../version.js';
import type { CliContext } from './context.js';
import { reportFailure } from './fail.js';
import { type BatchprepCommand, mount, STDIN_TOKEN } from './command.js';
import { usageError } from './usage.js';
import { resolveEnvironment } from '../config/environment.js';

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
  argv = argv.map((a) => (a === '-' ? STDIN_TOKEN : a));
  ctx = { ...ctx }; // its env gets the profile and secret files, after the command line is checked
  const result = { code: ExitCode.Ok as number, debug: argv.includes('--debug') };
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
    }) as never)
    .strict()
    .demandCommand(1, 'Name a command: validate, prepare, pack, finpro, filex or schema (see --help).')
    .recommendCommands()
    .wrap(width)
    .epilogue(
      'Exit codes: 0 success, 1 data rejected, 2 usage or local I/O error, 3 remote or transport failure, 4 authentication refused.\n' +
        'Docs: README.md. Secrets come from the environment (or *_FILE files) only, never from flags or profiles.\n' +
        'Profiles: --profile NAME or BATCHPREP_PROFILE picks [profile NAME] in $BATCHPREP_CONFIG_FILE, else $XDG_CONFIG_HOME/batchprep/config, else ~/.config/batchprep/config.',
    )
    .exitProcess(false)
    // Throwing (not recording) is what stops yargs: the command's handler never runs after a
    // usage failure, so a mistyped flag reads, writes and sends nothing.
    .middleware(((_args: unknown, current: Argv) => {
      parsing = current;
    }) as never, true)
    .fail((msg, err) => {
      throw err ?? usageError(msg ?? 'invalid command line', parsing);
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
