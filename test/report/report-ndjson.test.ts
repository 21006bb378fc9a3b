import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Issue, ValidationReport } from '../../src/core/issues.js';
import { formatReport } from '../../src/index.js';
import { anyText, arbitraryIssue, badFile, emptyReport, mixedReport, NASTY_VALUE, stdinFile } from './report-fixtures.js';

const SUMMARY_FILE_KEYS = ['file', 'format', 'valid', 'bytes', 'rows', 'errorCount', 'warningCount', 'apiErrorCode', 'truncated'];

/** Splits NDJSON the way line readers do, checking the last line ends with a newline. */
function parseLines(out: string): Array<Record<string, unknown>> {
  expect(out.endsWith('\n')).toBe(true);
  return out
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('ndjson report', () => {
  it('prints one line per issue then exactly one summary line', () => {
    const lines = parseLines(formatReport(mixedReport, 'ndjson'));
    const listed = mixedReport.files.reduce((n, f) => n + f.issues.length, 0);
    expect(lines).toHaveLength(listed + 1);
    expect(lines.filter((l) => 'summary' in l)).toHaveLength(1);
    const summary = lines.at(-1)!;
    expect(Object.keys(summary)).toEqual(['summary', 'valid', 'files']);
    expect(summary).toMatchObject({ summary: true, valid: false });
    const files = summary.files as Array<Record<string, unknown>>;
    expect(files).toHaveLength(5);
    for (const f of files) expect(Object.keys(f)).toEqual(SUMMARY_FILE_KEYS);
    expect(files[3]).toMatchObject({ file: 'big.csv', truncated: true, errorCount: 1500 });
  });

  it('puts the file first in each issue line, then the issue keys in order', () => {
    const lines = parseLines(formatReport(mixedReport, 'ndjson'));
    expect(Object.keys(lines[1]!)).toEqual(['file', 'severity', 'code', 'message', 'row', 'line', 'field', 'value']);
    expect(lines[2]).toMatchObject({ file: badFile.file, code: 'InvalidConfigId', value: NASTY_VALUE });
    expect(lines[4]).toEqual({ file: '-', ...stdinFile.issues[1] });
  });

  it('prints just the summary for an empty run', () => {
    expect(formatReport(emptyReport, 'ndjson')).toBe('{"summary":true,"valid":true,"files":[]}\n');
  });

  it('parses back to the same issues, one per line, for any strings (property)', () => {
    fc.assert(
      fc.property(anyText, fc.array(arbitraryIssue, { maxLength: 6 }), (file, issues: Issue[]) => {
        const report: ValidationReport = { valid: false, files: [{ ...badFile, file, issues }] };
        const out = formatReport(report, 'ndjson');
        expect(out).not.toMatch(/[\r\u2028\u2029]/);
        const lines = parseLines(out);
        expect(lines).toHaveLength(issues.length + 1);
        expect(lines.slice(0, -1)).toEqual(issues.map((i) => ({ file, ...i })));
        expect(lines.at(-1)).toMatchObject({ summary: true, files: [{ file }] });
      }),
    );
  });
});
