import type { Issue, ValidationReport } from '../core/issues.js';
import { escapeLineSeparators, fileSummary, orderedIssue, type FileSummary } from './shared.js';

/** The `--report json` document (SPEC section 4). */
export interface JsonReport {
  valid: boolean;
  files: Array<FileSummary & { issues: Issue[] }>;
}

/** Builds the JSON report object with its keys in the documented order. */
export function toJsonReport(report: ValidationReport): JsonReport {
  return {
    valid: report.valid,
    files: report.files.map((f) => ({ ...fileSummary(f), issues: f.issues.map(orderedIssue) })),
  };
}

/**
 * Exactly one JSON object (indented for people who read it in a CI log; any JSON parser or
 * `jq` reads it the same), followed by a newline.
 */
export function formatJson(report: ValidationReport): string {
  return `${escapeLineSeparators(JSON.stringify(toJsonReport(report), null, 2))}\n`;
}
