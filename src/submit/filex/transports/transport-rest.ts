import { BatchprepError, ErrorCode } from '../../../errors.js';
import type { FilexClient } from '../client.js';
import { restSpace } from '../download.js';
import { uploadRest } from './rest.js';
import type { FilexTransport, TransportContext } from './transport.js';

// The REST transport cannot work without the fileX client.
function needClient(ctx: TransportContext): FilexClient {
  if (!ctx.client) throw new BatchprepError(ErrorCode.MissingCredential, 'fileX REST needs FILEX_USERNAME and FILEX_PASSWORD');
  return ctx.client;
}

/** HTTPS REST: pre-signed URLs from `/files`, directory documents for listings. */
export const restTransport: FilexTransport = {
  via: 'rest',
  needsClient: true,
  needsSftp: false,
  upload: (ctx, src, path, o) => uploadRest(needClient(ctx), src, path, { meta: o.meta, signal: ctx.signal, onProgress: o.onProgress }),
  withSpace: (ctx, space, fn) => fn(restSpace(needClient(ctx), space, ctx.signal)),
  list: (ctx, path) => needClient(ctx).list(path, ctx.signal),
};
