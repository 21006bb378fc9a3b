import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, csv, jsonValue, only } from '../../helpers/validate.js';

describe('InvalidConsentId', () => {
  it.each([
    ['the API example without version/variant bits', '9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d'],
    ['uppercase', '9A8B7C6D-5E4F-3A2B-1C0D-9E8F7A6B5C4D'],
    ['mixed case', '9a8B7c6D-5e4F-3A2b-1c0D-9E8f7a6b5C4d'],
    ['a v4 UUID', 'f47ac10b-58cc-4372-a567-0e02b2c3d479'],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['all f', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
  ])('accepts %s', async (_name, id) => {
    const report = await csv(`${HEADER}\n${id},,,\n`);
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it.each([
    ['a leading space', ` ${U1}`],
    ['a trailing space', `${U1} `],
    ['a trailing tab', `${U1}\t`],
    ['no hyphens', U1.replace(/-/g, '')],
    ['braces', `{${U1}}`],
    ['a urn prefix', `urn:uuid:${U1}`],
    ['a non-hex letter', U1.replace('9a', '9g')],
    ['one character short', U1.slice(0, -1)],
    ['one character long', `${U1}0`],
    ['hyphens in the wrong places', '9a8b7c6d5-e4f-3a2b-1c0d-9e8f7a6b5c4d'],
    ['an underscore instead of a hyphen', U1.replace('-', '_')],
    ['full-width digits', U1.replace('9', '９')],
    ['plain text', 'consent-1'],
  ])('rejects %s', async (_name, id) => {
    const cell = id.includes(',') || id.includes('"') ? `"${id.replace(/"/g, '""')}"` : id;
    const report = await csv(`${HEADER}\n${U2},,,\n${cell},,,\n`);
    const issue = only(report, 'InvalidConsentId');
    expect(issue).toMatchObject({ severity: 'error', row: 2, line: 3, field: 'consentId', value: id });
    expect(issue.message.length).toBeGreaterThan(10);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('says what is wrong with surrounding spaces', async () => {
    const report = await csv(`${HEADER}\n ${U1},,,\n`);
    expect(only(report, 'InvalidConsentId').message).toMatch(/space/i);
  });

  it('cuts the value to 100 characters (99 + …)', async () => {
    const long = 'a'.repeat(300);
    const report = await csv(`${HEADER}\n${long},,,\n`);
    const issue = only(report, 'InvalidConsentId');
    expect(issue.value).toHaveLength(100);
    expect(issue.value).toBe(`${'a'.repeat(99)}…`);
  });

  it('a value of exactly 100 characters is not cut', async () => {
    const id = 'b'.repeat(100);
    const report = await csv(`${HEADER}\n${id},,,\n`);
    expect(only(report, 'InvalidConsentId').value).toBe(id);
  });

  it('checks JSON consent IDs the same way', async () => {
    const report = await jsonValue([{ consentId: U1.toUpperCase() }, { consentId: ` ${U2}` }]);
    expect(only(report, 'InvalidConsentId')).toMatchObject({ row: 2, field: 'consentId', value: ` ${U2}` });
  });
});
