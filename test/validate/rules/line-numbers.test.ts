import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, check, csv, issuesOf, jsonValue } from '../../helpers/validate.js';

function bad(report: Awaited<ReturnType<typeof check>>): Array<[number | undefined, number | undefined]> {
  return issuesOf(report, 'InvalidConsentId').map((i) => [i.row, i.line]);
}

describe('line and row numbers', () => {
  it('blank lines do not count as rows but count as lines', async () => {
    const report = await csv(`${HEADER}\n\n${U1},,,\n\n\nbad1,,,\n\nbad2,,,\n\n`);
    expect(bad(report)).toEqual([
      [2, 6],
      [3, 8],
    ]);
    expect(report.rows).toBe(3);
  });

  it('blank lines before the header count as lines', async () => {
    const report = await csv(`\n\n${HEADER}\nbad,,,\n`);
    expect(bad(report)).toEqual([[1, 4]]);
  });

  it('CRLF line ends', async () => {
    const report = await csv(`${HEADER}\r\n${U1},,,a\r\n\r\nbad,,,b\r\n`);
    expect(bad(report)).toEqual([[2, 4]]);
    expect(report.rows).toBe(2);
  });

  it('CRLF does not leave a \\r in the last field', async () => {
    const report = await csv(`${HEADER}\r\n${U1},,,a\r\n`);
    expect(report.issues).toEqual([]);
  });

  it('mixed LF and CRLF', async () => {
    const report = await csv(`${HEADER}\r\n${U1},,,\nbad,,,\r\n${U2},,,\nbad2,,,`);
    expect(bad(report)).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });

  it('quoted fields with newlines push the next record down', async () => {
    const text = `${HEADER}\n${U1},,,"one\ntwo\nthree"\nbad,,,\n${U2},,,"a\r\nb"\r\nbad2,,,\n`;
    const report = await csv(text);
    expect(bad(report)).toEqual([
      [2, 5],
      [4, 8],
    ]);
  });

  it('a bad record that itself spans lines is reported at its first line', async () => {
    const report = await csv(`${HEADER}\n${U1},,,x\nbad,,,"multi\nline"\n`);
    expect(bad(report)).toEqual([[2, 3]]);
  });

  it('a last line without a newline', async () => {
    const report = await csv(`${HEADER}\n${U1},,,\nbad,,,`);
    expect(bad(report)).toEqual([[2, 3]]);
  });

  it('JSON rows are 1-based array indices', async () => {
    const report = await jsonValue([{ consentId: U1 }, { consentId: U2 }, { consentId: 'bad' }]);
    expect(issuesOf(report, 'InvalidConsentId').map((i) => i.row)).toEqual([3]);
  });
});
