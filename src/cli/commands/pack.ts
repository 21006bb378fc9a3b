import type { BatchprepCommand } from '../main.js';
import { BatchprepError, ErrorCode } from '../../errors.js';

// Placeholder until the command lands; replaced by its issue's work.
export const packCommand: BatchprepCommand = {
  command: 'pack',
  describe: '(pack: not yet available)',
  builder: (y) => y,
  run: async () => {
    throw new BatchprepError(ErrorCode.UsageError, 'pack is not available yet');
  },
};
