import { abortedError, BatchprepError, ErrorCode, isBatchprepError } from '../../../errors.js';
import type { FilexPath } from '../names.js';
import { fromSftpError, sftpRemotePath, withSftp, type SftpOptions } from './sftp-session.js';
import { hashingCounter, readRange, type UploadSource } from '../source.js';
import type { UploadResult } from './rest.js';

export interface SftpUploadOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * SFTP upload to `org/app/space/name` under the login directory, in one session that is
 * always closed. The file is written under its final name, not a temporary one renamed
 * after: fileX picks up whatever lands in an upload space, so a temporary name would itself
 * be submitted, and its S3-backed SFTP makes a rename a copy. The remote size is checked
 * after the put; a mismatch is an IntegrityError (exit 3).
 */
export async function uploadSftp(sftpOptions: SftpOptions, src: UploadSource, path: Required<FilexPath>, options: SftpUploadOptions = {}): Promise<UploadResult> {
  const remote = sftpRemotePath(path);
  return withSftp({ ...sftpOptions, signal: options.signal }, async (sftp) => {
    const dir = sftpRemotePath({ org: path.org, app: path.app, space: path.space });
    const kind = await sftp.exists(dir).catch((err) => {
      throw fromSftpError(err, `SFTP ${dir}`);
    });
    if (kind !== 'd') throw new BatchprepError(ErrorCode.RemoteNotFound, `SFTP: no directory ${dir} (check the org/app/space)`);
    const counter = hashingCounter((n) => options.onProgress?.(n, src.size));
    const body = readRange(src.path);
    body.on('error', (err) => counter.destroy(err));
    try {
      await sftp.put(body.pipe(counter), remote);
    } catch (err) {
      if (options.signal?.aborted) throw abortedError(err);
      throw isBatchprepError(err) ? err : fromSftpError(err, `SFTP upload to ${remote}`);
    }
    const st = await sftp.stat(remote).catch((err) => {
      throw fromSftpError(err, `SFTP stat ${remote}`);
    });
    if (st.size !== src.size || counter.bytes() !== src.size) {
      throw new BatchprepError(ErrorCode.IntegrityError, `SFTP: ${remote} is ${st.size} bytes after the upload, expected ${src.size}`);
    }
    return { name: path.name, bytes: src.size, sha256: counter.digest(), via: 'sftp' as const, location: remote };
  });
}
