import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BatchprepError, ErrorCode, fromFsError, isBatchprepError } from '../../errors.js';
import { FINPRO_MAX_BYTES } from '../../core/finpro-rules.js';

export interface SpoolOptions {
  /** Stop and fail with `FileTooLarge` past this many bytes. @default 10485760 */
  maxBytes?: number;
  /** Stops the copy; the temporary file is removed. */
  signal?: AbortSignal;
  /** Name of the spooled file (its extension tells the format). @default 'stdin' */
  name?: string;
}

export interface SpooledFile {
  path: string;
  bytes: number;
  /** Removes the temporary file and its directory; safe to call twice. */
  cleanup(): Promise<void>;
}

/**
 * Copies a stream (stdin) to a private temporary file so that its size is known before the
 * upload and the body can be streamed from disk, and read again on a retry. Never holds the
 * stream in memory; stops at `maxBytes + 1` so a huge pipe cannot fill the disk.
 */
export async function spoolToTempFile(source: Readable | AsyncIterable<Uint8Array>, options: SpoolOptions = {}): Promise<SpooledFile> {
  const maxBytes = options.maxBytes ?? FINPRO_MAX_BYTES;
  const dir = await mkdtemp(join(tmpdir(), 'batchprep-spool-'));
  const path = join(dir, options.name ?? 'stdin');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        cb(
          new BatchprepError(
            ErrorCode.FileTooLarge,
            `stdin is larger than ${maxBytes} bytes, the FinPro upload limit; split it with 'batchprep prepare --out-dir DIR' and submit DIR`,
            { errorDetails: { maxSize: maxBytes } },
          ),
        );
        return;
      }
      cb(null, chunk);
    },
  });
  try {
    await pipeline(source, counter, createWriteStream(path, { mode: 0o600 }), { signal: options.signal });
  } catch (err) {
    await cleanup();
    if (options.signal?.aborted) throw new BatchprepError(ErrorCode.Aborted, 'the operation was aborted', { cause: err });
    if (isBatchprepError(err)) throw err;
    throw fromFsError(err, path, 'write');
  }
  return { path, bytes, cleanup };
}
