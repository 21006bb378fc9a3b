import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { abortedError, BatchprepError, ErrorCode, fromFsError } from '../../errors.js';

/** A local file about to be uploaded: its size is known before any byte is sent. */
export interface UploadSource {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Stats the file, refuses what is not a regular file, and reads its first byte, so an
 * unreadable file fails here, before fileX is asked for anything (a tracking record).
 */
export async function openSource(path: string): Promise<UploadSource> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw fromFsError(err, path, 'read');
  }
  if (!st.isFile()) throw new BatchprepError(ErrorCode.IoError, `${path}: not a regular file`, { file: path });
  let fh;
  try {
    fh = await open(path, 'r');
    await fh.read(Buffer.alloc(1), 0, 1, 0);
  } catch (err) {
    throw fromFsError(err, path, 'read');
  } finally {
    await fh?.close().catch(() => undefined);
  }
  return { path, size: st.size, mtimeMs: st.mtimeMs };
}

/** Streams a byte range of the file (inclusive `end`), or all of it. */
export function readRange(path: string, start?: number, end?: number): Readable {
  return createReadStream(path, { start, end, highWaterMark: 1024 * 1024 });
}

/**
 * A pass-through that hashes and counts what flows through it, so the sha256 we report is
 * of the bytes actually sent, computed without a second read.
 */
export function hashingCounter(onBytes?: (total: number) => void): Transform & { digest(): string; bytes(): number } {
  const hash = createHash('sha256');
  let total = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      total += chunk.length;
      onBytes?.(total);
      cb(null, chunk);
    },
  }) as Transform & { digest(): string; bytes(): number };
  let digest: string | undefined;
  t.digest = () => (digest ??= hash.digest('hex'));
  t.bytes = () => total;
  return t;
}

/** sha256 of a whole file, streamed. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024, signal })) hash.update(chunk as Buffer);
  } catch (err) {
    if (signal?.aborted) throw abortedError(err);
    throw fromFsError(err, path, 'read');
  }
  return hash.digest('hex');
}
