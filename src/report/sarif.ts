import type { FileReport, Issue, IssueCode, ValidationReport } from '../core/issues.js';
import { VERSION } from '../version.js';
import { RULE_DESCRIPTIONS } from './rule-descriptions.js';
import { escapeLineSeparators, unlistedCount } from './shared.js';

/** Options of {@link formatSarif}. */
export interface SarifReportOptions {
  /**
   * `tool.driver.version`.
   * @default the package version
   */
  toolVersion?: string;
  /**
   * `tool.driver.informationUri`: where people learn about the tool.
   * @default 'https://www.npmjs.com/package/batchprep'
   */
  informationUri?: string;
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
}

interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string };
    region?: { startLine: number } | { byteOffset: number };
  };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning';
  message: { text: string };
  locations: SarifLocation[];
  properties?: { row?: number; field?: string; value?: string };
}

interface SarifNotification {
  level: 'note';
  message: { text: string };
  locations: SarifLocation[];
}

/** The subset of SARIF 2.1.0 that batchprep writes. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
    invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[] }>;
    results: SarifResult[];
  }>;
}

/**
 * Builds the SARIF log: one run, a rule per issue code that occurs (in order of first
 * appearance), a result per issue. The row, field and value go into the result's property
 * bag; a truncated issue list becomes a tool execution notification.
 */
export function toSarif(report: ValidationReport, options: SarifReportOptions = {}): SarifLog {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<IssueCode, number>();
  const results: SarifResult[] = [];
  const notifications: SarifNotification[] = [];
  for (const f of report.files) {
    const uri = artifactUri(f.file);
    for (const issue of f.issues) {
      let index = ruleIndex.get(issue.code);
      if (index === undefined) {
        index = rules.length;
        ruleIndex.set(issue.code, index);
        rules.push({ id: issue.code, name: issue.code, shortDescription: { text: RULE_DESCRIPTIONS[issue.code] ?? issue.code } });
      }
      results.push(result(uri, issue, index));
    }
    const unlisted = unlistedCount(f);
    if (f.truncated && unlisted > 0) notifications.push(truncationNote(f, uri, unlisted));
  }
  const invocation: SarifLog['runs'][number]['invocations'][number] = { executionSuccessful: true };
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'batchprep',
            version: options.toolVersion ?? VERSION,
            informationUri: options.informationUri ?? 'https://www.npmjs.com/package/batchprep',
            rules,
          },
        },
        invocations: [invocation],
        results,
      },
    ],
  };
}

/** SARIF 2.1.0 as indented JSON text, followed by a newline. */
export function formatSarif(report: ValidationReport, options: SarifReportOptions = {}): string {
  return `${escapeLineSeparators(JSON.stringify(toSarif(report, options), null, 2))}\n`;
}

/** One issue as a result, located by line when known, else by byte offset. */
function result(uri: string, issue: Issue, ruleIndex: number): SarifResult {
  const location: SarifLocation = { physicalLocation: { artifactLocation: { uri } } };
  if (issue.line !== undefined && issue.line !== null && issue.line >= 1) {
    location.physicalLocation.region = { startLine: issue.line };
  } else if (issue.offset !== undefined && issue.offset !== null && issue.offset >= 0) {
    location.physicalLocation.region = { byteOffset: issue.offset };
  }
  const out: SarifResult = {
    ruleId: issue.code,
    ruleIndex,
    level: issue.severity === 'error' ? 'error' : 'warning',
    message: { text: issue.message },
    locations: [location],
  };
  const properties: NonNullable<SarifResult['properties']> = {};
  if (issue.row !== undefined && issue.row !== null) properties.row = issue.row;
  if (issue.field !== undefined && issue.field !== null) properties.field = issue.field;
  if (issue.value !== undefined && issue.value !== null) properties.value = issue.value;
  if (Object.keys(properties).length > 0) out.properties = properties;
  return out;
}

/** Says that a file had more issues than the report lists. */
function truncationNote(f: FileReport, uri: string, unlisted: number): SarifNotification {
  return {
    level: 'note',
    message: { text: `${unlisted} more issues not listed (raise --max-errors)` },
    locations: [{ physicalLocation: { artifactLocation: { uri } } }],
  };
}

/**
 * Turns a file name as given into a SARIF artifact URI: `stdin` for `-`, a `file://` URI
 * for an absolute path, otherwise a relative reference (what code scanning matches against
 * the repository), with backslashes read as separators and each segment percent-encoded.
 */
export function artifactUri(file: string): string {
  if (file === '-') return 'stdin';
  const path = file.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(path);
  const segments = path.split('/').map((s, i) => (drive && i === 0 ? s : encodeSegment(s)));
  const joined = segments.join('/');
  if (drive) return `file:///${joined}`;
  if (path.startsWith('//')) return `file:${joined}`;
  if (path.startsWith('/')) return `file://${joined}`;
  return joined.replace(/^(\.\/)+/, '');
}

/** Percent-encodes one path segment, keeping the sub-delimiters a path may hold as they are. */
function encodeSegment(s: string): string {
  const wellFormed = s.replace(/[\ud800-\udfff]/gu, '\ufffd'); // encodeURIComponent throws on lone surrogates
  return encodeURIComponent(wellFormed).replace(/%(40|2C|26|3D|2B|24|3B)/g, (m) => decodeURIComponent(m));
}
