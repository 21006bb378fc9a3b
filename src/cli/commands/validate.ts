import type { BatchprepCommand } from '../main.js';
import { BatchprepError, ErrorCode } from '../../errors.js';

export const validateCommand: BatchprepCommand = {
  command: 'validate [files..]',
  describe: 'Check consent files (CSV/JSON) against the FinPro upload rules; writes nothing',
  builder: (y) => y,
  run: async () => {
    throw new BatchprepError(ErrorCode.UsageError, 'validate is not available yet');
  },
};
