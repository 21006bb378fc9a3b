import type { FileReport, Issue, ValidationReport } from '../core/issues.js';
import { displayName, plural, printable, totalLine, unlistedCount } from './shared.js';

/** Options of {@link formatText}. */
export interface TextReportOptions {
  /**
   * ANSI colour: red errors, yellow warnings, bold file names. The CLI turns it on only on
   * a TTY without `NO_COLOR`.
   * @default false
   */
  color?: boolean;
}

type Paint = (s: string) => string;

interface Palette {
  red: Paint;
  yellow: Paint;
  green: Paint;
  bold: Paint;
}

const sgr = (open: number, close: number): Paint => (s) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain: Paint = (s) => s;
const COLOURS: Palette = { red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39), bold: sgr(1, 22) };
const NO_COLOURS: Palette = { red: plain, yellow: plain, green: plain, bold: plain };

/**
 * The report for people: `<file>:<line>: <severity> <code> (row N, <field>): <message>`
 * per issue, grouped per file, then the file's verdict, and a last line for the whole run.
 * Every value that came from the input is shown with its control characters escaped, so
 * one issue is always one line.
 */
export function formatText(report: ValidationReport, options: TextReportOptions = {}): string {
  const p = options.color === true ? COLOURS : NO_COLOURS;
  const lines: string[] = [];
  for (const f of report.files) {
    for (const issue of f.issues) lines.push(issueLine(f.file, issue, p));
    const unlisted = unlistedCount(f);
    if (f.truncated && unlisted > 0) {
      lines.push(`${p.bold(printable(displayName(f.file)))}: … and ${unlisted} more ${unlisted === 1 ? 'issue' : 'issues'} not listed (raise --max-errors)`);
    }
    lines.push(fileLine(f, p));
  }
  lines.push(totalLine(report));
  return `${lines.join('\n')}\n`;
}

/** One issue as one line, leaving out the location parts the issue does not have. */
function issueLine(file: string, issue: Issue, p: Palette): string {
  const name = printable(displayName(file));
  const where = issue.line === undefined || issue.line === null ? name : `${name}:${issue.line}`;
  const parts: string[] = [];
  if (issue.row !== undefined && issue.row !== null) parts.push(`row ${issue.row}`);
  if (issue.field !== undefined && issue.field !== null) parts.push(printable(issue.field));
  if (issue.offset !== undefined && issue.offset !== null) parts.push(`byte ${issue.offset}`);
  const paint = issue.severity === 'error' ? p.red : p.yellow;
  const head = paint(`${issue.severity} ${issue.code}`);
  const context = parts.length > 0 ? ` (${parts.join(', ')})` : '';
  return `${p.bold(where)}: ${head}${context}: ${printable(issue.message)}`;
}

/** The verdict for one file, with the error code the FinPro server would answer. */
function fileLine(f: FileReport, p: Palette): string {
  const verdict = f.valid ? p.green('valid') : p.red('INVALID');
  const counts = `${plural(f.rows, 'row')}, ${plural(f.errorCount, 'error')}, ${plural(f.warningCount, 'warning')}`;
  const api =
    f.apiErrorCode !== null
      ? `; the server would answer ${f.apiErrorCode}`
      : f.valid || f.format === null
        ? '' // valid, or never read (FileNotFound, IoError): no verdict on rows
        : "; the rows break the documented rules (the service's answer to such rows is not documented)";
  return `${p.bold(printable(displayName(f.file)))}: ${verdict} — ${counts}${api}`;
}
