import type { ValidationReport } from '../core/issues.js';
import { BatchprepError, ErrorCode } from '../errors.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatNdjson } from './ndjson.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

/** Every `--report` kind, in the order `--help` lists them. */
export const REPORT_KINDS = ['text', 'json', 'ndjson', 'github', 'junit', 'sarif'] as const;

export type ReportKind = (typeof REPORT_KINDS)[number];

/** Options of {@link formatReport}. */
export interface FormatReportOptions {
  /**
   * ANSI colour in the `text` report (the other kinds never colour).
   * @default false
   */
  color?: boolean;
  /**
   * The tool version written into `sarif`.
   * @default the package version
   */
  toolVersion?: string;
}

/**
 * Renders a validation report in one of the `--report` kinds. Pure: returns the whole
 * text (ending with a newline) and never writes anywhere, so the CLI and library users
 * decide where it goes.
 */
export function formatReport(report: ValidationReport, kind: ReportKind, options: FormatReportOptions = {}): string {
  switch (kind) {
    case 'text':
      return formatText(report, { color: options.color });
    case 'json':
      return formatJson(report);
    case 'ndjson':
      return formatNdjson(report);
    case 'github':
      return formatGithub(report);
    case 'junit':
      return formatJunit(report);
    case 'sarif':
      return formatSarif(report, { toolVersion: options.toolVersion });
    default:
      throw new BatchprepError(
        ErrorCode.InvalidOption,
        `unknown report kind ${JSON.stringify(kind satisfies never)}: use one of ${REPORT_KINDS.join(', ')}`,
      );
  }
}
