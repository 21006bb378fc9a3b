import { describe, expect, it } from 'vitest';
import { HEADER, U1, codes, csv, jsonValue, only } from '../../helpers/validate.js';

const valid = [
  '2024-01-01T00:00:00Z',
  '2024-07-01T05:30:00.250+05:30',
  '2024-02-29T00:00:00Z',
  '2000-02-29T12:00:00Z',
  '2024-12-31T23:59:59Z',
  '2024-01-01t00:00:00z',
  '2024-01-01T00:00:00.123456789Z',
  '2024-01-01T00:00:00.1-08:00',
  '2024-01-01T00:00:00+23:59',
  '2024-01-01T00:00:00-00:00',
  '1970-01-01T00:00:00Z',
  '2024-04-30T10:00:00+01:00',
];

const invalid: Array<[string, RegExp | null]> = [
  ['2023-02-29T00:00:00Z', /day|February/i],
  ['2024-02-30T00:00:00Z', /day|February/i],
  ['1900-02-29T00:00:00Z', /day|February/i],
  ['2024-04-31T00:00:00Z', /day|April/i],
  ['2024-06-31T00:00:00Z', /day|June/i],
  ['2024-01-32T00:00:00Z', /day/i],
  ['2024-01-00T00:00:00Z', /day/i],
  ['2024-13-01T00:00:00Z', /month/i],
  ['2024-00-10T00:00:00Z', /month/i],
  ['2024-01-01T24:00:00Z', /hour/i],
  ['2024-01-01T23:60:00Z', /minute/i],
  ['2024-01-01T23:59:60Z', /second/i],
  ['2024-01-01', /time/i],
  ['2024-01-01T00:00:00', /offset|time ?zone/i],
  ['2024-01-01T00:00:00.5', /offset|time ?zone/i],
  ['2024-01-01T00:00Z', /second/i],
  ['2024-01-01T00:00:00+24:00', /offset|time ?zone/i],
  ['2024-01-01T00:00:00+05:60', /offset|time ?zone/i],
  ['2024-01-01T00:00:00+0530', /offset|time ?zone|colon/i],
  ['2024-1-01T00:00:00Z', null],
  ['2024-01-1T00:00:00Z', null],
  ['24-01-01T00:00:00Z', null],
  ['2024-01-01 00:00:00Z', null],
  ['2024-01-01T00:00:00.Z', null],
  ['2024-01-01T00:00:00ZZ', null],
  ['2024-01-01T00:00:00+05', null],
  [' 2024-01-01T00:00:00Z', null],
  ['2024-01-01T00:00:00Z ', null],
  ['yesterday', null],
  ['1704067200', null],
  ['2024/01/01T00:00:00Z', null],
  ['2024-01-01T0:00:00Z', null],
  ['２０２４-01-01T00:00:00Z', null],
];

describe('InvalidDate', () => {
  it.each(valid)('accepts %s in both date fields', async (d) => {
    const report = await csv(`${HEADER}\n${U1},${d},${d},\n`);
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it.each(invalid)('rejects fiDataRangeFrom %j', async (d, why) => {
    const cell = d.includes(',') ? `"${d}"` : d;
    const report = await csv(`${HEADER}\n${U1},${cell},,\n`);
    const issue = only(report, 'InvalidDate');
    expect(issue).toMatchObject({ severity: 'error', row: 1, line: 2, field: 'fiDataRangeFrom', value: d });
    if (why) expect(issue.message).toMatch(why);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it.each(invalid.slice(0, 8))('rejects fiDataRangeTo %j', async (d) => {
    const report = await csv(`${HEADER}\n${U1},,${d},\n`);
    expect(only(report, 'InvalidDate')).toMatchObject({ field: 'fiDataRangeTo', row: 1, line: 2 });
  });

  it('reports both fields when both are bad, and no range issue', async () => {
    const report = await csv(`${HEADER}\n${U1},2024-02-30T00:00:00Z,2023-02-29T00:00:00Z,\n`);
    expect(codes(report).sort()).toEqual(['InvalidDate', 'InvalidDate']);
    expect(report.issues.map((i) => i.field).sort()).toEqual(['fiDataRangeFrom', 'fiDataRangeTo']);
  });

  it('an empty date cell is absent, not invalid', async () => {
    const report = await csv(`${HEADER}\n${U1},,,\n`);
    expect(report.valid).toBe(true);
  });

  it('checks JSON dates the same way', async () => {
    const report = await jsonValue([
      { consentId: U1, fiDataRangeFrom: '2024-07-01T05:30:00.250+05:30' },
      { consentId: U1.replace('9a', '8a'), fiDataRangeTo: '2024-02-30T00:00:00Z' },
    ]);
    expect(only(report, 'InvalidDate')).toMatchObject({ row: 2, field: 'fiDataRangeTo', value: '2024-02-30T00:00:00Z' });
    expect(only(report, 'InvalidDate').message).toMatch(/day|February/i);
  });

  it('an empty JSON date string is treated as absent or invalid, never valid-and-kept', async () => {
    const report = await jsonValue([{ consentId: U1, fiDataRangeFrom: '' }]);
    // either reading is defensible; both must not throw and must not report anything else
    expect(codes(report).filter((c) => c !== 'InvalidDate')).toEqual([]);
  });
});
