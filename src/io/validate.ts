import type { Readable, Transform } from 'node:stream';
import type { ConsentRow, FileFormat, FileReport, Issue } from '../core/issues.js';
import type { GlobalDefaults } from '../core/defaults.js';

export interface ValidateOptions {
  /** Input format; `auto` uses the extension of `fileName`, else sniffs the content. @default 'auto' */
  format?: FileFormat | 'auto';
  /** Name shown in reports and used for the extension; `-` for stdin. @default '-' */
  fileName?: string;
  /** Size cap in bytes; one byte more is `FileTooLarge`. @default 10485760 */
  maxBytes?: number;
  /** Issues listed in the report; more are counted, not listed. @default 1000 */
  maxErrors?: number;
  /** Warnings become errors (DuplicateConsentId, UnknownField, BomInJson). @default false */
  strict?: boolean;
  /** Keep the duplicate-ID index (the only state that grows with the input). @default true */
  duplicateCheck?: boolean;
  /** Global defaults applied to empty cells and absent keys (SPEC section 3). */
  defaults?: GlobalDefaults;
  /** Largest record (CSV record or JSON value) in characters before `RecordTooLarge`. @default 1048576 */
  maxRecordLength?: number;
  /** Stops the work; the promise rejects with code `Aborted`. */
  signal?: AbortSignal;
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

export type ByteSource = AsyncIterable<Uint8Array> | Readable;

export declare function validateRows(source: ByteSource, options?: ValidateOptions): AsyncGenerator<RowResult, FileReport, void>;
export declare function validateStream(source: ByteSource, options?: ValidateOptions): Promise<FileReport>;
export declare function validateFile(path: string, options?: ValidateOptions): Promise<FileReport>;
export declare function createValidateTransform(options?: ValidateOptions): Transform & { report: Promise<FileReport> };
