import { mount, type BatchprepCommand } from '../command.js';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { filexLsCommand } from './filex-ls.js';
import { filexUploadCommand } from './filex-upload.js';
import { filexDownloadCommand } from './filex-download.js';
import { filexTrackCommand } from './filex-track.js';

/** `batchprep filex ls|upload|download|track`: each subcommand's run result is the exit code (via `mount`). */
export const filexCommand: BatchprepCommand = {
  command: 'filex',
  describe: 'FINRA fileX: list, upload (REST, S3 Direct, SFTP), download and track files',
  builder: (y, ctx, result) => {
    for (const sub of [filexLsCommand, filexUploadCommand, filexDownloadCommand, filexTrackCommand]) mount(y, sub, ctx, result);
    return y
      .demandCommand(1, 'Name a filex command: ls, upload, download or track (see batchprep filex --help).')
      .epilogue(
        'Environment: FILEX_USERNAME, FILEX_PASSWORD (secret), FILEX_BASE_URL, FIP_TOKEN_URL, FILEX_S3_ENDPOINT, ' +
          'FILEX_SFTP_HOST, FILEX_SFTP_PORT, FILEX_SFTP_USER, FILEX_SFTP_KEY_FILE.\n' +
          'Exit codes: 0 ok, 1 rejected by FINRA, 2 usage/local, 3 remote/transport, 4 auth refused.',
      );
  },
  run: async () => {
    throw new BatchprepError(ErrorCode.UsageError, 'name a filex command: ls, upload, download or track');
  },
};
