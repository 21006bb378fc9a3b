/**
 * `batchprep/validate`: validation and reports only. Loads no network client (no AWS SDK,
 * undici, archiver or ssh2) and not zod, so a validate-only user pays for the engine alone.
 */
export { BatchprepError, ErrorCode, ExitCode, exitCodeFor, isBatchprepError, isErrorCode } from '../errors.js';
export type { BatchprepErrorDetails } from '../errors.js';
export { FILE_LEVEL_CODES, IssueCode, ROW_FIELDS, UNPARSEABLE_CODES } from '../core/issues.js';
export type { ApiErrorCode, ConsentRow, FileFormat, FileReport, Issue, Severity, ValidationReport } from '../core/issues.js';
export type { GlobalDefaults } from '../core/defaults.js';
export { resolveDefaults } from '../core/defaults.js';
export { checkDateTime, DATE_FORMATS } from '../core/datetime.js';
export type { DateFormat } from '../core/datetime.js';
export { FINPRO_MAX_BYTES } from '../core/finpro-rules.js';
export { FILE_NAME_PATTERN, fileNameProblem, isValidFileName, sanitizeFileName } from '../core/file-name.js';
export { createValidateTransform, DEFAULT_MAX_BYTES, detectFileFormat, validateFile, validateRows, validateStream } from '../validate/faces.js';
export type { FormatDecision } from '../validate/sniff.js';
export type { ByteSource, RowResult, ValidateOptions } from '../validate/faces.js';
export { formatReport, REPORT_KINDS } from '../report/format.js';
export type { FormatReportOptions, ReportKind } from '../report/format.js';
