import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, codes, csv, issuesOf } from '../../helpers/validate.js';

describe('FieldCountMismatch', () => {
  it('reports rows with too many and too few fields and goes on', async () => {
    const text = [HEADER, `${U1},,,a,extra`, `${U2},,`, `bad-uuid,,,c`, `${U1.toUpperCase()},,,`].join('\n');
    const report = await csv(`${text}\n`);
    const found = issuesOf(report, 'FieldCountMismatch');
    expect(found.map((i) => [i.row, i.line])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    for (const i of found) expect(i.severity).toBe('error');
    expect(found[0]!.message).toMatch(/5/);
    expect(found[0]!.message).toMatch(/4/);
    expect(found[1]!.message).toMatch(/3/);
    // later rows are still validated
    expect(issuesOf(report, 'InvalidConsentId').map((i) => i.row)).toEqual([3]);
    expect(report.rows).toBe(4);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it("skips the row's other rules", async () => {
    const report = await csv(`${HEADER}\nnot-a-uuid,2024-02-30T00:00:00Z,,x\ty,surplus\n`);
    expect(codes(report)).toEqual(['FieldCountMismatch']);
  });

  it('a single-column file with a stray comma', async () => {
    const report = await csv(`consentId\n${U1}\n${U2},\n`);
    expect(issuesOf(report, 'FieldCountMismatch').map((i) => i.row)).toEqual([2]);
  });

  it('the mismatched row does not enter the duplicate index', async () => {
    const report = await csv(`consentId,configId\n${U1},a,b\n${U1},a\n`);
    expect(codes(report)).toEqual(['FieldCountMismatch']);
  });
});
