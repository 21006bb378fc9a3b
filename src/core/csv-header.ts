import { clipValue, IssueCode, ROW_FIELDS, type Issue, type RowField } from './issues.js';

/** Where each known column sits in a CSV file (-1 when absent). */
export interface CsvLayout {
  consentId: number;
  fiDataRangeFrom: number;
  fiDataRangeTo: number;
  configId: number;
  /** Number of header fields: every row must have as many. */
  width: number;
}

const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
const KNOWN = new Map<string, RowField>(ROW_FIELDS.map((f) => [normalise(f), f]));

/** The column a near-miss header name was probably meant to be (`consent_id` → `consentId`). */
export function suggestColumn(name: string): RowField | undefined {
  const hit = KNOWN.get(normalise(name));
  return hit && hit !== name ? hit : undefined;
}

/**
 * Reads the header row: known columns in any order (names case-sensitive), a repeated
 * column is an error, an unknown one a warning (with a suggestion when it is a near miss).
 */
export function analyseHeader(fields: string[], line: number, warning: 'warning' | 'error'): { layout: CsvLayout; issues: Issue[] } {
  const layout: CsvLayout = { consentId: -1, fiDataRangeFrom: -1, fiDataRangeTo: -1, configId: -1, width: fields.length };
  const issues: Issue[] = [];
  const seen = new Set<string>();
  fields.forEach((name, i) => {
    if (seen.has(name)) {
      issues.push({
        severity: 'error',
        code: IssueCode.DuplicateColumn,
        message: `column ${JSON.stringify(clipValue(name))} appears more than once in the header (column ${i + 1}); keep one`,
        line,
        field: clipValue(name),
        value: clipValue(name),
      });
      return;
    }
    seen.add(name);
    if ((ROW_FIELDS as readonly string[]).includes(name)) {
      layout[name as RowField] = i;
      return;
    }
    const hint = suggestColumn(name);
    if (hint === 'consentId') return; // reported as MissingColumn below, with the suggestion
    issues.push({
      severity: warning,
      code: IssueCode.UnknownField,
      message: `column ${JSON.stringify(clipValue(name))} is not a FinPro column and will be ignored${hint ? `; did you mean ${hint}?` : ` (known: ${ROW_FIELDS.join(', ')})`}`,
      line,
      field: clipValue(name),
      value: clipValue(name),
    });
  });
  if (layout.consentId === -1) {
    const near = fields.find((f) => suggestColumn(f) === 'consentId');
    issues.unshift({
      severity: 'error',
      code: IssueCode.MissingColumn,
      message: near
        ? `the header has no consentId column; rename ${JSON.stringify(near)} to consentId (names are case-sensitive)`
        : `the header has no consentId column; the first line must be a header such as consentId,fiDataRangeFrom,fiDataRangeTo,configId`,
      line,
      field: 'consentId',
      ...(near ? { value: clipValue(near) } : {}),
    });
  }
  return { layout, issues };
}
