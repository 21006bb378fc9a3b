import type { FileReport, Issue, ValidationReport } from '../core/issues.js';

/** The file-level fields of a report entry, in the order SPEC section 4 lists them. */
export interface FileSummary {
  file: string;
  format: FileReport['format'];
  valid: boolean;
  bytes: number;
  rows: number;
  errorCount: number;
  warningCount: number;
  apiErrorCode: FileReport['apiErrorCode'];
  truncated: boolean;
}

/** Builds the summary object with a fixed key order, so machine output is stable. */
export function fileSummary(f: FileReport): FileSummary {
  return {
    file: f.file,
    format: f.format,
    valid: f.valid,
    bytes: f.bytes,
    rows: f.rows,
    errorCount: f.errorCount,
    warningCount: f.warningCount,
    apiErrorCode: f.apiErrorCode,
    truncated: f.truncated,
  };
}

const ISSUE_KEYS = ['severity', 'code', 'message', 'row', 'line', 'field', 'value', 'offset'] as const;

/**
 * Copies an issue with its keys in the documented order, leaving absent ones out
 * (undefined and null both count as absent), so JSON output never depends on how the
 * engine happened to build the object.
 */
export function orderedIssue(issue: Issue): Issue {
  const out: Record<string, unknown> = {};
  for (const key of ISSUE_KEYS) {
    const v = issue[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out as unknown as Issue;
}

/** How many issues were counted but not listed (the `--max-errors` cut). */
export function unlistedCount(f: FileReport): number {
  return Math.max(0, f.errorCount + f.warningCount - f.issues.length);
}

/** "1 row", "2 rows": reports are read by people. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The name shown to people for a file: stdin (`-`) reads as `<stdin>`. */
export function displayName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

// C0/C1 controls, line/paragraph separators and bidi overrides: they would break a line or
// let a value in a bad file rewrite the terminal or disguise itself.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Makes a string safe to print on one terminal line, showing controls as escapes. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** The last line of the people-facing formats: how the whole run went. */
export function totalLine(report: ValidationReport): string {
  const files = report.files.length;
  const invalid = report.files.filter((f) => !f.valid).length;
  let errors = 0;
  let warnings = 0;
  for (const f of report.files) {
    errors += f.errorCount;
    warnings += f.warningCount;
  }
  const verdict = report.valid ? 'valid' : 'INVALID';
  return `${verdict}: ${plural(files, 'file')} checked, ${invalid} invalid; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/**
 * Escapes a JSON text's U+2028/U+2029: valid JSON, but some line-based readers split on
 * them, which would break one-object-per-line output.
 */
export function escapeLineSeparators(json: string): string {
  return json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
