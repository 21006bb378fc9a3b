import { describe, expect, it } from 'vitest';
import { U1, codes, csv, only } from '../../helpers/validate.js';

describe('DuplicateColumn', () => {
  it('reports a repeated optional column', async () => {
    const report = await csv(`consentId,configId,configId\n${U1},a,b\n`);
    const issue = only(report, 'DuplicateColumn');
    expect(issue.severity).toBe('error');
    expect(issue.field).toBe('configId');
    expect(issue.row).toBeUndefined();
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it('reports a repeated consentId column', async () => {
    const report = await csv(`consentId,fiDataRangeFrom,consentId\n${U1},,${U1}\n`);
    expect(only(report, 'DuplicateColumn').field).toBe('consentId');
  });

  it('reports each repeated name', async () => {
    const report = await csv(`consentId,fiDataRangeTo,configId,fiDataRangeTo,configId\n${U1},,,,\n`);
    const fields = report.issues.filter((i) => i.code === 'DuplicateColumn').map((i) => i.field).sort();
    expect(fields).toEqual(['configId', 'fiDataRangeTo']);
  });

  it('names differing only in case are not duplicates', async () => {
    const report = await csv(`consentId,configId,ConfigId\n${U1},a,b\n`);
    expect(codes(report)).not.toContain('DuplicateColumn');
    expect(only(report, 'UnknownField').field).toBe('ConfigId');
  });
});
