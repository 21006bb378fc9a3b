import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { abortedError, BatchprepError, ErrorCode, fromFsError, isBatchprepError } from '../errors.js';

export interface SpoolOptions {
  /** Stop and fail with `FileTooLarge` past this many bytes. @default Infinity */
  maxBytes?: number;
  /** What the `FileTooLarge` message adds after the size, e.g. how to split the input. */
  tooLargeHint?: string;
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
 * Copies a stream (stdin) to a private temporary file (mode 600) so that its size is known
 * before an upload and it can be read again (a retry, a split archive). Never holds the
 * stream in memory; with `maxBytes` it stops at `maxBytes + 1` so a huge pipe cannot fill
 * the disk. Shared by finpro submit, filex upload and pack.
 */
export async function spoolToTempFile(source: Readable | AsyncIterable<Uint8Array>, options: SpoolOptions = {}): Promise<SpooledFile> {
  const maxBytes = options.maxBytes ?? Infinity;
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
            `stdin is larger than ${maxBytes} bytes${options.tooLargeHint ? `, ${options.tooLargeHint}` : ''}`,
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
    if (options.signal?.aborted) throw abortedError(err);
    if (isBatchprepError(err)) throw err;
    throw fromFsError(err, path, 'write');
  }
  return { path, bytes, cleanup };
}
