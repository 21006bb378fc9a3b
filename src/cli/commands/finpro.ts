import type { BatchprepCommand } from '../main.js';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { addSubmitOptions, finproSubmitCommand } from './finpro-submit.js';
import type { FinProSubmitArgs } from './finpro-submit.js';

/**
 * `finpro <command>`: the FinPro File Upload API. `mount` hands a command's `run` the CLI
 * context only at the top level, so the parent takes the subcommand as a positional and
 * dispatches to it; `submit` is the one subcommand today.
 */
export const finproCommand: BatchprepCommand<FinProSubmitArgs & { command: string }> = {
  command: 'finpro <command> <file>',
  describe: 'FinPro File Upload API: submit consent files (finpro submit <file|-|DIR>)',
  builder: (y) =>
    addSubmitOptions(
      y
        .usage(
          '$0 finpro submit <file|-|DIR|manifest.json> [options]\n\n' +
            `${finproSubmitCommand.describe}.\n` +
            'Credentials from the environment: FINPRO_CLIENT_ID, FINPRO_CLIENT_SECRET, FINPRO_APP_ID, FINPRO_ORG_ID; base URL from FINPRO_BASE_URL or --endpoint.',
        )
        .positional('command', { type: 'string', choices: ['submit'], describe: 'What to do' }),
    ),
  run: async (args, ctx) => {
    if (args.command !== 'submit') throw new BatchprepError(ErrorCode.UsageError, `unknown finpro command '${args.command}' (try: finpro submit <file>)`);
    return finproSubmitCommand.run(args, ctx);
  },
};
