import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BatchprepError, ErrorCode, fromFsError, throwIfAborted } from '../errors.js';
import { fileNameProblem, sanitizeFileName, splitExtension } from '../core/file-name.js';
import { openAtomicOutput } from '../fs/atomic-output.js';
import { isBlankRecord, splitCsvRecords, withLineEnd } from './csv-row-splitter.js';
import { deflateBound } from './zip-writer.js';
import { ParallelZipWriter } from './zip-parallel.js';

/** The zip writer pack uses (archiver's `ZipWriter` is its differential reference). */
type ZipWriter = ParallelZipWriter;

import { FILEX_MAX_BYTES } from '../core/filex-rules.js';
import type { PackArchiveDoc, PackEntryDoc, PackManifestDoc } from '../core/manifests.js';
export { FILEX_MAX_BYTES };

export interface PackInput {
  /** File to read. */
  path: string;
  /** Entry name in the archive. @default the file's base name */
  name?: string;
  /** How the manifest names the input (`-` for stdin). @default path */
  source?: string;
}

export interface PackOptions {
  /** Directory the archives and `manifest.json` are written to (created if missing). */
  outDir: string;
  /** Archive base name: `BASE.zip`, or `BASE-0001.zip`, `BASE-0002.zip`... when several. @default the input's stem for one input, else `archive` */
  name?: string;
  /** Largest archive in bytes. @default 5368709120 */
  maxBytes?: number;
  /** zlib compression level 0-9 (0 stores). @default 6 */
  level?: number;
  /** Fix names that break fileX's FILE_NAME rule instead of refusing them. @default false */
  sanitizeNames?: boolean;
  /** Allow a non-empty output directory. @default false */
  force?: boolean;
  /** `always` writes ZIP64 records in every archive; `auto` when an entry or archive may pass 4 GiB. @default 'auto' */
  zip64?: 'auto' | 'always';
  /** Called as input bytes are read: (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Stops the work; nothing is left behind. */
  signal?: AbortSignal;
}

/** `manifest.json` of a pack run and its parts, typed by their schemas (core/manifests.ts). */
export type PackEntry = PackEntryDoc;
export type PackArchive = PackArchiveDoc;
export type PackManifest = PackManifestDoc;

interface Item {
  path: string;
  source: string;
  name: string;
  size: number;
  csv: boolean;
  /** The header record, once read. */
  header?: Buffer;
  /** Next part number for a split CSV. */
  parts: number;
}

interface Position {
  item: number;
  /** Byte offset in the item where unread records begin (0: not started). */
  offset: number;
}

const ZIP32_LIMIT = 0xffffffff - 64 * 1024;
const BATCH_BYTES = 64 * 1024;

/** Checks the options once, before any I/O (the CLI passes its flags through unchecked). */
export function resolvePackOptions(options: PackOptions): { maxBytes: number; level: number } {
  const maxBytes = options.maxBytes ?? FILEX_MAX_BYTES;
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new BatchprepError(ErrorCode.InvalidOption, `--level must be an integer 0-9, got ${level}`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1024) throw new BatchprepError(ErrorCode.InvalidOption, `--max-bytes must be an integer of at least 1024, got ${maxBytes}`);
  return { maxBytes, level };
}

/**
 * Zips inputs for fileX into as few archives under `maxBytes` as fit, in input order. A CSV
 * that does not fit is split by rows into entries (each with the header) across archives.
 * The cap is checked against the compressed bytes actually written: an archive is closed when
 * an upper bound of its final size would pass the cap, and re-done with a smaller budget in
 * the (never observed) case that its real size still did.
 */
export async function pack(inputs: Array<string | PackInput>, options: PackOptions): Promise<PackManifest> {
  const { maxBytes, level } = resolvePackOptions(options);
  if (inputs.length === 0) throw new BatchprepError(ErrorCode.UsageError, 'name at least one input file to pack');
  const items = await resolveItems(inputs, options.sanitizeNames ?? false);
  const base = archiveBase(options.name, items, options.sanitizeNames ?? false);
  const totalBytes = items.reduce((s, i) => s + i.size, 0);
  const forceZip64 = options.zip64 === 'always' || maxBytes > ZIP32_LIMIT || items.some((i) => i.size > ZIP32_LIMIT);
  throwIfAborted(options.signal);

  const out = await openAtomicOutput(options.outDir, { force: options.force, signal: options.signal });
  let read = 0;
  const progress = (n: number) => {
    read += n;
    options.onProgress?.(read, totalBytes);
  };
  try {
    const archives: Array<Omit<PackArchive, 'file'> & { temp: string }> = [];
    let pos: Position = { item: 0, offset: 0 };
    while (pos.item < items.length) {
      const temp = out.tempPath(`archive-${archives.length + 1}.zip.part`);
      let budget = maxBytes;
      for (let attempt = 0; ; attempt++) {
        const partsBefore = items.map((i) => i.parts);
        const res = await writeArchive(items, pos, temp, budget, { level, forceZip64, signal: options.signal, progress });
        if (res.bytes <= maxBytes) {
          archives.push({ temp, bytes: res.bytes, sha256: res.sha256, entries: res.entries });
          pos = res.next;
          break;
        }
        if (res.entries.length === 1 && res.alone) {
          const e = res.entries[0]!;
          throw new BatchprepError(
            ErrorCode.InputTooLarge,
            `${e.source}: compresses to about ${res.bytes} bytes, more than --max-bytes ${maxBytes}; only CSV files can be split (split it yourself or raise --max-bytes)`,
            { file: e.source },
          );
        }
        items.forEach((i, k) => (i.parts = partsBefore[k]!));
        budget -= res.bytes - maxBytes + Math.ceil(maxBytes / 100) + 4096;
        if (attempt >= 3 || budget <= maxBytes / 2) {
          throw new BatchprepError(ErrorCode.IoError, `could not keep an archive under --max-bytes ${maxBytes} (last try ${res.bytes} bytes); raise --max-bytes`);
        }
        await rm(temp, { force: true });
      }
    }
    const names = archives.length === 1 ? [`${base}.zip`] : archives.map((_, i) => `${base}-${String(i + 1).padStart(4, '0')}.zip`);
    const manifest: PackManifest = { archives: [] };
    for (let i = 0; i < archives.length; i++) {
      const a = archives[i]!;
      await rename(a.temp, out.tempPath(names[i]!));
      manifest.archives.push({ file: names[i]!, bytes: a.bytes, sha256: a.sha256, entries: a.entries });
    }
    await writeFile(out.tempPath('manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    throwIfAborted(options.signal);
    await out.commit(names);
    return manifest;
  } catch (err) {
    await out.abort();
    if ((err as NodeJS.ErrnoException)?.code === 'ABORT_ERR' || options.signal?.aborted) throwIfAborted(options.signal);
    throw err;
  }
}

/** Checks or fixes entry names, stats the inputs, and refuses duplicates in one run. */
async function resolveItems(inputs: Array<string | PackInput>, sanitize: boolean): Promise<Item[]> {
  const seen = new Set<string>();
  const items: Item[] = [];
  for (const input of inputs) {
    const { path, name: given, source } = typeof input === 'string' ? { path: input, name: undefined, source: undefined } : input;
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      throw fromFsError(err, path, 'read');
    }
    if (!st.isFile()) throw new BatchprepError(ErrorCode.UsageError, `${path}: not a regular file (pack takes files)`, { file: path });
    let name = given ?? basename(path);
    const problem = fileNameProblem(name);
    if (problem) {
      if (!sanitize) {
        throw new BatchprepError(ErrorCode.InvalidFileName, `${path}: entry name "${name}" is not a valid fileX FILE_NAME: ${problem} (rename it, or pass --sanitize-names)`, { file: path });
      }
      name = sanitizeFileName(name);
    }
    if (seen.has(name)) {
      if (!sanitize) throw new BatchprepError(ErrorCode.InvalidFileName, `${path}: two inputs would both be named "${name}" (rename one, or pass --sanitize-names)`, { file: path });
      const { stem, ext } = splitExtension(name);
      let k = 2;
      while (seen.has(`${stem}-${k}${ext}`)) k++;
      name = `${stem}-${k}${ext}`;
    }
    seen.add(name);
    items.push({ path, source: source ?? path, name, size: st.size, csv: /\.csv$/i.test(name), parts: 0 });
  }
  return items;
}

/** The archive base name, checked (or sanitized) with the longest suffix it may get. */
function archiveBase(name: string | undefined, items: Item[], sanitize: boolean): string {
  let base = name ?? (items.length === 1 ? splitExtension(items[0]!.name).stem : 'archive');
  base = base.replace(/\.zip$/i, '');
  const problem = fileNameProblem(`${base}-0001.zip`);
  if (problem) {
    if (!sanitize && name !== undefined) {
      throw new BatchprepError(ErrorCode.InvalidFileName, `archive name "${name}" is not a valid fileX FILE_NAME: ${problem} (choose another --name, or pass --sanitize-names)`);
    }
    base = sanitizeFileName(base).slice(0, 240);
  }
  return base;
}

interface ArchiveResult {
  next: Position;
  bytes: number;
  sha256: string;
  entries: PackEntry[];
  /** The archive holds one non-splittable input that was too big by its bound. */
  alone: boolean;
}

interface WriteContext {
  level: number;
  forceZip64: boolean;
  signal?: AbortSignal;
  progress: (n: number) => void;
}

/** Writes one archive from `start` while its bound stays within `budget`; returns where it stopped. */
async function writeArchive(items: Item[], start: Position, path: string, budget: number, ctx: WriteContext): Promise<ArchiveResult> {
  const zip = new ParallelZipWriter(path, { level: ctx.level, forceZip64: ctx.forceZip64 });
  const entries: PackEntry[] = [];
  const pos: Position = { ...start };
  let alone = false;
  try {
    while (pos.item < items.length) {
      throwIfAborted(ctx.signal);
      const item = items[pos.item]!;
      if (!item.csv || (pos.offset === 0 && zip.estimate(0, item.name) + boundOf(item.size, ctx.level) <= budget)) {
        // Whole file as one entry (a CSV that fits whole keeps its name).
        if (zip.estimate(0, item.name) + boundOf(item.size, ctx.level) > budget) {
          if (zip.entryCount > 0) break;
          alone = !item.csv;
        }
        if (item.csv && pos.offset !== 0) throw new Error('unreachable');
        entries.push(await addWholeFile(zip, item, ctx));
        pos.item += 1;
        pos.offset = 0;
        continue;
      }
      const stopped = await addCsvPart(zip, item, pos, budget, entries, ctx);
      if (stopped) break;
    }
    const { bytes, sha256 } = await zip.finish();
    return { next: pos, bytes, sha256, entries, alone };
  } catch (err) {
    zip.destroy();
    await rm(path, { force: true });
    throw err;
  }
}

function boundOf(size: number, level: number): number {
  return level === 0 ? size : deflateBound(size);
}

/** One input as one entry, hashed as it streams. */
async function addWholeFile(zip: ZipWriter, item: Item, ctx: WriteContext): Promise<PackEntry> {
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  let header = true;
  const src = createReadStream(item.path, { highWaterMark: 256 * 1024, signal: ctx.signal });
  try {
    if (item.csv) {
      zip.startEntry(item.name);
      for await (const batch of splitCsvRecords(src, { fileName: item.source, signal: ctx.signal })) {
        const buf = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
        for (const r of batch) {
          if (header) header = false;
          else if (!isBlankRecord(r)) rows++;
        }
        hash.update(buf);
        bytes += buf.length;
        ctx.progress(buf.length);
        await zip.write(buf);
      }
      await zip.endEntry();
    } else {
      await zip.addStream(item.name, src, (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
        ctx.progress(chunk.length);
      });
    }
  } catch (err) {
    throw fromFsError(err, item.path, 'read');
  }
  const entry: PackEntry = { name: item.name, source: item.source, bytes, sha256: hash.digest('hex') };
  if (item.csv) entry.rows = rows;
  return entry;
}

/**
 * Writes rows of a CSV from `pos.offset` as one entry (header first) until the archive's bound
 * would pass `budget`. Moves `pos`; returns true when the archive is full.
 */
async function addCsvPart(zip: ZipWriter, item: Item, pos: Position, budget: number, entries: PackEntry[], ctx: WriteContext): Promise<boolean> {
  const src = createReadStream(item.path, { start: pos.offset, highWaterMark: 256 * 1024, signal: ctx.signal });
  const records = splitCsvRecords(src, { fileName: item.source, signal: ctx.signal });
  let offset = pos.offset;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let entry: PackEntry | null = null;
  let hash = createHash('sha256');
  let full = false;
  const name = () => {
    const { stem, ext } = splitExtension(item.name);
    return `${stem}-part${String(item.parts + 1).padStart(3, '0')}${ext}`;
  };
  const flush = async () => {
    if (pendingBytes === 0) return;
    const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await zip.write(buf);
  };
  const feed = (buf: Buffer) => {
    hash.update(buf);
    entry!.bytes += buf.length;
    pending.push(buf);
    pendingBytes += buf.length;
  };
  try {
    outer: for await (const batch of records) {
      for (const raw of batch) {
        if (!item.header) {
          item.header = raw;
          offset += raw.length;
          ctx.progress(raw.length);
          continue;
        }
        const rec = withLineEnd(raw);
        if (!entry) {
          const header = item.parts === 0 ? withLineEnd(item.header) : withLineEnd(stripBom(item.header));
          const entryName = name();
          if (zip.estimate(header.length + rec.length, entryName) > budget) {
            if (zip.entryCount > 0) {
              full = true;
              break outer;
            }
            throw new BatchprepError(
              ErrorCode.InputTooLarge,
              `${item.source}: one CSV row with its header does not fit in --max-bytes ${budget} (row near byte ${offset}); raise --max-bytes`,
              { file: item.source },
            );
          }
          zip.startEntry(entryName);
          item.parts += 1;
          entry = { name: entryName, source: item.source, bytes: 0, sha256: '', rows: 0 };
          feed(header);
        } else if (zip.estimate(pendingBytes + rec.length) > budget) {
          full = true;
          break outer;
        }
        feed(rec);
        if (!isBlankRecord(raw)) entry.rows! += 1;
        offset += raw.length;
        ctx.progress(raw.length);
        if (pendingBytes >= BATCH_BYTES) await flush();
      }
    }
    if (!entry && !full) {
      // A CSV of a header alone: one entry with just the header.
      const entryName = item.parts === 0 ? item.name : name();
      zip.startEntry(entryName);
      item.parts += 1;
      entry = { name: entryName, source: item.source, bytes: 0, sha256: '', rows: 0 };
      if (item.header) feed(item.header);
    }
    await flush();
    if (entry) {
      await zip.endEntry();
      entry.sha256 = hash.digest('hex');
      entries.push(entry);
    }
  } catch (err) {
    throw fromFsError(err, item.path, 'read');
  } finally {
    await records.return(undefined);
    src.destroy();
  }
  if (full) {
    pos.offset = offset;
    return true;
  }
  pos.item += 1;
  pos.offset = 0;
  return false;
}

function stripBom(b: Buffer): Buffer {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}
