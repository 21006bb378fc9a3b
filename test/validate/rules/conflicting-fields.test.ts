import { describe, expect, it } from 'vitest';
import { U1, U2, codes, jsonValue, only } from '../../helpers/validate.js';

describe('ConflictingFields', () => {
  it('reports consentId and consent_id with different values', async () => {
    const report = await jsonValue([{ consentId: U1 }, { consentId: U1.replace('9a8b', '0000'), consent_id: U2 }]);
    const issue = only(report, 'ConflictingFields');
    expect(issue.severity).toBe('error');
    expect(issue.row).toBe(2);
    expect(issue.field).toMatch(/^consent_?[iI]d$/);
    expect(issue.message).toContain('consentId');
    expect(issue.message).toContain('consent_id');
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('accepts both keys when they hold the same value', async () => {
    const report = await jsonValue([{ consentId: U1, consent_id: U1 }]);
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it('accepts consent_id alone', async () => {
    const report = await jsonValue([{ consent_id: U1 }]);
    expect(report.valid).toBe(true);
    expect(report.issues).toEqual([]);
  });

  it('a null alias is absent, not a conflict', async () => {
    const report = await jsonValue([{ consentId: U1, consent_id: null }, { consentId: null, consent_id: U2 }]);
    expect(codes(report)).not.toContain('ConflictingFields');
    expect(report.valid).toBe(true);
  });

  it('consent_id is checked like consentId', async () => {
    const report = await jsonValue([{ consent_id: 'not-a-uuid' }]);
    expect(only(report, 'InvalidConsentId').row).toBe(1);
  });
});
