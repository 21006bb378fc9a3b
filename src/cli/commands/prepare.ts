import type { BatchprepCommand } from '../main.js';
import { BatchprepError, ErrorCode } from '../../errors.js';

// Placeholder until the command lands; replaced by its issue's work.
export const prepareCommand: BatchprepCommand = {
  command: 'prepare',
  describe: '(prepare: not yet available)',
  builder: (y) => y,
  run: async () => {
    throw new BatchprepError(ErrorCode.UsageError, 'prepare is not available yet');
  },
};
