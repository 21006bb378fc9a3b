import { describe, expect, it } from 'vitest';
import { HEADER, U1, codes, csv, issuesOf, jsonValue, only } from '../../helpers/validate.js';

describe('MissingConsentId', () => {
  it('reports an empty consentId cell with row, line and field', async () => {
    const report = await csv(`${HEADER}\n${U1},,,a\n,,,b\n"",,,c\n`);
    const found = issuesOf(report, 'MissingConsentId');
    expect(found.map((i) => [i.row, i.line])).toEqual([
      [2, 3],
      [3, 4],
    ]);
    for (const i of found) {
      expect(i.severity).toBe('error');
      expect(i.field).toBe('consentId');
    }
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('reports an empty consentId in a one-column file', async () => {
    // `""` is a record with one empty field, not a blank line
    const report = await csv(`consentId\n${U1}\n""\n`);
    expect(only(report, 'MissingConsentId')).toMatchObject({ row: 2, line: 3 });
  });

  it.each([
    ['an absent key', { configId: 'a' }],
    ['an empty string', { consentId: '' }],
    ['null', { consentId: null }],
    ['an empty consent_id', { consent_id: '' }],
  ])('reports %s in JSON', async (_name, row) => {
    const report = await jsonValue([{ consentId: U1 }, row]);
    const issue = only(report, 'MissingConsentId');
    expect(issue.row).toBe(2);
    expect(issue.severity).toBe('error');
  });

  it('is not also reported as InvalidConsentId', async () => {
    const report = await csv(`${HEADER}\n,,,\n`);
    expect(codes(report)).toEqual(['MissingConsentId']);
  });

  it('defaults never supply a consentId', async () => {
    const report = await csv(`${HEADER}\n,,,\n`, { defaults: { configId: 'x' } });
    expect(codes(report)).toEqual(['MissingConsentId']);
  });
});
