import type { ValidationReport } from '../core/issues.js';
import { escapeLineSeparators, fileSummary, orderedIssue } from './shared.js';

/**
 * One issue per line (`{"file", ...issue}`), then exactly one summary line
 * `{"summary": true, "valid", "files": [...]}`, so a consumer can stream the issues and
 * still learn the verdict; the summary is the only line with a `summary` key.
 */
export function formatNdjson(report: ValidationReport): string {
  const lines: string[] = [];
  for (const f of report.files) {
    for (const issue of f.issues) {
      lines.push(escapeLineSeparators(JSON.stringify({ file: f.file, ...orderedIssue(issue) })));
    }
  }
  lines.push(escapeLineSeparators(JSON.stringify({ summary: true, valid: report.valid, files: report.files.map(fileSummary) })));
  return `${lines.join('\n')}\n`;
}
