import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, U3, check, codes, csv, jsonValue, only, rowsOf } from '../../helpers/validate.js';
import { isBatchprepError } from '../../../src/errors.js';

const D = { fiDataRangeFrom: '2024-01-01T00:00:00Z', fiDataRangeTo: '2024-06-30T00:00:00Z', configId: 'default-cfg' };

describe('defaults', () => {
  it('fill empty cells only, never a value the row has', async () => {
    const text = `${HEADER}\n${U1},,,\n${U2},2024-02-01T00:00:00Z,,own\n`;
    const { rows, report } = await rowsOf(text, { fileName: 'a.csv', defaults: D });
    expect(report.valid).toBe(true);
    expect(rows.map((r) => r.values)).toEqual([
      { consentId: U1, ...D },
      { consentId: U2, fiDataRangeFrom: '2024-02-01T00:00:00Z', fiDataRangeTo: D.fiDataRangeTo, configId: 'own' },
    ]);
  });

  it('fill columns the header does not have', async () => {
    const { rows } = await rowsOf(`consentId\n${U1}\n`, { fileName: 'a.csv', defaults: { configId: 'c' } });
    expect(rows[0]!.values).toEqual({ consentId: U1, configId: 'c' });
  });

  it('fill absent and null JSON keys', async () => {
    const text = JSON.stringify([{ consentId: U1 }, { consentId: U2, configId: null }, { consentId: U3, configId: 'mine' }]);
    const { rows } = await rowsOf(text, { fileName: 'a.json', defaults: { configId: 'c' } });
    expect(rows.map((r) => r.values.configId)).toEqual(['c', 'c', 'mine']);
    expect(rows.map((r) => r.row)).toEqual([1, 2, 3]);
  });

  it('the effective row is checked: a row from later than the default to is InvalidDateRange', async () => {
    const report = await csv(`${HEADER}\n${U1},2024-09-01T00:00:00Z,,\n`, { defaults: D });
    expect(only(report, 'InvalidDateRange')).toMatchObject({ row: 1, line: 2 });
  });

  it('a default from later than a row to is InvalidDateRange too', async () => {
    const report = await jsonValue([{ consentId: U1, fiDataRangeTo: '2023-01-01T00:00:00Z' }], { defaults: D });
    expect(codes(report)).toEqual(['InvalidDateRange']);
  });

  it('without defaults the same rows are valid', async () => {
    const report = await csv(`${HEADER}\n${U1},2024-09-01T00:00:00Z,,\n`);
    expect(report.valid).toBe(true);
  });

  it.each([
    ['an impossible from', { fiDataRangeFrom: '2024-02-30T00:00:00Z' }],
    ['a to without offset', { fiDataRangeTo: '2024-01-01T00:00:00' }],
    ['a date without time', { fiDataRangeFrom: '2024-01-01' }],
    ['a configId with a control character', { configId: 'a\tb' }],
  ])('reject %s with InvalidDefaults', async (_name, defaults) => {
    const err = await check(`${HEADER}\n${U1},,,\n`, { fileName: 'a.csv', defaults }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isBatchprepError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('InvalidDefaults');
    expect((err as Error).message.length).toBeGreaterThan(10);
  });
});

describe('defaults checked together', () => {
  it('a default from later than the default to is InvalidDefaults', async () => {
    const err = await check(`${HEADER}\n${U1},,,\n`, {
      fileName: 'a.csv',
      defaults: { fiDataRangeFrom: '2025-01-01T00:00:00Z', fiDataRangeTo: '2024-01-01T00:00:00Z' },
    }).then(
      () => null,
      (e: unknown) => e as { code?: string },
    );
    expect(err?.code).toBe('InvalidDefaults');
  });
});
