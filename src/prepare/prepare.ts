import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { BatchprepError, ErrorCode, fromFsError, throwIfAborted } from '../errors.js';
import { IssueCode, type FileFormat, type FileReport } from '../core/issues.js';
import { sanitizeFileName, splitExtension } from '../core/file-name.js';
import type { GlobalDefaults } from '../core/defaults.js';
import type { DateFormat } from '../core/datetime.js';
import { FINPRO_MAX_BYTES, isValidReferenceId, utcStamp } from '../core/finpro-rules.js';
import { openAtomicOutput } from '../fs/atomic-output.js';
import { PartWriter, type PartInfo } from './part-writer.js';
import { RowRouter } from './row-router.js';
import type { PrepareManifestDoc } from '../core/manifests.js';
import { openSized, readAbortably, validateRowBatchesWithLines, type ByteSource, type RowResult } from '../validate/faces.js';

export { FINPRO_MAX_BYTES } from '../core/finpro-rules.js';
const REFERENCE_SUFFIX = '-0001'.length;

export interface PrepareOptions {
  /** Directory for the parts and `manifest.json` (created if missing). */
  outDir: string;
  /** Input format; `auto` uses the extension, else sniffs. @default 'auto' */
  format?: FileFormat | 'auto';
  /** Output format. @default the input's format */
  to?: FileFormat;
  /** Largest part in bytes (exact encoded bytes). @default 10485760 */
  maxBytes?: number;
  /** Most rows per part. @default Infinity */
  maxRows?: number;
  /** Drop rows whose consentId appeared earlier (first wins). @default false */
  dedupe?: boolean;
  /** Warnings become errors, as in validate (a duplicate is an error unless `dedupe`). @default false */
  strict?: boolean;
  /** Date-times accepted: `rfc3339` or `iso8601` (see ValidateOptions.dateFormat); values are written as given. @default 'rfc3339' */
  dateFormat?: DateFormat;
  /** Global defaults materialised into the rows. */
  defaults?: GlobalDefaults;
  /** Reference IDs are `<referenceId>-0001`, `-0002`...; 5-60 chars of [A-Za-z0-9_-] each. @default `<input stem>-<UTC yyyymmddHHMMSS>-<4 hex>` */
  referenceId?: string;
  /** Part file base name: `<name>-0001.csv`. @default the input's stem (`stdin` for stdin) */
  name?: string;
  /** Write valid rows and send rejected rows (NDJSON, one row with its issues per line) here instead of failing. */
  rejectFile?: string;
  /** Allow a non-empty out dir. @default false */
  force?: boolean;
  /** Issues listed in the report on failure. @default 1000 */
  maxErrors?: number;
  /** Input name for the manifest and messages; `-` for stdin. @default '-' */
  fileName?: string;
  /** Stops the work; nothing is left behind. */
  signal?: AbortSignal;
  /** Called with input bytes read so far. */
  onProgress?: (bytes: number) => void;
  /**
   * Clean rows of a CSV whose lines are already canonical are copied as text instead of being
   * re-encoded (same bytes either way; off only to test that). @default true
   */
  copyCleanRows?: boolean;
}

/** `manifest.json` as written; the schema (core/manifests.ts) is the one the submission reads with. */
export type PrepareManifest = PrepareManifestDoc;

export interface PrepareResult {
  /** False when the input had errors and nothing was written (no reject file). */
  ok: boolean;
  /** The validator's report of the input. */
  report: FileReport;
  /** The manifest written (null when nothing was written). */
  manifest: PrepareManifest | null;
  /** Rows written to parts. */
  rowsWritten: number;
  /** Rows dropped by `dedupe`. */
  duplicatesDropped: number;
  /** Rows sent to the reject file. */
  rejectedRows: number;
}

/**
 * Errors prepare repairs by normalising (it never writes a BOM): a BOM in CSV is always an
 * error, a BOM in JSON only under `strict`. From the engine's counts, listed or not.
 */
function repairedErrors(report: FileReport, strict: boolean): number {
  const counts = report.counts ?? {};
  return (counts[IssueCode.BomNotAllowed] ?? 0) + (strict ? counts[IssueCode.BomInJson] ?? 0 : 0);
}

/** Checks a reference ID base: valid itself and short enough to take the `-0001` suffix. */
export function checkReferenceBase(base: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(base)) {
    throw new BatchprepError(ErrorCode.InvalidReferenceId, `--reference-id "${base}" may contain only letters, digits, _ and -`);
  }
  if (base.length + REFERENCE_SUFFIX > 60) {
    throw new BatchprepError(ErrorCode.InvalidReferenceId, `--reference-id "${base}" is ${base.length} characters; with the "-0001" part suffix it must stay within 60, so use at most ${60 - REFERENCE_SUFFIX}`);
  }
  if (!isValidReferenceId(`${base}-0001`)) {
    throw new BatchprepError(ErrorCode.InvalidReferenceId, `--reference-id "${base}" gives invalid reference IDs (5-60 characters of [A-Za-z0-9_-])`);
  }
  return base;
}

/** A default reference ID base: the input's stem, the UTC time and 4 random hex digits, so a re-run never collides. */
export function defaultReferenceBase(inputName: string, now = new Date()): string {
  const stem = inputName === '-' ? 'stdin' : splitExtension(basename(inputName)).stem;
  const clean = stem.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'batch';
  return `${clean}-${utcStamp(now)}-${randomBytes(2).toString('hex')}`;
}

/** Prepares a consent file on disk; see {@link prepareStream}. */
export async function prepareFile(path: string, options: PrepareOptions): Promise<PrepareResult> {
  resolvePrepareOptions(options);
  // Opened before the stream exists: an unreadable, missing or vanished file rejects with a
  // coded error here, never as an 'error' event that nothing listens to yet.
  const { stream, size } = await openSized(path, path, 32 * 1024);
  try {
    return await prepareStream(stream, { fileName: path, ...options, sizeHint: size } as PrepareOptions);
  } finally {
    stream.destroy();
  }
}

/** Checks the options once, before any I/O (the CLI passes its flags through unchecked). */
export function resolvePrepareOptions(options: PrepareOptions): { maxBytes: number; maxRows: number } {
  const maxBytes = options.maxBytes ?? FINPRO_MAX_BYTES;
  const maxRows = options.maxRows ?? Infinity;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new BatchprepError(ErrorCode.InvalidOption, `--max-bytes must be a positive whole number, got ${maxBytes}`);
  if (maxRows !== Infinity && (!Number.isSafeInteger(maxRows) || maxRows < 1)) throw new BatchprepError(ErrorCode.InvalidOption, `--max-rows must be a positive whole number, got ${maxRows}`);
  if (options.to !== undefined && options.to !== 'csv' && options.to !== 'json') throw new BatchprepError(ErrorCode.InvalidOption, `--to must be csv or json, got ${String(options.to)}`);
  return { maxBytes, maxRows };
}

/**
 * One streaming pass over the validator's effective rows: defaults materialised, rows
 * normalised (canonical CSV or JSON), deduplicated if asked, and split into parts within
 * `maxBytes` and `maxRows`. Everything is written atomically: on errors (without a reject
 * file), a failure or an abort, nothing appears in `outDir`.
 */
export async function prepareStream(source: ByteSource, options: PrepareOptions): Promise<PrepareResult> {
  const fileName = options.fileName ?? '-';
  const { maxBytes, maxRows } = resolvePrepareOptions(options);
  const referenceBase = options.referenceId !== undefined ? checkReferenceBase(options.referenceId) : defaultReferenceBase(fileName);
  const baseName = sanitizeFileName(options.name ?? (fileName === '-' ? 'stdin' : splitExtension(basename(fileName)).stem));

  // Hash and count the input as the engine reads it; the engine decides the format and says so.
  const hash = createHash('sha256');
  let bytes = 0;
  let decided: FileFormat | null = null;
  // A read that waits on a silent pipe must still end on abort (Ctrl-C): readAbortably races each read.
  async function* tap(): AsyncGenerator<Uint8Array> {
    for await (const c of readAbortably(source, options.signal)) {
      const chunk = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
      hash.update(chunk);
      bytes += chunk.length;
      options.onProgress?.(bytes);
      yield chunk;
    }
  }

  const out = await openAtomicOutput(options.outDir, { force: options.force, signal: options.signal });
  let router: RowRouter | null = null;
  let rejects: RejectWriter | null = null;
  let batches: ReturnType<typeof validateRowBatchesWithLines> | undefined;
  try {
    if (options.rejectFile) rejects = await RejectWriter.open(options.rejectFile);
    // Lines can be copied only into CSV parts (JSON input has no lines to copy).
    const copy = (options.copyCleanRows ?? true) && (options.to === undefined || options.to === 'csv');
    batches = validateRowBatchesWithLines(tap(), {
      fileName,
      format: options.format ?? 'auto',
      maxBytes: Infinity,
      maxErrors: options.maxErrors,
      strict: options.strict,
      duplicateCheck: true,
      defaults: options.defaults,
      dateFormat: options.dateFormat,
      signal: options.signal,
      // From prepareFile: sizes the duplicate index once.
      sizeHint: (options as { sizeHint?: number }).sizeHint,
      onFormat: (d) => (decided = d.format),
    }, copy);
    router = new RowRouter(
      () => new PartWriter(out, { format: options.to ?? decided ?? 'csv', baseName, referenceBase, maxBytes, maxRows, signal: options.signal }),
      rejects,
      options.dedupe ?? false,
    );
    let report: FileReport;
    for (;;) {
      const step = await batches.next();
      if (step.done) {
        report = step.value;
        break;
      }
      await router.take(step.value);
      throwIfAborted(options.signal);
    }
    const writer = router.writer;
    const { rowErrors, rowsWritten, duplicatesDropped, rejectedRows, blockingRows } = router;
    // Errors that belong to no row (MalformedCsv, EmptyFile...) always fail; a BOM is repaired.
    // Counted from the engine's counts, never from the listed issues (which maxErrors cuts).
    const fixed = repairedErrors(report, options.strict ?? false);
    const fileErrors = report.errorCount - rowErrors - fixed;
    if (fileErrors > 0 || (!rejects && blockingRows > 0) || (rowsWritten === 0 && rejectedRows === 0)) {
      writer?.destroy();
      await rejects?.abort();
      await out.abort();
      return { ok: false, report, manifest: null, rowsWritten: 0, duplicatesDropped, rejectedRows: 0 };
    }
    const parts = writer ? await writer.finish() : [];
    const manifest: PrepareManifest = {
      input: { name: fileName === '-' ? '-' : basename(fileName), sha256: hash.digest('hex'), bytes, rows: report.rows },
      parts,
    };
    await writeFile(out.tempPath('manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    throwIfAborted(options.signal);
    await rejects?.commit();
    await out.commit(parts.map((p) => p.file));
    return { ok: true, report, manifest, rowsWritten, duplicatesDropped, rejectedRows };
  } catch (err) {
    router?.writer?.destroy();
    // Stop reading: a pending read keeps a pipe (stdin) and so the process alive.
    void batches?.return(undefined as never);
    if (source instanceof Readable) source.destroy();
    await rejects?.abort();
    await out.abort();
    throw err;
  }
}

/**
 * The reject file: one JSON object per rejected row (`row`, `line`, `fields` or `values`,
 * `issues`), written to a temp name beside FILE and renamed only when prepare succeeds.
 */
class RejectWriter {
  private constructor(private readonly path: string, private readonly temp: string, private readonly stream: WriteStream) {}

  static async open(path: string): Promise<RejectWriter> {
    const temp = join(dirname(path), `.${basename(path)}.batchprep-tmp-${randomBytes(4).toString('hex')}`);
    const stream = createWriteStream(temp, { flags: 'wx' });
    try {
      await once(stream, 'open');
    } catch (err) {
      throw fromFsError(err, path, 'write');
    }
    stream.on('error', () => {});
    return new RejectWriter(path, temp, stream);
  }

  async add(r: RowResult): Promise<void> {
    const line = `${JSON.stringify({ row: r.row, line: r.line, ...(r.fields ? { fields: r.fields } : { values: r.values }), issues: r.issues })}\n`;
    try {
      if (!this.stream.write(line)) await once(this.stream, 'drain');
    } catch (err) {
      throw fromFsError(err, this.path, 'write');
    }
  }

  async commit(): Promise<void> {
    try {
      this.stream.end();
      await once(this.stream, 'close');
      await rename(this.temp, this.path);
    } catch (err) {
      throw fromFsError(err, this.path, 'write');
    }
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.temp, { force: true }).catch(() => {});
  }
}
