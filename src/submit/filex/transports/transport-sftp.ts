import { BatchprepError, ErrorCode } from '../../../errors.js';
import { sftpListing, withSftpSpace } from '../remote-spaces.js';
import { uploadSftp } from './sftp.js';
import type { SftpOptions } from './sftp-options.js';
import type { FilexTransport, TransportContext } from './transport.js';

// SFTP settings (host, user, key or password) are required; the REST client is optional.
function needSftp(ctx: TransportContext): SftpOptions {
  if (!ctx.sftp) throw new BatchprepError(ErrorCode.MissingCredential, 'fileX SFTP needs SFTP settings (FILEX_SFTP_HOST, user, key or password)');
  return { ...ctx.sftp, signal: ctx.signal };
}

/**
 * A thin adapter over the SFTP transport (sftp.ts, sftp-session.ts), whose internals stay
 * as they are. With REST credentials, the space's listing is checked for `writable` first.
 */
export const sftpTransport: FilexTransport = {
  via: 'sftp',
  needsClient: false,
  needsSftp: true,
  async upload(ctx, src, path, o) {
    const sftp = needSftp(ctx);
    if (ctx.client) await ctx.client.assertWritable(path, ctx.signal);
    return uploadSftp(sftp, src, path, { signal: ctx.signal, onProgress: o.onProgress, onNotice: ctx.onNotice });
  },
  withSpace: (ctx, space, fn) => withSftpSpace(needSftp(ctx), space, fn),
  list: (ctx, path) => sftpListing(needSftp(ctx), path),
};
