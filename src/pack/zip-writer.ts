import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import { BatchprepError, ErrorCode, fromFsError } from '../errors.js';

/** Bytes zlib may add to `n` input bytes in the worst case (zlib's deflateBound, plus a little). */
export function deflateBound(n: number): number {
  return n + Math.floor(n / 4096) + Math.floor(n / 16384) + 64;
}

/** ZIP64 sizes of the structures around an entry (local header, data descriptor, central record). */
export function entryOverhead(name: string): number {
  const nameBytes = Buffer.byteLength(name);
  return 30 + nameBytes + 20 + 24 + 46 + nameBytes + 28;
}

/** End-of-central-directory records (ZIP64 EOCD + locator + classic EOCD). */
export const ARCHIVE_OVERHEAD = 56 + 20 + 22;

/**
 * Compressed output that may still sit inside zlib and the stream buffers between it and
 * the file. Measured lag on this machine stays far below it; `pack` re-checks the real size
 * after finalizing and redoes an archive that came out too big, so the cap holds regardless.
 */
const IN_FLIGHT_INPUT = 1024 * 1024;
const IN_FLIGHT_SLACK = 256 * 1024;

export interface ZipWriterOptions {
  /** zlib level 0-9; 0 stores. */
  level: number;
  /** Write ZIP64 records for every entry. */
  forceZip64: boolean;
}

/**
 * One zip file being written with archiver, counting and hashing the bytes that actually reach
 * the file, and giving an upper bound of its final size at any moment.
 */
export class ZipWriter {
  private readonly archive: ZipArchive;
  private readonly hash = createHash('sha256');
  private written = 0;
  private readonly done: Promise<void>;
  private failure: unknown;
  private names: string[] = [];
  /** Uncompressed bytes fed to the open entry. */
  private entryFed = 0;
  private entryName = '';
  private entryStream: PassThrough | null = null;
  private entryDone: Promise<void> | null = null;

  constructor(readonly path: string, private readonly options: ZipWriterOptions) {
    this.archive = new ZipArchive({
      zlib: { level: options.level },
      store: options.level === 0,
      forceZip64: options.forceZip64,
    });
    const counter = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.written += chunk.length;
        this.hash.update(chunk);
        cb(null, chunk);
      },
    });
    this.done = pipeline(this.archive, counter, createWriteStream(path)).catch((err) => {
      this.failure = err;
      throw err;
    });
    this.done.catch(() => {});
    this.archive.on('warning', (err: Error) => {
      this.failure ??= err;
    });
  }

  /** Entries added so far. */
  get entryCount(): number {
    return this.names.length;
  }

  /**
   * Upper bound of the finished archive if `extra` more uncompressed bytes went into the open
   * entry (or into a new entry named `newEntry`) and the archive were closed now.
   */
  estimate(extra = 0, newEntry?: string): number {
    let total = Math.max(this.written, this.archive.pointer()) + ARCHIVE_OVERHEAD;
    for (const n of this.names) total += 46 + Buffer.byteLength(n) + 28;
    const fed = this.entryFed + extra;
    if (this.entryStream) {
      total += 24 + this.pending(fed);
    }
    if (newEntry !== undefined) total += entryOverhead(newEntry) + this.pending(extra);
    return total;
  }

  /** Compressed bytes not yet visible for `fed` uncompressed bytes of the open entry. */
  private pending(fed: number): number {
    const all = this.options.level === 0 ? fed : deflateBound(fed);
    return Math.min(all, (this.options.level === 0 ? IN_FLIGHT_INPUT : deflateBound(IN_FLIGHT_INPUT)) + IN_FLIGHT_SLACK);
  }

  /** Opens an entry fed by `write`; close it with `endEntry`. */
  startEntry(name: string): void {
    this.throwIfFailed();
    const stream = new PassThrough({ highWaterMark: 64 * 1024 });
    this.entryStream = stream;
    this.entryName = name;
    this.entryFed = 0;
    this.entryDone = new Promise<void>((resolve, reject) => {
      const onEntry = () => {
        this.archive.off('error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        this.archive.off('entry', onEntry);
        reject(err);
      };
      this.archive.once('entry', onEntry);
      this.archive.once('error', onError);
    });
    this.entryDone.catch(() => {});
    this.archive.append(stream, { name, date: new Date() });
  }

  /** Feeds bytes to the open entry, waiting when the archive is busy (bounded memory). */
  async write(chunk: Buffer): Promise<void> {
    const stream = this.entryStream;
    if (!stream) throw new Error('no open entry');
    this.entryFed += chunk.length;
    if (!stream.write(chunk)) {
      await Promise.race([
        new Promise<void>((resolve) => stream.once('drain', resolve)),
        this.done,
        this.entryDone,
      ]);
    }
    this.throwIfFailed();
  }

  /** Closes the open entry and waits until archiver has written it. */
  async endEntry(): Promise<void> {
    const stream = this.entryStream;
    if (!stream) return;
    stream.end();
    await Promise.race([this.entryDone, this.done]);
    this.names.push(this.entryName);
    this.entryStream = null;
    this.entryDone = null;
    this.entryFed = 0;
    this.throwIfFailed();
  }

  /** Adds a whole readable as one entry. */
  async addStream(name: string, source: Readable, onChunk?: (chunk: Buffer) => void): Promise<void> {
    this.startEntry(name);
    for await (const chunk of source) {
      onChunk?.(chunk as Buffer);
      await this.write(chunk as Buffer);
    }
    await this.endEntry();
  }

  /** Writes the central directory and waits for the file to be closed; size and sha256 of the archive. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    await this.endEntry();
    try {
      await this.archive.finalize();
      await this.done;
    } catch (err) {
      throw fromFsError(err, this.path, 'write');
    }
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  /** Stops writing (the caller removes the file). */
  destroy(): void {
    this.entryStream?.destroy();
    this.archive.abort();
  }

  private throwIfFailed(): void {
    if (this.failure) {
      const err = this.failure;
      if ((err as NodeJS.ErrnoException)?.code) throw fromFsError(err, this.path, 'write');
      throw new BatchprepError(ErrorCode.IoError, `${this.path}: zip writing failed (${(err as Error)?.message ?? String(err)})`, { cause: err });
    }
  }
}
