import { describe, expect, it } from 'vitest';
import { U1, codes, issuesOf, jsonValue, only } from '../../helpers/validate.js';

describe('InvalidFieldType', () => {
  it.each([
    ['consentId', 123],
    ['consentId', true],
    ['consentId', { id: U1 }],
    ['consentId', [U1]],
    ['fiDataRangeFrom', 1704067200],
    ['fiDataRangeTo', false],
    ['configId', { a: 1 }],
    ['configId', 7],
    ['consent_id', 12],
  ])('reports %s = %j', async (field, value) => {
    const row: Record<string, unknown> = field.startsWith('consent') ? { [field]: value } : { consentId: U1, [field]: value };
    const report = await jsonValue([{ consentId: U1.replace('9a8b', '1111') }, row]);
    const issue = only(report, 'InvalidFieldType');
    expect(issue.severity).toBe('error');
    expect(issue.row).toBe(2);
    expect(issue.field).toBe(field);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('null means absent', async () => {
    const report = await jsonValue([{ consentId: U1, fiDataRangeFrom: null, fiDataRangeTo: null, configId: null }]);
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it('a null consentId is a missing consentId, not a type error', async () => {
    const report = await jsonValue([{ consentId: null }]);
    expect(codes(report)).toEqual(['MissingConsentId']);
  });

  it('a wrongly typed consentId is not also reported as a bad UUID', async () => {
    const report = await jsonValue([{ consentId: 42 }]);
    expect(issuesOf(report, 'InvalidConsentId')).toEqual([]);
    expect(codes(report)).toContain('InvalidFieldType');
  });
});
