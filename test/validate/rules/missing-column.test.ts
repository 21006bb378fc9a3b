import { describe, expect, it } from 'vitest';
import { U1, U2, codes, csv, issuesOf, only } from '../../helpers/validate.js';

describe('MissingColumn', () => {
  it.each(['consent_id', 'ConsentID', 'consentid', 'consent-id', 'ConsentId'])(
    'reports a header with %s instead of consentId and suggests the right name',
    async (name) => {
      const report = await csv(`${name},configId\n${U1},a\n`);
      const issue = only(report, 'MissingColumn');
      expect(issue.severity).toBe('error');
      expect(issue.row).toBeUndefined();
      expect(issue.message).toContain('consentId');
      expect(issue.message).toContain(name);
      expect(report.valid).toBe(false);
      expect(report.apiErrorCode).toBe('InvalidFileContent');
    },
  );

  it('reports a header without anything like consentId', async () => {
    const report = await csv(`id,configId\n${U1},a\n`);
    expect(only(report, 'MissingColumn').message).toContain('consentId');
  });

  it('still counts rows and checks the other fields, without a MissingConsentId per row', async () => {
    const text = [
      'consent_id,fiDataRangeFrom,fiDataRangeTo,configId',
      `${U1},2024-02-30T00:00:00Z,,a`,
      `${U2},,,b\tc`,
      `${U1},2024-03-01T00:00:00Z,2024-01-01T00:00:00Z,`,
    ].join('\n');
    const report = await csv(`${text}\n`);
    expect(report.rows).toBe(3);
    expect(issuesOf(report, 'MissingConsentId')).toEqual([]);
    expect(only(report, 'InvalidDate')).toMatchObject({ row: 1, line: 2, field: 'fiDataRangeFrom' });
    expect(only(report, 'InvalidConfigId')).toMatchObject({ row: 2, line: 3, field: 'configId' });
    expect(only(report, 'InvalidDateRange')).toMatchObject({ row: 3, line: 4 });
    expect(codes(report).filter((c) => c === 'MissingColumn')).toHaveLength(1);
  });

  it('column names are case-sensitive: consentID is not consentId', async () => {
    const report = await csv(`consentID\n${U1}\n`);
    expect(codes(report)).toContain('MissingColumn');
  });
});
