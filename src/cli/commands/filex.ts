import type { BatchprepCommand } from '../main.js';
import { BatchprepError, ErrorCode } from '../../errors.js';

// Placeholder until the command lands; replaced by its issue's work.
export const filexCommand: BatchprepCommand = {
  command: 'filex',
  describe: '(filex: not yet available)',
  builder: (y) => y,
  run: async () => {
    throw new BatchprepError(ErrorCode.UsageError, 'filex is not available yet');
  },
};
