import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Issue, ValidationReport } from '../../src/core/issues.js';
import { formatReport } from '../../src/index.js';
import { anyText, arbitraryIssue, badFile, emptyReport, mixedReport, NASTY_VALUE, stdinFile, truncatedFile, unsupportedFile } from './report-fixtures.js';

const FILE_KEYS = ['file', 'format', 'valid', 'bytes', 'rows', 'errorCount', 'warningCount', 'apiErrorCode', 'truncated', 'issues'];
const ISSUE_ORDER = ['severity', 'code', 'message', 'row', 'line', 'field', 'value', 'offset'];

describe('json report', () => {
  it('prints exactly one JSON object, ending with a newline', () => {
    const out = formatReport(mixedReport, 'json');
    expect(out.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(['valid', 'files']);
    expect(doc.valid).toBe(false);
    expect(doc.files).toHaveLength(5);
  });

  it('keeps the documented key order for files and issues', () => {
    const doc = JSON.parse(formatReport(mixedReport, 'json'));
    for (const f of doc.files) expect(Object.keys(f)).toEqual(FILE_KEYS);
    const bad = doc.files[1];
    // badFile's InvalidDate issue was built with its keys reversed
    expect(Object.keys(bad.issues[1])).toEqual(['severity', 'code', 'message', 'row', 'line', 'field', 'value']);
    expect(Object.keys(bad.issues[0])).toEqual(['severity', 'code', 'message', 'line', 'field']);
    expect(Object.keys(doc.files[2].issues[1])).toEqual(['severity', 'code', 'message', 'offset']);
  });

  it('carries counts, stdin as "-", null format and apiErrorCode, truncation', () => {
    const doc = JSON.parse(formatReport(mixedReport, 'json'));
    expect(doc.files[0]).toMatchObject({ file: 'good.csv', valid: true, apiErrorCode: null, errorCount: 0, issues: [] });
    expect(doc.files[1]).toMatchObject({ file: badFile.file, errorCount: 2, warningCount: 1, apiErrorCode: 'InvalidFileContent' });
    expect(doc.files[1].issues).toHaveLength(3);
    expect(doc.files[1].issues[2].value).toBe(NASTY_VALUE);
    expect(doc.files[2]).toMatchObject({ file: '-', format: 'json', rows: stdinFile.rows });
    expect(doc.files[3]).toMatchObject({ truncated: true, errorCount: truncatedFile.errorCount });
    expect(doc.files[3].issues).toHaveLength(2);
    expect(doc.files[4]).toMatchObject({ format: null, apiErrorCode: unsupportedFile.apiErrorCode });
  });

  it('drops issue keys that are undefined or null', () => {
    const issue = { severity: 'error', code: 'InvalidDate', message: 'm', row: undefined, field: null } as unknown as Issue;
    const doc = JSON.parse(formatReport({ valid: false, files: [{ ...badFile, issues: [issue] }] }, 'json'));
    expect(doc.files[0].issues[0]).toEqual({ severity: 'error', code: 'InvalidDate', message: 'm' });
  });

  it('prints an empty run as an empty file list', () => {
    expect(JSON.parse(formatReport(emptyReport, 'json'))).toEqual({ valid: true, files: [] });
  });

  it('parses back to the same issues, in key order, for any strings (property)', () => {
    fc.assert(
      fc.property(anyText, fc.array(arbitraryIssue, { maxLength: 6 }), (file, issues: Issue[]) => {
        const report: ValidationReport = { valid: false, files: [{ ...badFile, file, issues }] };
        const out = formatReport(report, 'json');
        expect(out).not.toMatch(/[\u2028\u2029]/);
        const doc = JSON.parse(out);
        expect(doc.files[0].file).toBe(file);
        expect(doc.files[0].issues).toEqual(issues);
        for (const parsed of doc.files[0].issues) {
          const keys = Object.keys(parsed);
          expect(keys).toEqual(ISSUE_ORDER.filter((k) => keys.includes(k)));
        }
      }),
    );
  });
});
