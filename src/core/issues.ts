/**
 * Issues are data: a bad row or a bad byte is collected, counted and reported, never thrown.
 * The codes are stable; users match on them.
 */

export const IssueCode = {
  FileTooLarge: 'FileTooLarge',
  UnsupportedFileType: 'UnsupportedFileType',
  InvalidEncoding: 'InvalidEncoding',
  BomNotAllowed: 'BomNotAllowed',
  BomInJson: 'BomInJson',
  MissingColumn: 'MissingColumn',
  DuplicateColumn: 'DuplicateColumn',
  UnknownField: 'UnknownField',
  FieldCountMismatch: 'FieldCountMismatch',
  MalformedCsv: 'MalformedCsv',
  MalformedJson: 'MalformedJson',
  ConflictingFields: 'ConflictingFields',
  InvalidFieldType: 'InvalidFieldType',
  MissingConsentId: 'MissingConsentId',
  InvalidConsentId: 'InvalidConsentId',
  InvalidDate: 'InvalidDate',
  InvalidDateRange: 'InvalidDateRange',
  InvalidConfigId: 'InvalidConfigId',
  DuplicateConsentId: 'DuplicateConsentId',
  EmptyFile: 'EmptyFile',
  RecordTooLarge: 'RecordTooLarge',
} as const;

export type IssueCode = (typeof IssueCode)[keyof typeof IssueCode];

export type Severity = 'error' | 'warning';

/** The error code the FinPro server would answer for a file (SPEC section 2). */
export type ApiErrorCode = 'FileTooLarge' | 'UnsupportedFileType' | 'InvalidFileContent';

export type FileFormat = 'csv' | 'json';

/** The consent row fields, in canonical order. */
export const ROW_FIELDS = ['consentId', 'fiDataRangeFrom', 'fiDataRangeTo', 'configId'] as const;
export type RowField = (typeof ROW_FIELDS)[number];

export interface Issue {
  severity: Severity;
  code: IssueCode;
  /** For people: what is wrong, where, and how to fix it. */
  message: string;
  /** 1-based data row (the CSV header is not a row; for JSON the 1-based array index). */
  row?: number;
  /** 1-based physical line where the record starts (CSV always, JSON where known). */
  line?: number;
  /** The field (column or key) the issue is about. */
  field?: string;
  /** The offending value, cut to 100 characters. */
  value?: string;
  /** Byte offset in the file (encoding issues). */
  offset?: number;
}

/** An effective row: the row's own values, then global defaults. Absent fields are omitted. */
export interface ConsentRow {
  consentId: string;
  fiDataRangeFrom?: string;
  fiDataRangeTo?: string;
  configId?: string;
}

/** The result of validating one file. */
export interface FileReport {
  /** The file name as given, `-` for stdin. */
  file: string;
  /** Detected or requested format; null when the type is unsupported. */
  format: FileFormat | null;
  valid: boolean;
  bytes: number;
  /** Data rows seen (header excluded). */
  rows: number;
  errorCount: number;
  warningCount: number;
  /** What the FinPro server would answer; null when valid. */
  apiErrorCode: ApiErrorCode | null;
  /** True when more issues were found than `maxErrors` lets the report list. */
  truncated: boolean;
  issues: Issue[];
}

/** The result of validating several files. */
export interface ValidationReport {
  valid: boolean;
  files: FileReport[];
}

const MAX_VALUE = 100;

/** Cuts a value for an issue to 100 characters, marking the cut. */
export function clipValue(value: string): string {
  return value.length <= MAX_VALUE ? value : `${value.slice(0, MAX_VALUE - 1)}…`;
}
