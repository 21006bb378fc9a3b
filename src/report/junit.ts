import type { FileReport, Issue, IssueCode, ValidationReport } from '../core/issues.js';
import { RULE_DESCRIPTIONS } from './rule-descriptions.js';
import { plural, printable, unlistedCount } from './shared.js';

/*
 * Mapping (JUnit has no notion of "a file with issues", so we choose one that every CI
 * viewer shows well):
 * - `<testsuites name="batchprep validate">` holds one `<testsuite>` per file, named after
 *   the file (`<stdin>` for `-`), with `<properties>` format, bytes, rows, errorCount,
 *   warningCount, apiErrorCode (when invalid) and truncated.
 * - Each suite has one `<testcase classname="<file>" name="FinPro upload rules">`: the test
 *   is "would the FinPro server accept this file".
 * - An invalid file gets one `<failure>` whose `type` is the code of its first error (the
 *   server's error code when no error is listed), whose `message` says how many errors
 *   there are and what the server would answer, and whose text lists every listed error,
 *   one per line, then the descriptions of the codes seen. Viewers show only one failure
 *   per test case reliably, so all errors go into that one element.
 * - Warnings do not fail the test; they are listed in the test case's `<system-out>`.
 * - No `time` attributes: validation is not a timed test, and a made-up time would lie.
 */

/** Options of {@link formatJunit}. */
export interface JunitReportOptions {
  /**
   * The test case name for each file.
   * @default 'FinPro upload rules'
   */
  testName?: string;
}

// Everything XML 1.0 does not allow in a document: C0 controls other than tab/LF/CR, lone
// surrogates, U+FFFE and U+FFFF.
const XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu;

/**
 * Escapes text for XML content (and, with `attribute`, for attribute values): markup
 * characters become entities, CR (and in attributes tab/LF too) become character references
 * so that parsers' line-end and attribute normalisation keep them, and characters XML 1.0
 * forbids become a visible `\uXXXX` escape instead of breaking the document.
 */
export function xmlEscape(s: string, attribute = false): string {
  const special = attribute ? /[&<>"'\t\n\r]/g : /[&<>\r]/g;
  return s.replace(XML_ILLEGAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(special, (c) => XML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Writes an element's attributes, escaped. */
function attrs(list: Array<[string, string | number]>): string {
  return list.map(([k, v]) => ` ${k}="${xmlEscape(String(v), true)}"`).join('');
}

/** JUnit XML: one test suite per file, one test case per suite (see the mapping above). */
export function formatJunit(report: ValidationReport, options: JunitReportOptions = {}): string {
  const testName = options.testName ?? 'FinPro upload rules';
  const failures = report.files.filter((f) => !f.valid).length;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attrs([['name', 'batchprep validate'], ['tests', report.files.length], ['failures', failures], ['errors', 0]])}>`);
  for (const f of report.files) out.push(...suite(f, testName));
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** One file as a test suite with its properties and its single test case. */
function suite(f: FileReport, testName: string): string[] {
  const name = f.file === '-' ? '<stdin>' : f.file;
  const out: string[] = [];
  out.push(`  <testsuite${attrs([['name', name], ['tests', 1], ['failures', f.valid ? 0 : 1], ['errors', 0], ['skipped', 0]])}>`);
  out.push('    <properties>');
  const props: Array<[string, string | number]> = [
    ['format', f.format ?? 'unsupported'],
    ['bytes', f.bytes],
    ['rows', f.rows],
    ['errorCount', f.errorCount],
    ['warningCount', f.warningCount],
  ];
  if (f.apiErrorCode !== null) props.push(['apiErrorCode', f.apiErrorCode]);
  props.push(['truncated', String(f.truncated)]);
  for (const [k, v] of props) out.push(`      <property${attrs([['name', k], ['value', v]])}/>`);
  out.push('    </properties>');
  const errors = f.issues.filter((i) => i.severity === 'error');
  const warnings = f.issues.filter((i) => i.severity !== 'error');
  const testcase = `    <testcase${attrs([['classname', name], ['name', testName]])}`;
  if (f.valid && warnings.length === 0) {
    out.push(`${testcase}/>`);
  } else {
    out.push(`${testcase}>`);
    if (!f.valid) out.push(failure(f, errors));
    if (warnings.length > 0) out.push(`      <system-out>${xmlEscape(warnings.map(issueLine).join('\n'))}</system-out>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>');
  return out;
}

/** The failure element listing every listed error, then the meaning of each code seen. */
function failure(f: FileReport, errors: Issue[]): string {
  const type = errors[0]?.code ?? f.apiErrorCode ?? 'ValidationFailed';
  const api = f.apiErrorCode === null ? '' : `; the server would answer ${f.apiErrorCode}`;
  const message = `${plural(f.errorCount, 'error')}, ${plural(f.warningCount, 'warning')}${api}`;
  const body = errors.map(issueLine);
  const unlisted = unlistedCount(f);
  if (f.truncated && unlisted > 0) body.push(`… and ${unlisted} more issues not listed (raise --max-errors)`);
  const codes = [...new Set(errors.map((e) => e.code))];
  if (codes.length > 0) body.push('', ...codes.map((c: IssueCode) => `${c}: ${RULE_DESCRIPTIONS[c] ?? c}`));
  return `      <failure${attrs([['type', type], ['message', message]])}>${xmlEscape(body.join('\n'))}</failure>`;
}

/** One issue on one line, like the text report but without the file name. */
function issueLine(issue: Issue): string {
  const parts: string[] = [];
  if (issue.line !== undefined && issue.line !== null) parts.push(`line ${issue.line}`);
  if (issue.row !== undefined && issue.row !== null) parts.push(`row ${issue.row}`);
  if (issue.field !== undefined && issue.field !== null) parts.push(printable(issue.field));
  if (issue.offset !== undefined && issue.offset !== null) parts.push(`byte ${issue.offset}`);
  const context = parts.length > 0 ? ` (${parts.join(', ')})` : '';
  return `${issue.severity} ${issue.code}${context}: ${printable(issue.message)}`;
}
