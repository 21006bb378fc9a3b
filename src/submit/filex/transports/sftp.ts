import { randomBytes } from 'node:crypto';
import type SftpClient from 'ssh2-sftp-client';
import { abortedError, BatchprepError, ErrorCode, isBatchprepError } from '../../../errors.js';
import type { FilexPath } from '../names.js';
import { fromSftpError, sftpRemotePath, withSftp, type SftpOptions } from './sftp-session.js';
import type { SftpPartialMode } from './sftp-settings.js';
import { hashingCounter, readRange, type UploadSource } from '../source.js';
import type { UploadResult } from './rest.js';

export interface SftpUploadOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Messages for people (what happened to a partial upload). */
  onNotice?: (message: string) => void;
  /**
   * `rename`: write `.<name>.~<random>.partial` and rename it to the final name once its size
   * is checked, so a crash (even kill -9) never leaves a partial file under the final name;
   * the temporary name breaks fileX's FILE_NAME rule (`~`), so it is not a valid submission.
   * `remove`: write the final name directly and remove it on failure (a kill -9 can leave it).
   * @default 'rename'
   */
  partialMode?: SftpPartialMode;
}

/** The temporary name an upload is written under in `rename` mode. */
export function partialName(name: string): string {
  return `.${name}.~${randomBytes(4).toString('hex')}.partial`;
}

// Rename over an existing file: OpenSSH's posix-rename extension replaces atomically; the
// plain SFTP v3 rename refuses an existing target, so without the extension the old file is
// removed first.
async function renameOver(sftp: SftpClient, from: string, to: string): Promise<void> {
  try {
    await sftp.posixRename(from, to);
    return;
  } catch (err) {
    if (!/not support|unsupported/i.test((err as Error)?.message ?? '')) throw err;
  }
  if (await sftp.exists(to)) await sftp.delete(to);
  await sftp.rename(from, to);
}

/**
 * SFTP upload to `org/app/space/name` under the login directory (the org may be an OBO
 * profile org: the login directory lists every org the account may act for), in one
 * session that is always closed. The bytes go to a temporary name that is renamed once the
 * remote size matches (see `partialMode`); on any failure, Ctrl-C included, the partial file
 * is removed (over a new session when the first one was cut) and the notice says so, or says
 * where it was left when removal failed. A size mismatch is an IntegrityError (exit 3).
 */
export async function uploadSftp(sftpOptions: SftpOptions, src: UploadSource, path: Required<FilexPath>, options: SftpUploadOptions = {}): Promise<UploadResult> {
  const remote = sftpRemotePath(path);
  const dir = sftpRemotePath({ org: path.org, app: path.app, space: path.space });
  const mode = options.partialMode ?? sftpOptions.partialMode ?? 'rename';
  const writeTo = mode === 'rename' ? `${dir}/${partialName(path.name)}` : remote;
  let started = false;
  try {
    return await withSftp({ ...sftpOptions, signal: options.signal }, async (sftp) => {
      const kind = await sftp.exists(dir).catch((err) => {
        throw fromSftpError(err, `SFTP ${dir}`);
      });
      if (kind !== 'd') throw new BatchprepError(ErrorCode.RemoteNotFound, `SFTP: no directory ${dir} (check the org/app/space)`);
      const counter = hashingCounter((n) => options.onProgress?.(n, src.size));
      const body = readRange(src.path);
      body.on('error', (err) => counter.destroy(err));
      started = true;
      try {
        await sftp.put(body.pipe(counter), writeTo);
      } catch (err) {
        throw isBatchprepError(err) ? err : fromSftpError(err, `SFTP upload to ${remote}${writeTo === remote ? '' : ` (written as ${writeTo})`}`);
      }
      const st = await sftp.stat(writeTo).catch((err) => {
        throw fromSftpError(err, `SFTP stat ${writeTo}`);
      });
      if (st.size !== src.size || counter.bytes() !== src.size) {
        throw new BatchprepError(ErrorCode.IntegrityError, `SFTP: ${writeTo} is ${st.size} bytes after the upload, expected ${src.size}`);
      }
      if (writeTo !== remote) {
        await renameOver(sftp, writeTo, remote).catch((err) => {
          throw fromSftpError(err, `SFTP rename of ${writeTo} to ${remote}`);
        });
      }
      started = false;
      return { name: path.name, bytes: src.size, sha256: counter.digest(), via: 'sftp' as const, location: remote };
    });
  } catch (err) {
    if (!started) throw options.signal?.aborted && !(isBatchprepError(err) && err.code === ErrorCode.Aborted) ? abortedError(err) : err;
    throw await removePartial(sftpOptions, writeTo, err, options);
  }
}

// Removes what a failed upload wrote, over a fresh session (the failed one may be cut, and
// an abort has fired its signal), and returns the error to throw: the original one, or for
// an interrupt whose clean-up failed an Aborted error that says what was left where.
async function removePartial(o: SftpOptions, partial: string, err: unknown, options: SftpUploadOptions): Promise<unknown> {
  const aborted = Boolean(options.signal?.aborted);
  try {
    const removed = await withSftp({ ...o, signal: undefined, acceptNewHostKey: false, readyTimeoutMs: Math.min(o.readyTimeoutMs ?? 20_000, 10_000) }, async (sftp) => {
      if (!(await sftp.exists(partial))) return false;
      await sftp.delete(partial);
      return true;
    });
    if (!removed) return aborted ? abortedError(err) : err;
    options.onNotice?.(`the partial upload ${partial} was removed from the server`);
    if (aborted) return new BatchprepError(ErrorCode.Aborted, `interrupted; the partial upload ${partial} was removed from the server`, { cause: err });
    return err;
  } catch (cleanupErr) {
    const why = (cleanupErr as Error)?.message ?? String(cleanupErr);
    const msg = `could not remove the partial upload ${partial} from the server (${why}); delete it by hand`;
    options.onNotice?.(msg);
    if (aborted) return new BatchprepError(ErrorCode.Aborted, `interrupted; ${msg}`, { cause: err });
    if (isBatchprepError(err)) return new BatchprepError(err.code, `${err.message}; ${msg}`, { cause: err });
    return err;
  }
}
