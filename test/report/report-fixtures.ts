import fc from 'fast-check';
import type { FileReport, ValidationReport } from '../../src/core/issues.js';

/** Hand-built reports shared by the report formatter tests (test/report-*.test.ts). */

export const validFile: FileReport = {
  file: 'good.csv',
  format: 'csv',
  valid: true,
  bytes: 180,
  rows: 2,
  errorCount: 0,
  warningCount: 0,
  apiErrorCode: null,
  truncated: false,
  issues: [],
};

/** A value with quotes, a newline, `%`, markup characters and a comma/colon. */
export const NASTY_VALUE = 'a "quoted"\nline 100% <&> x,y:z';

export const badFile: FileReport = {
  file: 'data/bad file.csv',
  format: 'csv',
  valid: false,
  bytes: 301,
  rows: 3,
  errorCount: 2,
  warningCount: 1,
  apiErrorCode: 'InvalidFileContent',
  truncated: false,
  issues: [
    {
      severity: 'warning',
      code: 'UnknownField',
      message: 'column "extra" is not used by the API and will be ignored',
      line: 1,
      field: 'extra',
    },
    {
      // keys deliberately out of order: the formatters must not depend on it
      value: '2024-02-30T00:00:00Z',
      field: 'fiDataRangeTo',
      line: 2,
      row: 1,
      message: 'fiDataRangeTo: 2024-02-30 is not a calendar date (February 2024 has 29 days)',
      code: 'InvalidDate',
      severity: 'error',
    },
    {
      severity: 'error',
      code: 'InvalidConfigId',
      message: `configId: ${JSON.stringify(NASTY_VALUE)} has a control character; remove it`,
      row: 2,
      line: 3,
      field: 'configId',
      value: NASTY_VALUE,
    },
  ],
};

export const stdinFile: FileReport = {
  file: '-',
  format: 'json',
  valid: false,
  bytes: 64,
  rows: 1,
  errorCount: 1,
  warningCount: 1,
  apiErrorCode: 'InvalidFileContent',
  truncated: false,
  issues: [
    { severity: 'warning', code: 'BomInJson', message: 'the file starts with a UTF-8 BOM; the API accepts it for JSON' },
    { severity: 'error', code: 'InvalidEncoding', message: 'invalid UTF-8 at byte 17; save the file as UTF-8', offset: 17 },
  ],
};

export const truncatedFile: FileReport = {
  file: 'big.csv',
  format: 'csv',
  valid: false,
  bytes: 9000,
  rows: 1600,
  errorCount: 1500,
  warningCount: 3,
  apiErrorCode: 'InvalidFileContent',
  truncated: true,
  issues: [
    { severity: 'error', code: 'InvalidConsentId', message: 'consentId: "x" is not a UUID', row: 1, line: 2, field: 'consentId', value: 'x' },
    { severity: 'error', code: 'MissingConsentId', message: 'consentId is empty; every row needs one', row: 2, line: 3, field: 'consentId' },
  ],
};

export const unsupportedFile: FileReport = {
  file: 'scan.pdf',
  format: null,
  valid: false,
  bytes: 20000,
  rows: 0,
  errorCount: 1,
  warningCount: 0,
  apiErrorCode: 'UnsupportedFileType',
  truncated: false,
  issues: [{ severity: 'error', code: 'UnsupportedFileType', message: 'scan.pdf is neither CSV nor JSON; upload a .csv or .json file' }],
};

export const validReport: ValidationReport = { valid: true, files: [validFile] };

export const mixedReport: ValidationReport = {
  valid: false,
  files: [validFile, badFile, stdinFile, truncatedFile, unsupportedFile],
};

export const emptyReport: ValidationReport = { valid: true, files: [] };

/** Characters that break formats: separators, escapes, markup, controls, lone surrogates. */
const SPECIAL = ['\n', '\r', '\t', '"', "'", '\\', '%', '<', '>', '&', ',', ':', '::', '\u0000', '\u001b', '\u0085', '\u2028', '\u2029', '\ufffe', '\uffff', ']]>'];

/** Any UTF-16 string: arbitrary code points mixed with SPECIAL and lone surrogates. */
export const anyText = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.constantFrom(...SPECIAL),
    fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 40,
});

/** An arbitrary issue whose text fields hold any UTF-16 string, lone surrogates included. */
export const arbitraryIssue = fc.record(
  {
    severity: fc.constantFrom('error' as const, 'warning' as const),
    code: fc.constantFrom('InvalidDate' as const, 'InvalidConfigId' as const, 'UnknownField' as const),
    message: anyText,
    row: fc.nat(),
    line: fc.integer({ min: 1 }),
    field: anyText,
    value: anyText,
    offset: fc.nat(),
  },
  { requiredKeys: ['severity', 'code', 'message'] },
);
