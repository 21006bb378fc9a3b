import type { BatchprepCommand } from '../main.js';
import { BatchprepError, ErrorCode } from '../../errors.js';

// Placeholder until the command lands; replaced by its issue's work.
export const schemaCommand: BatchprepCommand = {
  command: 'schema',
  describe: '(schema: not yet available)',
  builder: (y) => y,
  run: async () => {
    throw new BatchprepError(ErrorCode.UsageError, 'schema is not available yet');
  },
};
