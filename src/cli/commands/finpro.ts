import type { BatchprepCommand } from '../main.js';
import { BatchprepError, ErrorCode } from '../../errors.js';

// Placeholder until the command lands; replaced by its issue's work.
export const finproCommand: BatchprepCommand = {
  command: 'finpro',
  describe: '(finpro: not yet available)',
  builder: (y) => y,
  run: async () => {
    throw new BatchprepError(ErrorCode.UsageError, 'finpro is not available yet');
  },
};
