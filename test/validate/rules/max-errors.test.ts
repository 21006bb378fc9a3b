import { describe, expect, it } from 'vitest';
import { HEADER, U1, csv, runCli } from '../../helpers/validate.js';

function badRows(n: number): string {
  return `${HEADER}\n${Array.from({ length: n }, (_, i) => `bad-${i},,,`).join('\n')}\n`;
}

describe('maxErrors', () => {
  it('lists the first maxErrors issues, counts all, and says truncated', async () => {
    const report = await csv(badRows(30), { maxErrors: 10 });
    expect(report.issues).toHaveLength(10);
    expect(report.issues.map((i) => i.row)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(report.errorCount).toBe(30);
    expect(report.truncated).toBe(true);
    expect(report.valid).toBe(false);
  });

  it('exactly maxErrors issues is not truncated', async () => {
    const report = await csv(badRows(10), { maxErrors: 10 });
    expect(report.issues).toHaveLength(10);
    expect(report.truncated).toBe(false);
  });

  it('defaults to 1000', async () => {
    const report = await csv(badRows(1005));
    expect(report.issues).toHaveLength(1000);
    expect(report.errorCount).toBe(1005);
    expect(report.truncated).toBe(true);
    const under = await csv(badRows(30));
    expect(under.issues).toHaveLength(30);
    expect(under.truncated).toBe(false);
  });

  it('counts warnings past the cap too', async () => {
    const text = `${HEADER}\n${Array.from({ length: 8 }, () => `${U1},,,`).join('\n')}\n`;
    const report = await csv(text, { maxErrors: 3 });
    expect(report.issues).toHaveLength(3);
    expect(report.warningCount).toBe(7);
    expect(report.errorCount).toBe(0);
    expect(report.truncated).toBe(true);
    expect(report.valid).toBe(true);
  });

  it('an error past the cap still makes the file invalid', async () => {
    const warnings = Array.from({ length: 5 }, () => `${U1},,,`);
    const text = `${HEADER}\n${[...warnings, 'bad,,,'].join('\n')}\n`;
    const report = await csv(text, { maxErrors: 2 });
    expect(report.issues.every((i) => i.severity === 'warning')).toBe(true);
    expect(report.errorCount).toBe(1);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('file-level errors are listed whatever maxErrors: 1,000 duplicate warnings do not push FileTooLarge out', async () => {
    const dups = Array.from({ length: 1000 }, () => `${U1},,,`).join('\n');
    const text = `${HEADER}\n${dups}\n`;
    const report = await csv(text, { maxErrors: 5, maxBytes: text.length - 10 });
    expect(report.apiErrorCode).toBe('FileTooLarge');
    expect(report.issues.filter((i) => i.code === 'DuplicateConsentId')).toHaveLength(5);
    expect(report.issues.filter((i) => i.code === 'FileTooLarge')).toHaveLength(1);
    expect(report.truncated).toBe(true);
    expect(report.counts).toMatchObject({ DuplicateConsentId: 999, FileTooLarge: 1 });
  });

  it.each([
    ['MalformedCsv', `${HEADER}\n${Array.from({ length: 20 }, () => 'bad,,,').join('\n')}\nab"c,,,\n`, 'a.csv'],
    ['BomNotAllowed', `\uFEFF${HEADER}\n${Array.from({ length: 20 }, () => 'bad,,,').join('\n')}\n`, 'a.csv'],
    ['MissingColumn', `fiDataRangeFrom\n${Array.from({ length: 20 }, () => 'nope').join('\n')}\n`, 'a.csv'],
    ['MalformedJson', `[${Array.from({ length: 20 }, () => '{"consentId": "bad"}').join(',\n')},\n{"consentId": }]`, 'a.json'],
  ])('%s is listed even with maxErrors 0 and after the cap is reached', async (code, text, fileName) => {
    for (const maxErrors of [0, 2]) {
      const report = await csv(text, { fileName, maxErrors });
      expect(report.issues.map((i) => i.code)).toContain(code);
      expect(report.issues.filter((i) => i.code !== code).length).toBeLessThanOrEqual(maxErrors);
      expect(report.valid).toBe(false);
    }
  });

  it('maxErrors 0 lists no row issue but counts them all', async () => {
    const report = await csv(badRows(30), { maxErrors: 0 });
    expect(report.issues).toEqual([]);
    expect(report.errorCount).toBe(30);
    expect(report.counts).toEqual({ InvalidConsentId: 30 });
    expect(report.truncated).toBe(true);
    expect(report.valid).toBe(false);
  });

  it('the CLI takes --max-errors 0: counts everything, lists only file-level issues', async () => {
    const r = await runCli(['validate', '--report', 'json', '--max-errors', '0', '--format', 'csv', '-'], { stdin: `\uFEFF${badRows(3)}` });
    expect(r.code).toBe(1);
    const file = JSON.parse(r.stdout).files[0];
    expect(file.issues.map((i: { code: string }) => i.code)).toEqual(['BomNotAllowed']);
    expect(file.errorCount).toBe(4);
    expect(file.truncated).toBe(true);
  });
});
