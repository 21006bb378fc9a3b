import { mount, type BatchprepCommand } from '../command.js';
import { ExitCode } from '../../errors.js';
import { finproSubmitCommand } from './finpro-submit.js';
import { EXIT_CODES_HELP, FINPRO_ENV_HELP } from '../help.js';

/** `batchprep finpro submit`: the subcommand's run result is the exit code (via `mount`). */
export const finproCommand: BatchprepCommand = {
  command: 'finpro',
  describe: 'FinPro File Upload API: submit consent files (finpro submit <file|-|DIR>)',
  builder: (y, ctx, result) =>
    mount(y, finproSubmitCommand, ctx, result)
      .demandCommand(1, 'Name a finpro command: submit (see batchprep finpro --help).')
      .example('$0 finpro submit consents.csv', 'validate locally, then upload one file')
      .example('$0 finpro submit parts/', 'upload every part of a prepare run')
      .epilogue(`${FINPRO_ENV_HELP}\n${EXIT_CODES_HELP}`),
  // Reached only without a subcommand, after yargs has already said so (demandCommand).
  run: async () => ExitCode.Usage,
};
