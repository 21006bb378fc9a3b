import { Buffer } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { resolveDefaults, type GlobalDefaults } from '../core/defaults.js';
import { DATE_FORMATS, type DateFormat } from '../core/datetime.js';
import { FINPRO_MAX_BYTES } from '../core/finpro-rules.js';
import type { ConsentRow, FileFormat, FileReport, Issue } from '../core/issues.js';
import { abortedError, BatchprepError, ErrorCode, fromFsError, throwIfAborted } from '../errors.js';
import { ValidationEngine, type EngineOptions } from './engine.js';
import { decideFormat, HEAD_BYTES, type FormatDecision } from './sniff.js';

export interface ValidateOptions {
  /** Input format; `auto` uses the extension of `fileName`, else sniffs the content. @default 'auto' */
  format?: FileFormat | 'auto';
  /** Name shown in reports and used for the extension; `-` for stdin. @default '-' (the path for validateFile) */
  fileName?: string;
  /** Size cap in bytes; one byte more is `FileTooLarge`. @default 10485760 */
  maxBytes?: number;
  /** Issues listed in the report; more are counted, not listed. @default 1000 */
  maxErrors?: number;
  /** Warnings become errors (DuplicateConsentId, UnknownField, BomInJson). @default false */
  strict?: boolean;
  /** Keep the duplicate-ID index (the only state that grows with the input). @default true */
  duplicateCheck?: boolean;
  /**
   * Date-times accepted: `rfc3339` (every example in the FinPro document) or `iso8601` (also a
   * date alone, no offset, reduced precision, basic format; still calendar-checked). @default 'rfc3339'
   */
  dateFormat?: DateFormat;
  /** Global defaults applied to empty cells and absent keys (SPEC section 3); checked first (`InvalidDefaults`). */
  defaults?: GlobalDefaults;
  /** Largest record (CSV record or JSON string) in characters before `RecordTooLarge`. @default 1048576 */
  maxRecordLength?: number;
  /** Expected input size in bytes, when known: the duplicate index sizes itself once instead of growing. */
  sizeHint?: number;
  /** Stops the work; the promise rejects with code `Aborted`. */
  signal?: AbortSignal;
  /** Told once, before any row, which format the engine decided on (and why, and whether there is a BOM). */
  onFormat?: (decision: FormatDecision) => void;
}

/** One data row as the engine saw it, with the defaults applied and its own issues. */
export interface RowResult {
  /** 1-based data row. */
  row: number;
  /** 1-based physical line where the record starts (CSV; JSON where known). */
  line?: number;
  /** The effective row: row values, then defaults. `consentId` may be missing on a bad row. */
  values: Partial<ConsentRow>;
  /** The raw CSV cells, for rows written to a reject file. */
  fields?: string[];
  /** Issues that belong to this row (row rules, duplicate warnings). */
  issues: Issue[];
  /** No error-severity issue on this row. */
  valid: boolean;
}

export type ByteSource = AsyncIterable<Uint8Array | string> | Readable;

/** The default size cap: the FinPro upload limit. */
export const DEFAULT_MAX_BYTES = FINPRO_MAX_BYTES;

function positiveInt(name: string, value: number | undefined, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (allowInfinity && value === Infinity) return value;
  if (!Number.isFinite(value) || value < 0 || Math.floor(value) !== value) {
    throw new BatchprepError(ErrorCode.InvalidOption, `${name} must be a non-negative whole number (got ${value})`);
  }
  return value;
}

/**
 * Checks options once, at the boundary, and fills the defaults. `names` words the messages in
 * the caller's terms (the CLI passes its flags), so the CLI applies these rules, not its own.
 */
export function resolveValidateOptions(options: ValidateOptions = {}, names: Partial<Record<'format' | 'maxBytes' | 'maxErrors', string>> = {}): EngineOptions {
  const format = options.format ?? 'auto';
  if (!['auto', 'csv', 'json'].includes(format)) {
    throw new BatchprepError(ErrorCode.InvalidOption, `${names.format ?? 'format'} must be auto, csv or json (got ${String(format)})`);
  }
  const dateFormat = options.dateFormat ?? 'rfc3339';
  if (!DATE_FORMATS.includes(dateFormat)) {
    throw new BatchprepError(ErrorCode.InvalidOption, `dateFormat must be rfc3339 or iso8601 (got ${String(dateFormat)})`);
  }
  return {
    format,
    fileName: options.fileName ?? '-',
    maxBytes: positiveInt(names.maxBytes ?? 'maxBytes', options.maxBytes, DEFAULT_MAX_BYTES, true),
    maxErrors: positiveInt(names.maxErrors ?? 'maxErrors', options.maxErrors, 1000, true),
    strict: options.strict ?? false,
    duplicateCheck: options.duplicateCheck ?? true,
    defaults: options.defaults ? resolveDefaults(options.defaults, {}, dateFormat) : undefined,
    dateFormat,
    maxRecordLength: Math.max(1, positiveInt('maxRecordLength', options.maxRecordLength, 1_048_576)),
    sizeHint: options.sizeHint,
  };
}

/**
 * Reads a source so that an abort ends the wait even while the source is silent (stdin
 * that nobody writes to): each read races the signal. When reading stops early (abort,
 * failure, the consumer quits), the source is closed, since a pending read keeps a pipe open.
 */
export async function* readAbortably(source: ByteSource, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array | string> {
  const it = (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  let complete = false;
  try {
    for (;;) {
      throwIfAborted(signal);
      const next = signal ? await nextOrAbort(it, signal) : await it.next();
      if (next.done) break;
      yield next.value;
    }
    complete = true;
  } finally {
    if (!complete) {
      if (source instanceof Readable) source.destroy();
      else void it.return?.();
    }
  }
}

/**
 * One read that settles early on abort. A fresh listener per read (not Promise.race against
 * one long-lived promise, which keeps every settled read, and so every chunk, reachable).
 */
function nextOrAbort<T>(it: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * The rows of a consent file with their issues, as an async iterable; its return value (the
 * `done: true` result) is the file's report. Memory stays flat: rows are yielded per chunk.
 */
export async function* validateRows(source: ByteSource, options: ValidateOptions = {}): AsyncGenerator<RowResult, FileReport, void> {
  const batches = validateRowBatches(source, options);
  for (;;) {
    const step = await batches.next();
    if (step.done) return step.value;
    yield* drain(step.value, options.signal);
  }
}

/**
 * The rows in batches (one per chunk read), for consumers that handle millions of rows:
 * one await per chunk instead of one per row. The return value is the report.
 */
export function validateRowBatches(source: ByteSource, options: ValidateOptions = {}): AsyncGenerator<RowResult[], FileReport, void> {
  return rowBatches(source, options, false) as AsyncGenerator<RowResult[], FileReport, void>;
}

/** Clean CSV rows already written canonically (see CleanLineSink): their lines as text. */
export class CleanLine {
  constructor(
    /** 1-based data row of the first line. */
    readonly row: number,
    /** How many rows (lines). */
    readonly rows: number,
    /** The lines, each ending in one LF. */
    readonly text: string,
  ) {}
}

/**
 * As validateRowBatches, but clean rows of a canonical CSV come as CleanLine (runs of lines)
 * instead of a RowResult, for prepare to copy through (`copy` false: always RowResult).
 */
export function validateRowBatchesWithLines(source: ByteSource, options: ValidateOptions, copy: boolean): AsyncGenerator<Array<RowResult | CleanLine>, FileReport, void> {
  return rowBatches(source, options, copy);
}

async function* rowBatches(source: ByteSource, options: ValidateOptions, copy: boolean): AsyncGenerator<Array<RowResult | CleanLine>, FileReport, void> {
  const resolved = resolveValidateOptions(options);
  let queue: Array<RowResult | CleanLine> = [];
  const engine = new ValidationEngine(resolved, (r) => queue.push(r), options.onFormat, copy ? (text, row, rows) => queue.push(new CleanLine(row, rows, text)) : undefined);
  for await (const _ of feed(engine, source, resolved.fileName, options.signal)) {
    if (queue.length > 0) {
      const batch = queue;
      queue = [];
      yield batch;
    }
  }
  const report = engine.end();
  if (queue.length > 0) yield queue;
  return report;
}

/** Yields queued rows one by one, stopping as soon as the signal fires. */
function* drain(queue: RowResult[], signal: AbortSignal | undefined): Generator<RowResult> {
  for (let i = 0; i < queue.length; i++) {
    throwIfAborted(signal);
    yield queue[i]!;
  }
}

/** Validates a byte stream (stdin, a socket, any async iterable of bytes) and resolves to the report. */
export async function validateStream(source: ByteSource, options: ValidateOptions = {}): Promise<FileReport> {
  const resolved = resolveValidateOptions(options);
  const engine = new ValidationEngine(resolved, undefined, options.onFormat);
  for await (const _ of feed(engine, source, resolved.fileName, options.signal));
  return engine.end();
}

/**
 * Writes the source into the engine chunk by chunk, pausing (yielding) after each so a
 * caller can hand over the rows it produced; read failures become coded errors.
 */
async function* feed(engine: ValidationEngine, source: ByteSource, fileName: string, signal: AbortSignal | undefined): AsyncGenerator<void> {
  throwIfAborted(signal);
  try {
    for await (const chunk of readAbortably(source, signal)) {
      engine.write(toBytes(chunk));
      yield;
    }
  } catch (err) {
    if ((err as BatchprepError)?.code === ErrorCode.Aborted) throw err;
    throw fromFsError(err, fileName, 'read');
  }
  throwIfAborted(signal);
}

/**
 * Opens a file for the engine, with a clear coded error when it cannot be read, and tells its
 * size (the duplicate index sizes itself from it). The file is opened here, before the stream
 * exists, so an unreadable, missing or vanished file rejects this promise (a stream that opens
 * its own file would emit the error as an event, possibly before anything listens); a
 * directory is refused (a pipe such as `<(cmd)` is read, its size unknown).
 */
export async function openSized(path: string, displayName = path, highWaterMark = 256 * 1024): Promise<{ stream: Readable; size: number }> {
  let fh: FileHandle | undefined;
  let size: number;
  try {
    fh = await open(path, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) throw new BatchprepError(ErrorCode.IoError, `${displayName}: is a directory, expected a consent file`, { file: displayName });
    size = st.size;
  } catch (err) {
    await fh?.close().catch(() => {});
    throw fromFsError(err, displayName, 'read');
  }
  return { stream: fh.createReadStream({ highWaterMark, autoClose: true }), size };
}

/**
 * The engine's format decision for a file on disk, from its name and first `HEAD_BYTES` bytes,
 * without validating it (FinPro submit with validation off asks this for the content type).
 */
export async function detectFileFormat(path: string, options: { fileName?: string; format?: FileFormat | 'auto' } = {}): Promise<FormatDecision> {
  const name = options.fileName ?? path;
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const { buffer, bytesRead } = await fh.read({ buffer: Buffer.alloc(HEAD_BYTES), position: 0 });
    return decideFormat(buffer.subarray(0, bytesRead), options.format ?? 'auto', name, true)!;
  } catch (err) {
    throw fromFsError(err, name, 'read');
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** Validates a file on disk and resolves to the report (`file` is the path as given). */
export async function validateFile(path: string, options: ValidateOptions = {}): Promise<FileReport> {
  const { stream, size } = await openSized(path);
  try {
    return await validateStream(stream, { fileName: path, sizeHint: size, ...options });
  } finally {
    stream.destroy();
  }
}

/**
 * A Node Transform: bytes in, `RowResult` objects out; `report` resolves when the input ends
 * (and rejects if the stream fails).
 */
export function createValidateTransform(options: ValidateOptions = {}): Transform & { report: Promise<FileReport> } {
  const resolved = resolveValidateOptions(options);
  let resolveReport!: (r: FileReport) => void;
  let rejectReport!: (e: unknown) => void;
  const report = new Promise<FileReport>((res, rej) => {
    resolveReport = res;
    rejectReport = rej;
  });
  report.catch(() => {});
  let engine!: ValidationEngine;
  const t = new Transform({
    writableObjectMode: false,
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, cb) {
      if (options.signal?.aborted) return cb(abortedError());
      engine.write(chunk);
      cb();
    },
    flush(cb) {
      const r = engine.end();
      cb();
      resolveReport(r);
    },
  });
  engine = new ValidationEngine(resolved, (row) => t.push(row), options.onFormat);
  t.on('error', rejectReport);
  return Object.assign(t, { report });
}
