import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Issue, ValidationReport } from '../../src/core/issues.js';
import { formatReport } from '../../src/index.js';
import { escapeData, escapeProperty } from '../../src/report/github.js';
import { anyText, arbitraryIssue, badFile, mixedReport, validReport } from './report-fixtures.js';

/** Reverses GitHub's escaping, as the runner does when it reads a command. */
function unescape(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

describe('github report', () => {
  it('prints only the summary for a valid run', () => {
    expect(formatReport(validReport, 'github')).toMatchInlineSnapshot(`
      "valid: 1 file checked, 0 invalid; 0 errors, 0 warnings
      "
    `);
  });

  it('prints one workflow command per issue and a plain summary line', () => {
    expect(formatReport(mixedReport, 'github')).toMatchInlineSnapshot(`
      "::warning file=data/bad file.csv,line=1,title=UnknownField::column "extra" is not used by the API and will be ignored
      ::error file=data/bad file.csv,line=2,title=InvalidDate::fiDataRangeTo: 2024-02-30 is not a calendar date (February 2024 has 29 days) (row 1)
      ::error file=data/bad file.csv,line=3,title=InvalidConfigId::configId: "a \\"quoted\\"\\nline 100%25 <&> x,y:z" has a control character; remove it (row 2)
      ::warning title=BomInJson::the file starts with a UTF-8 BOM; the API accepts it for JSON (stdin)
      ::error title=InvalidEncoding::invalid UTF-8 at byte 17; save the file as UTF-8 (stdin)
      ::error file=big.csv,line=2,title=InvalidConsentId::consentId: "x" is not a UUID (row 1)
      ::error file=big.csv,line=3,title=MissingConsentId::consentId is empty; every row needs one (row 2)
      ::notice file=big.csv,title=batchprep::1501 more issues not listed (raise --max-errors)
      ::error file=scan.pdf,title=UnsupportedFileType::scan.pdf is neither CSV nor JSON; upload a .csv or .json file
      INVALID: 5 files checked, 4 invalid; 1504 errors, 5 warnings
      "
    `);
  });

  it('escapes data and properties as the actions toolkit does', () => {
    expect(escapeData('100%\r\nx: a,b')).toBe('100%25%0D%0Ax: a,b');
    expect(escapeProperty('100%\r\nx: a,b')).toBe('100%25%0D%0Ax%3A a%2Cb');
    expect(unescape(escapeProperty('%0A literal, not a newline: %'))).toBe('%0A literal, not a newline: %');
  });

  it('turns a raw newline or carriage return in a message into %0A / %0D', () => {
    const issue: Issue = { severity: 'error', code: 'InvalidConfigId', message: 'bad value "a\r\nb" 5% <&>', row: 4, line: 5 };
    const report: ValidationReport = { valid: false, files: [{ ...badFile, file: '-', issues: [issue] }] };
    expect(formatReport(report, 'github').split('\n')[0]).toBe(
      '::error title=InvalidConfigId::bad value "a%0D%0Ab" 5%25 <&> (stdin line 5, row 4)',
    );
  });

  it('adds the row only when the message does not already name it', () => {
    const issues: Issue[] = [
      { severity: 'warning', code: 'DuplicateConsentId', message: 'repeats row 12', row: 1, line: 2 },
      { severity: 'warning', code: 'DuplicateConsentId', message: 'as in row 1; remove it', row: 1, line: 2 },
    ];
    const lines = formatReport({ valid: true, files: [{ ...badFile, file: 'f.csv', issues }] }, 'github').split('\n');
    expect(lines[0]).toBe('::warning file=f.csv,line=2,title=DuplicateConsentId::repeats row 12 (row 1)');
    expect(lines[1]).toBe('::warning file=f.csv,line=2,title=DuplicateConsentId::as in row 1; remove it');
  });

  it('puts file names with commas and colons into the file property escaped', () => {
    const report: ValidationReport = { valid: false, files: [{ ...badFile, file: 'a,b:c%.csv' }] };
    const first = formatReport(report, 'github').split('\n')[0]!;
    expect(first.startsWith('::warning file=a%2Cb%3Ac%25.csv,line=1,title=UnknownField::')).toBe(true);
  });

  it('never lets an issue break out of its command line (property)', () => {
    fc.assert(
      fc.property(anyText, fc.array(arbitraryIssue, { maxLength: 5 }), (file, issues: Issue[]) => {
        const report: ValidationReport = { valid: false, files: [{ ...badFile, file, issues, errorCount: issues.length, warningCount: 0 }] };
        const lines = formatReport(report, 'github').split('\n');
        expect(lines.pop()).toBe(''); // ends with a newline
        expect(lines.pop()).toMatch(/^(valid|INVALID): /); // the plain summary
        expect(lines).toHaveLength(issues.length);
        lines.forEach((line, i) => {
          expect(line).not.toMatch(/[\r\n]/);
          const m = /^::(error|warning) (.*?)::(.*)$/s.exec(line);
          expect(m).not.toBeNull();
          expect(m![1]).toBe(issues[i]!.severity);
          // every property is key=value with no raw separator inside its value
          for (const prop of m![2]!.split(',')) expect(prop).toMatch(/^(file|line|title)=[^:,]*$/);
          expect(unescape(m![3]!).startsWith(issues[i]!.message)).toBe(true);
        });
      }),
    );
  });
});
