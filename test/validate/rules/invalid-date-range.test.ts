import { describe, expect, it } from 'vitest';
import { HEADER, U1, codes, csv, jsonValue, only } from '../../helpers/validate.js';

async function range(from: string, to: string) {
  return csv(`${HEADER}\n${U1},${from},${to},\n`);
}

describe('InvalidDateRange', () => {
  it('reports from later than to, on the row and line', async () => {
    const report = await csv(`${HEADER}\n${U1},2024-01-01T00:00:00Z,2024-12-31T00:00:00Z,\n${U1.replace('9a', '7a')},2024-03-01T00:00:00Z,2024-01-01T00:00:00Z,\n`);
    const issue = only(report, 'InvalidDateRange');
    expect(issue).toMatchObject({ severity: 'error', row: 2, line: 3 });
    expect(issue.message).toMatch(/fiDataRangeFrom|from/);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('equal instants written with different offsets are fine', async () => {
    expect((await range('2024-01-01T05:00:00+05:00', '2024-01-01T00:00:00Z')).valid).toBe(true);
    expect((await range('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')).valid).toBe(true);
    expect((await range('2023-12-31T19:00:00-05:00', '2024-01-01T00:00:00.000Z')).valid).toBe(true);
  });

  it('compares instants, not strings: an offset can make the later-looking string earlier', async () => {
    // from = 2023-12-31T22:00Z, to = 2024-01-01T00:00Z: valid though the text of from looks later
    expect((await range('2024-01-01T03:00:00+05:00', '2024-01-01T00:00:00Z')).valid).toBe(true);
    // from = 2024-01-01T01:00Z, to = 2024-01-01T00:30Z: invalid though the text of from looks earlier
    expect(codes(await range('2024-01-01T00:00:00-01:00', '2024-01-01T00:30:00Z'))).toEqual(['InvalidDateRange']);
  });

  it('compares fractional seconds numerically', async () => {
    expect(codes(await range('2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00.25Z'))).toEqual(['InvalidDateRange']);
    expect((await range('2024-01-01T00:00:00.25Z', '2024-01-01T00:00:00.5Z')).valid).toBe(true);
    expect((await range('2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00.500000Z')).valid).toBe(true);
    expect(codes(await range('2024-01-01T00:00:00.000001Z', '2024-01-01T00:00:00Z'))).toEqual(['InvalidDateRange']);
  });

  it('is not checked when a date is missing or invalid', async () => {
    expect((await range('2030-01-01T00:00:00Z', '')).valid).toBe(true);
    expect((await range('', '2000-01-01T00:00:00Z')).valid).toBe(true);
    expect(codes(await range('2030-02-30T00:00:00Z', '2000-01-01T00:00:00Z'))).toEqual(['InvalidDate']);
  });

  it('checks JSON rows the same way', async () => {
    const report = await jsonValue([{ consentId: U1, fiDataRangeFrom: '2025-01-01T00:00:00Z', fiDataRangeTo: '2024-01-01T00:00:00Z' }]);
    expect(only(report, 'InvalidDateRange').row).toBe(1);
  });
});
