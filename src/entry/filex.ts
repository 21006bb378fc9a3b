/**
 * `batchprep/filex`: FINRA fileX (REST, S3 Direct, SFTP). The AWS SDK and ssh2 load only when
 * a transfer over S3 or SFTP starts.
 */
export { createFilexClient, downloadArchived, downloadFromFilex, listFilex, trackFilex, uploadToFilex } from '../submit/filex/api.js';
export type { DownloadFromFilexOptions, FilexTransportOptions, UploadToFilexOptions } from '../submit/filex/api.js';
export type { FilexTransport, Via } from '../submit/filex/transports/transport.js';
export { FilexClient } from '../submit/filex/client.js';
export type { FilexClientOptions, FilexEntry, S3TransferTokens, TrackingRecord } from '../submit/filex/client.js';
export type { DownloadResult } from '../submit/filex/download.js';
export type { UploadResult } from '../submit/filex/transports/rest.js';
export type { SftpOptions } from '../submit/filex/transports/sftp-options.js';
export { FILEX_MAX_BYTES } from '../core/filex-rules.js';
export { BatchprepError, ErrorCode, isBatchprepError } from '../errors.js';
