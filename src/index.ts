export { BatchprepError, ErrorCode, ExitCode, exitCodeFor, isBatchprepError } from './errors.js';
export type { BatchprepErrorDetails } from './errors.js';
export { IssueCode, ROW_FIELDS } from './core/issues.js';
export type { ApiErrorCode, ConsentRow, FileFormat, FileReport, Issue, Severity, ValidationReport } from './core/issues.js';
export type { GlobalDefaults } from './core/defaults.js';
export { formatReport, REPORT_KINDS } from './report/format.js';
export type { FormatReportOptions, ReportKind } from './report/format.js';
