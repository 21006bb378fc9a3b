import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/index.js';
import { formatText } from '../../src/report/text.js';
import { emptyReport, mixedReport, validReport } from './report-fixtures.js';

describe('text report', () => {
  it('says a valid file is valid', () => {
    expect(formatReport(validReport, 'text')).toMatchInlineSnapshot(`
      "good.csv: valid — 2 rows, 0 errors, 0 warnings
      valid: 1 file checked, 0 invalid; 0 errors, 0 warnings
      "
    `);
  });

  it('lists issues per file, each on one line, then the verdicts and a total', () => {
    expect(formatReport(mixedReport, 'text')).toMatchInlineSnapshot(`
      "good.csv: valid — 2 rows, 0 errors, 0 warnings
      data/bad file.csv:1: warning UnknownField (extra): column "extra" is not used by the API and will be ignored
      data/bad file.csv:2: error InvalidDate (row 1, fiDataRangeTo): fiDataRangeTo: 2024-02-30 is not a calendar date (February 2024 has 29 days)
      data/bad file.csv:3: error InvalidConfigId (row 2, configId): configId: "a \\"quoted\\"\\nline 100% <&> x,y:z" has a control character; remove it
      data/bad file.csv: INVALID — 3 rows, 2 errors, 1 warning; the server would answer InvalidFileContent
      <stdin>: warning BomInJson: the file starts with a UTF-8 BOM; the API accepts it for JSON
      <stdin>: error InvalidEncoding (byte 17): invalid UTF-8 at byte 17; save the file as UTF-8
      <stdin>: INVALID — 1 row, 1 error, 1 warning; the server would answer InvalidFileContent
      big.csv:2: error InvalidConsentId (row 1, consentId): consentId: "x" is not a UUID
      big.csv:3: error MissingConsentId (row 2, consentId): consentId is empty; every row needs one
      big.csv: … and 1501 more issues not listed (raise --max-errors)
      big.csv: INVALID — 1600 rows, 1500 errors, 3 warnings; the server would answer InvalidFileContent
      scan.pdf: error UnsupportedFileType: scan.pdf is neither CSV nor JSON; upload a .csv or .json file
      scan.pdf: INVALID — 0 rows, 1 error, 0 warnings; the server would answer UnsupportedFileType
      INVALID: 5 files checked, 4 invalid; 1504 errors, 5 warnings
      "
    `);
  });

  it('has no colour unless asked, and colours errors, warnings and file names when asked', () => {
    const plain = formatText(mixedReport);
    expect(plain).not.toContain('\u001b');
    const coloured = formatText(mixedReport, { color: true });
    expect(coloured).toContain('\u001b[31merror InvalidDate\u001b[39m');
    expect(coloured).toContain('\u001b[33mwarning UnknownField\u001b[39m');
    expect(coloured).toContain('\u001b[1mdata/bad file.csv:2\u001b[22m');
    // stripping the colour gives the plain report back
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it('keeps one issue per line whatever the message holds', () => {
    const report = {
      valid: false,
      files: [
        {
          ...validReport.files[0]!,
          valid: false,
          errorCount: 1,
          issues: [{ severity: 'error' as const, code: 'InvalidConfigId' as const, message: 'a\nb\r\u001b[2Jc\u202ed', field: 'x\ty' }],
        },
      ],
    };
    const lines = formatText(report).split('\n');
    expect(lines[0]).toBe('good.csv: error InvalidConfigId (x\\ty): a\\nb\\r\\u001b[2Jc\\u202ed');
    expect(formatText(report)).not.toMatch(/[\r\u001b\u202e\t]/);
  });

  it('prints only the total for an empty run', () => {
    expect(formatText(emptyReport)).toBe('valid: 0 files checked, 0 invalid; 0 errors, 0 warnings\n');
  });
});
