import type { Issue, ValidationReport } from '../core/issues.js';
import { totalLine, unlistedCount } from './shared.js';

/** Escapes a command's message the way GitHub's actions toolkit does (`escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property value the way GitHub's actions toolkit does (`escapeProperty`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Writes one `::name props::message` workflow command. */
function command(name: string, props: Array<[string, string]>, message: string): string {
  const list = props.map(([k, v]) => `${k}=${escapeProperty(v)}`).join(',');
  return `::${name}${list.length > 0 ? ` ${list}` : ''}::${escapeData(message)}`;
}

/**
 * GitHub Actions workflow commands: one `::error`/`::warning` annotation per issue, a
 * `::notice` when a file had more issues than were listed, and a last plain summary line.
 * stdin (`-`) is no file in the repository, so its annotations carry no `file`/`line`
 * properties and say the line in the message instead.
 */
export function formatGithub(report: ValidationReport): string {
  const lines: string[] = [];
  for (const f of report.files) {
    for (const issue of f.issues) lines.push(annotation(f.file, issue));
    const unlisted = unlistedCount(f);
    if (f.truncated && unlisted > 0) {
      const props: Array<[string, string]> = f.file === '-' ? [] : [['file', f.file]];
      props.push(['title', 'batchprep']);
      lines.push(command('notice', props, `${unlisted} more issues not listed (raise --max-errors)`));
    }
  }
  lines.push(totalLine(report));
  return `${lines.join('\n')}\n`;
}

/** One issue as an annotation on its file and line. */
function annotation(file: string, issue: Issue): string {
  const stdin = file === '-';
  const hasLine = issue.line !== undefined && issue.line !== null;
  const props: Array<[string, string]> = [];
  if (!stdin) {
    props.push(['file', file]);
    if (hasLine) props.push(['line', String(issue.line)]);
  }
  props.push(['title', issue.code]);
  const where: string[] = [];
  if (stdin) where.push(hasLine ? `stdin line ${issue.line}` : 'stdin');
  // Messages often say their row already; do not repeat it.
  if (issue.row !== undefined && issue.row !== null && !mentionsRow(issue.message, issue.row)) {
    where.push(`row ${issue.row}`);
  }
  const message = where.length > 0 ? `${issue.message} (${where.join(', ')})` : issue.message;
  return command(issue.severity === 'error' ? 'error' : 'warning', props, message);
}

/** Whether a message already says "row N" (as a whole word and number). */
function mentionsRow(message: string, row: number): boolean {
  const needle = `row ${row}`;
  for (let at = message.indexOf(needle); at !== -1; at = message.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : message[at - 1]!;
    const after = message[at + needle.length] ?? '';
    if (!/\w/.test(before) && !/\w/.test(after)) return true;
  }
  return false;
}
