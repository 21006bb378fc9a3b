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

/**
 * Problems with the file as a whole: always listed, whatever `maxErrors` (row issues
 * cannot push them out). Each occurs at most once per file, or once per header column.
 */
export const FILE_LEVEL_CODES: ReadonlySet<IssueCode> = new Set<IssueCode>([
  IssueCode.FileTooLarge,
  IssueCode.UnsupportedFileType,
  IssueCode.InvalidEncoding,
  IssueCode.BomNotAllowed,
  IssueCode.MissingColumn,
  IssueCode.DuplicateColumn,
  IssueCode.MalformedCsv,
  IssueCode.MalformedJson,
  IssueCode.EmptyFile,
]);

/**
 * Errors that make the content unparseable for the service, which the FinPro document
 * answers with `InvalidFileContent` ("the file content could not be parsed (malformed
 * CSV/JSON)"). Row rules are not among them: the document does not say what the service
 * answers to a row that breaks them.
 */
export const UNPARSEABLE_CODES: ReadonlySet<IssueCode> = new Set<IssueCode>([
  IssueCode.InvalidEncoding,
  IssueCode.BomNotAllowed,
  IssueCode.MalformedCsv,
  IssueCode.FieldCountMismatch,
  IssueCode.MalformedJson,
  IssueCode.MissingColumn,
  IssueCode.DuplicateColumn,
  IssueCode.EmptyFile,
]);

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
  /**
   * The documented upload-time rejection the FinPro server would answer: FileTooLarge,
   * UnsupportedFileType, or InvalidFileContent for unparseable content. Null when valid, and
   * also when only row rules fail (the file is still invalid; the document does not say
   * what the service answers then).
   */
  apiErrorCode: ApiErrorCode | null;
  /** True when more issues were found than `maxErrors` lets the report list. */
  truncated: boolean;
  /** Listed issues: every file-level one (see FILE_LEVEL_CODES), then up to `maxErrors` others. */
  issues: Issue[];
  /** Issues found per code, listed or not (set by the engine). */
  counts?: Partial<Record<IssueCode, number>>;
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
