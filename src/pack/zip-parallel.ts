import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { constants as Z, crc32, deflateRaw } from 'node:zlib';
import { BatchprepError, ErrorCode, fromFsError } from '../errors.js';
import { ARCHIVE_OVERHEAD, deflateBound, entryOverhead, type ZipWriterOptions } from './zip-writer.js';

/**
 * A zip writer that deflates on every core, as pigz does: an entry's bytes are cut into 1 MiB
 * blocks, each deflated on libuv's thread pool (zlib's async API) with the previous block's
 * last 32 KiB as its dictionary and ended with a sync flush, so the blocks join into one
 * deflate stream of about the ratio one zlib stream gives. The container (local headers with
 * data descriptors, central directory, ZIP64 records) is written here, in the layout archiver
 * writes; `ZipWriter` (archiver) stays as the reference a differential test holds this to.
 */

const BLOCK = 1024 * 1024;
const WINDOW = 32 * 1024;
/** Blocks deflating at once: enough to keep two cores busy while the next block fills. */
const IN_FLIGHT = 4;
/** Block buffers: those in flight, the one filling, and one spare. */
const RING = IN_FLIGHT + 2;
const MAX32 = 0xffffffff;

interface CentralEntry {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  method: number;
  time: number;
  date: number;
}

/** Deflates one block on the thread pool. */
function deflateBlock(data: Buffer, level: number, dictionary: Buffer | undefined, last: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    deflateRaw(data, { level, dictionary, finishFlush: last ? Z.Z_FINISH : Z.Z_SYNC_FLUSH }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

/** MS-DOS time and date fields of `d` (local time, as zip tools write them). */
function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** Same surface as `ZipWriter`, which `pack` drives. */
export class ParallelZipWriter {
  private fh: FileHandle | undefined;
  private opening: Promise<FileHandle>;
  private readonly hash = createHash('sha256');
  private written = 0;
  /** Header bytes queued but not yet in the file. */
  private unwritten = 0;
  private readonly central: CentralEntry[] = [];
  // The open entry
  private entry: CentralEntry | undefined;
  private entryFed = 0;
  /** Input bytes of the open entry whose output is in the file. */
  private entryInputDone = 0;
  /**
   * Blocks fill reused buffers (a ring longer than the blocks in flight, so a buffer is
   * refilled only after its deflate finished): no per-block garbage outside the V8 heap.
   */
  private readonly ring: Buffer[] = [];
  private ringAt = 0;
  private blockBytes = 0;
  private dictionary: Buffer | undefined;
  /** Deflated blocks in order, written as they finish. */
  private queue: Array<{ out: Promise<Buffer>; input: number }> = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(readonly path: string, private readonly options: ZipWriterOptions) {
    this.opening = open(path, 'w');
    this.opening.catch((err) => {
      this.failure ??= err;
    });
  }

  /** Entries added so far. */
  get entryCount(): number {
    return this.central.length;
  }

  /** Upper bound of the finished archive (see ZipWriter.estimate). */
  estimate(extra = 0, newEntry?: string): number {
    let total = this.written + this.unwritten + ARCHIVE_OVERHEAD;
    for (const e of this.central) total += 46 + e.name.length + 28;
    if (this.entry) {
      // Input whose deflated block is not in the file yet may still come out at the bound
      // (per block, as each ends with a sync flush), then the data descriptor.
      const pending = this.entryFed + extra - this.entryInputDone;
      total += 24 + (this.options.level === 0 ? pending : deflateBound(pending) + 72 * Math.ceil(pending / BLOCK) + 72);
    }
    if (newEntry !== undefined) total += entryOverhead(newEntry) + (this.options.level === 0 ? extra : deflateBound(extra));
    return total;
  }

  /** Opens an entry fed by `write`; close it with `endEntry`. */
  startEntry(name: string): void {
    this.throwIfFailed();
    const { time, date } = dosDateTime(new Date());
    const entry: CentralEntry = { name: Buffer.from(name, 'utf8'), crc: 0, compressed: 0, size: 0, offset: 0, method: this.options.level === 0 ? 0 : 8, time, date };
    this.entry = entry;
    this.entryFed = 0;
    this.entryInputDone = 0;
    this.dictionary = undefined;
    const header = this.localHeader(entry);
    this.unwritten += header.length;
    this.append(
      () => {
        entry.offset = this.written;
        return header;
      },
      () => (this.unwritten -= header.length),
    );
  }

  /** Feeds bytes to the open entry; waits when IN_FLIGHT blocks are deflating (bounded memory). */
  async write(chunk: Buffer): Promise<void> {
    const entry = this.entry;
    if (!entry) throw new Error('no open entry');
    this.entryFed += chunk.length;
    entry.crc = crc32(chunk, entry.crc);
    entry.size += chunk.length;
    for (let off = 0; off < chunk.length; ) {
      const n = Math.min(BLOCK - this.blockBytes, chunk.length - off);
      chunk.copy(this.current(), this.blockBytes, off, off + n);
      this.blockBytes += n;
      off += n;
      if (this.blockBytes === BLOCK) {
        this.cutBlock(false);
        if (this.queue.length >= IN_FLIGHT) await this.drainTo(IN_FLIGHT - 1);
      }
    }
    this.throwIfFailed();
  }

  /** Closes the open entry: its last block, its data descriptor. */
  async endEntry(): Promise<void> {
    const entry = this.entry;
    if (!entry) return;
    this.cutBlock(true);
    await this.drainTo(0);
    this.append(() => this.descriptor(entry));
    await this.writing;
    this.throwIfFailed();
    this.central.push(entry);
    this.entry = undefined;
  }

  /** Adds a whole readable as one entry. */
  async addStream(name: string, source: AsyncIterable<Buffer>, onChunk?: (chunk: Buffer) => void): Promise<void> {
    this.startEntry(name);
    for await (const chunk of source) {
      onChunk?.(chunk);
      await this.write(chunk);
    }
    await this.endEntry();
  }

  /** Writes the central directory and closes the file; size and sha256 of the archive. */
  async finish(): Promise<{ bytes: number; sha256: string }> {
    await this.endEntry();
    const start = this.written;
    for (const e of this.central) this.append(() => this.centralRecord(e));
    this.append(() => this.endRecords(start, this.written - start));
    await this.writing;
    this.throwIfFailed();
    try {
      await (await this.opening).close();
    } catch (err) {
      throw fromFsError(err, this.path, 'write');
    }
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  /** Stops writing (the caller removes the file). */
  destroy(): void {
    this.failure ??= new Error('destroyed');
    this.opening.then((fh) => fh.close()).catch(() => {});
  }

  /** The ring buffer the open block fills. */
  private current(): Buffer {
    return (this.ring[this.ringAt] ??= Buffer.allocUnsafe(BLOCK));
  }

  /** Sends the gathered bytes of the open entry to be deflated (or stored). */
  private cutBlock(last: boolean): void {
    if (this.blockBytes === 0 && !last) return;
    const data = this.current().subarray(0, this.blockBytes);
    this.ringAt = (this.ringAt + 1) % RING;
    this.blockBytes = 0;
    if (this.options.level === 0) {
      // Stored: copied, as the file write may come after the ring buffer is refilled.
      if (data.length) this.queue.push({ out: Promise.resolve(Buffer.from(data)), input: data.length });
      return;
    }
    const dictionary = this.dictionary;
    // The next block may refer back into this one's last 32 KiB (zlib copies a dictionary when
    // the next block starts, before this buffer is refilled).
    this.dictionary = data.length >= WINDOW ? data.subarray(data.length - WINDOW) : dictionary ? Buffer.concat([dictionary, data]).subarray(-WINDOW) : Buffer.from(data);
    const done = deflateBlock(data, this.options.level, dictionary, last);
    done.catch(() => {});
    this.queue.push({ out: done, input: data.length });
  }

  /** Writes finished blocks in order until at most `n` are left in flight. */
  private async drainTo(n: number): Promise<void> {
    while (this.queue.length > n) {
      const next = this.queue.shift()!;
      let out: Buffer;
      try {
        out = await next.out;
      } catch (err) {
        this.failure ??= err;
        this.throwIfFailed();
        return;
      }
      const entry = this.entry!;
      entry.compressed += out.length;
      this.append(
        () => out,
        () => (this.entryInputDone += next.input),
      );
    }
  }

  /** Queues bytes for the file, in order; `make` runs when their turn comes (offsets known then). */
  private append(make: () => Buffer, after?: () => void): void {
    this.writing = this.writing.then(async () => {
      if (this.failure) return;
      const buf = make();
      try {
        const fh = (this.fh ??= await this.opening);
        let off = 0;
        while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      } catch (err) {
        this.failure ??= err;
        return;
      }
      this.hash.update(buf);
      this.written += buf.length;
      after?.();
    });
  }

  private get zip64(): boolean {
    return this.options.forceZip64;
  }

  /** Local file header: sizes and CRC follow in the data descriptor (flag bit 3); UTF-8 name (bit 11). */
  private localHeader(e: CentralEntry): Buffer {
    const extra = this.zip64 ? 20 : 0;
    const b = Buffer.alloc(30 + e.name.length + extra);
    b.writeUInt32LE(0x04034b50, 0);
    b.writeUInt16LE(this.zip64 ? 45 : 20, 4);
    b.writeUInt16LE(0x0808, 6);
    b.writeUInt16LE(e.method, 8);
    b.writeUInt16LE(e.time, 10);
    b.writeUInt16LE(e.date, 12);
    // crc 0; sizes 0 (or 0xffffffff with a ZIP64 extra field)
    b.writeUInt32LE(this.zip64 ? MAX32 : 0, 18);
    b.writeUInt32LE(this.zip64 ? MAX32 : 0, 22);
    b.writeUInt16LE(e.name.length, 26);
    b.writeUInt16LE(extra, 28);
    e.name.copy(b, 30);
    if (this.zip64) {
      const x = 30 + e.name.length;
      b.writeUInt16LE(0x0001, x);
      b.writeUInt16LE(16, x + 2);
      // sizes 0 here; the data descriptor has them
    }
    return b;
  }

  /** Data descriptor: CRC and sizes (8-byte sizes for ZIP64). */
  private descriptor(e: CentralEntry): Buffer {
    const b = Buffer.alloc(this.zip64 ? 24 : 16);
    b.writeUInt32LE(0x08074b50, 0);
    b.writeUInt32LE(e.crc >>> 0, 4);
    if (this.zip64) {
      b.writeBigUInt64LE(BigInt(e.compressed), 8);
      b.writeBigUInt64LE(BigInt(e.size), 16);
    } else {
      b.writeUInt32LE(e.compressed, 8);
      b.writeUInt32LE(e.size, 12);
    }
    return b;
  }

  /** Central directory record, with a ZIP64 extra field (sizes and offset) when ZIP64. */
  private centralRecord(e: CentralEntry): Buffer {
    const extra = this.zip64 ? 28 : 0;
    const b = Buffer.alloc(46 + e.name.length + extra);
    b.writeUInt32LE(0x02014b50, 0);
    b.writeUInt16LE((3 << 8) | (this.zip64 ? 45 : 20), 4); // made by: Unix
    b.writeUInt16LE(this.zip64 ? 45 : 20, 6);
    b.writeUInt16LE(0x0808, 8);
    b.writeUInt16LE(e.method, 10);
    b.writeUInt16LE(e.time, 12);
    b.writeUInt16LE(e.date, 14);
    b.writeUInt32LE(e.crc >>> 0, 16);
    b.writeUInt32LE(this.zip64 ? MAX32 : e.compressed, 20);
    b.writeUInt32LE(this.zip64 ? MAX32 : e.size, 24);
    b.writeUInt16LE(e.name.length, 28);
    b.writeUInt16LE(extra, 30);
    // comment length, disk start, internal attributes 0
    b.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // -rw-r--r--
    b.writeUInt32LE(this.zip64 ? MAX32 : e.offset, 42);
    e.name.copy(b, 46);
    if (this.zip64) {
      const x = 46 + e.name.length;
      b.writeUInt16LE(0x0001, x);
      b.writeUInt16LE(24, x + 2);
      b.writeBigUInt64LE(BigInt(e.size), x + 4);
      b.writeBigUInt64LE(BigInt(e.compressed), x + 12);
      b.writeBigUInt64LE(BigInt(e.offset), x + 20);
    }
    return b;
  }

  /** ZIP64 end record and locator (when ZIP64), then the classic end record. */
  private endRecords(cdStart: number, cdSize: number): Buffer {
    const n = this.central.length;
    const parts: Buffer[] = [];
    if (this.zip64) {
      const z = Buffer.alloc(56 + 20);
      z.writeUInt32LE(0x06064b50, 0);
      z.writeBigUInt64LE(44n, 4);
      z.writeUInt16LE((3 << 8) | 45, 12);
      z.writeUInt16LE(45, 14);
      // disk numbers 0
      z.writeBigUInt64LE(BigInt(n), 24);
      z.writeBigUInt64LE(BigInt(n), 32);
      z.writeBigUInt64LE(BigInt(cdSize), 40);
      z.writeBigUInt64LE(BigInt(cdStart), 48);
      z.writeUInt32LE(0x07064b50, 56);
      z.writeUInt32LE(0, 60);
      z.writeBigUInt64LE(BigInt(cdStart + cdSize), 64);
      z.writeUInt32LE(1, 72);
      parts.push(z);
    }
    const e = Buffer.alloc(22);
    e.writeUInt32LE(0x06054b50, 0);
    e.writeUInt16LE(this.zip64 ? 0xffff : n, 8);
    e.writeUInt16LE(this.zip64 ? 0xffff : n, 10);
    e.writeUInt32LE(this.zip64 ? MAX32 : cdSize, 12);
    e.writeUInt32LE(this.zip64 ? MAX32 : cdStart, 16);
    parts.push(e);
    return Buffer.concat(parts);
  }

  private throwIfFailed(): void {
    if (this.failure) {
      const err = this.failure;
      if ((err as NodeJS.ErrnoException)?.code) throw fromFsError(err, this.path, 'write');
      throw new BatchprepError(ErrorCode.IoError, `${this.path}: zip writing failed (${(err as Error)?.message ?? String(err)})`, { cause: err });
    }
  }
}
