import { BatchprepError, ErrorCode } from '../../../errors.js';
import type { FilexClient } from '../client.js';
import { withS3Space } from '../remote-spaces.js';
import { uploadS3 } from './s3.js';
import type { FilexTransport, TransportContext } from './transport.js';

// S3 Direct gets its STS credentials from the fileX REST API.
function needClient(ctx: TransportContext): FilexClient {
  if (!ctx.client) throw new BatchprepError(ErrorCode.MissingCredential, 'fileX S3 Direct needs FILEX_USERNAME and FILEX_PASSWORD (for S3TransferTokens)');
  return ctx.client;
}

/** S3 Direct: STS tokens from `/S3TransferTokens`, multipart uploads, object listings of one space. */
export const s3Transport: FilexTransport = {
  via: 's3',
  needsClient: true,
  needsSftp: false,
  upload: (ctx, src, path, o) =>
    uploadS3(needClient(ctx), src, path, {
      partSize: o.partSize,
      concurrency: o.concurrency,
      resume: o.resume,
      endpoint: ctx.s3Endpoint,
      signal: ctx.signal,
      onProgress: o.onProgress,
      onNotice: ctx.onNotice,
    }),
  withSpace: (ctx, space, fn) => withS3Space(needClient(ctx), space, { endpoint: ctx.s3Endpoint, signal: ctx.signal }, fn),
  async list(ctx, path) {
    if (!path.org || !path.app || !path.space) throw new BatchprepError(ErrorCode.UsageError, 'listing over S3 covers one sub-space: give org/app/space');
    const space = { org: path.org, app: path.app, space: path.space };
    const children = await this.withSpace(ctx, space, (r) => r.list());
    return { name: space.space, type: 'DIR', children };
  },
};
