import { mount, type BatchprepCommand } from '../command.js';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { filexLsCommand } from './filex-ls.js';
import { filexUploadCommand } from './filex-upload.js';
import { filexDownloadCommand } from './filex-download.js';
import { filexTrackCommand } from './filex-track.js';
import { EXIT_CODES_HELP, FILEX_ENV_HELP } from '../help.js';

/** `batchprep filex ls|upload|download|track`: each subcommand's run result is the exit code (via `mount`). */
export const filexCommand: BatchprepCommand = {
  command: 'filex',
  describe: 'FINRA fileX: list, upload (REST, S3 Direct, SFTP), download and track files',
  builder: (y, ctx, result) => {
    for (const sub of [filexLsCommand, filexUploadCommand, filexDownloadCommand, filexTrackCommand]) mount(y, sub, ctx, result);
    return y
      .demandCommand(1, 'Name a filex command: ls, upload, download or track (see batchprep filex --help).')
      .example('$0 filex ls 0001/app1/out', 'list a space')
      .example('$0 filex upload report.zip 0001/app1/in', 'upload; prints the trackingId')
      .example('$0 filex track TRACKING_ID --wait', 'wait for FINRA to accept (exit 0) or reject (exit 1)')
      .epilogue(`${FILEX_ENV_HELP}\n${EXIT_CODES_HELP}`);
  },
  run: async () => {
    throw new BatchprepError(ErrorCode.UsageError, 'name a filex command: ls, upload, download or track');
  },
};
