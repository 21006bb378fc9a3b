import type { IssueCode } from '../core/issues.js';

/**
 * One line per issue code, for report formats that describe their rules (SARIF `rules`,
 * JUnit failure messages). Typed as a full record so that adding a code to `IssueCode`
 * without describing it here is a compile error.
 */
export const RULE_DESCRIPTIONS: Record<IssueCode, string> = {
  FileTooLarge: 'The file is larger than the upload limit (10,485,760 bytes by default).',
  UnsupportedFileType: 'The file is neither CSV nor JSON.',
  InvalidEncoding: 'The file is not valid UTF-8 (or starts with a UTF-16/32 byte order mark).',
  BomNotAllowed: 'A CSV file must not start with a UTF-8 byte order mark.',
  BomInJson: 'A JSON file starts with a UTF-8 byte order mark.',
  MissingColumn: 'The CSV header has no consentId column.',
  DuplicateColumn: 'A column name appears more than once in the CSV header.',
  UnknownField: 'A column or key that the upload API does not use.',
  FieldCountMismatch: 'A CSV row has more or fewer fields than the header.',
  MalformedCsv: 'The CSV cannot be parsed (for example an unclosed quote).',
  MalformedJson: 'The JSON cannot be parsed or is not an array of consent objects.',
  ConflictingFields: 'A row has both consentId and consent_id with different values.',
  InvalidFieldType: 'A field holds a non-string value where a string is required.',
  MissingConsentId: 'A row has no consentId, or an empty one.',
  InvalidConsentId: 'A consentId is not a UUID in 8-4-4-4-12 hexadecimal form.',
  InvalidDate: 'A date is not an RFC 3339 date-time with an offset, or not a calendar date.',
  InvalidDateRange: 'fiDataRangeFrom is later than fiDataRangeTo.',
  InvalidConfigId: 'A configId contains control characters.',
  DuplicateConsentId: 'A consentId already appeared earlier in the same file.',
  EmptyFile: 'The file has no data rows.',
  RecordTooLarge: 'A single record is larger than the record size cap.',
};
