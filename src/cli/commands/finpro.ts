import { mount, type BatchprepCommand } from '../command.js';
import { ExitCode } from '../../errors.js';
import { finproSubmitCommand } from './finpro-submit.js';

/** `batchprep finpro submit`: the subcommand's run result is the exit code (via `mount`). */
export const finproCommand: BatchprepCommand = {
  command: 'finpro',
  describe: 'FinPro File Upload API: submit consent files (finpro submit <file|-|DIR>)',
  builder: (y, ctx, result) =>
    mount(y, finproSubmitCommand, ctx, result)
      .demandCommand(1, 'Name a finpro command: submit (see batchprep finpro --help).')
      .epilogue(
        'Environment: FINPRO_CLIENT_ID, FINPRO_CLIENT_SECRET (secret), FINPRO_APP_ID, FINPRO_ORG_ID, FINPRO_BASE_URL (or --endpoint).\n' +
          'Exit codes: 0 uploaded, 1 rejected (locally or by FinPro), 2 usage/local, 3 remote/transport after retries, 4 credentials refused.',
      ),
  // Reached only without a subcommand, after yargs has already said so (demandCommand).
  run: async () => ExitCode.Usage,
};
