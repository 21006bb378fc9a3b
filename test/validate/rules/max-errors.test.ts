import { describe, expect, it } from 'vitest';
import { HEADER, U1, csv } from '../../helpers/validate.js';

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
});
