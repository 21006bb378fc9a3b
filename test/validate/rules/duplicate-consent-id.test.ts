import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, U3, codes, csv, issuesOf, jsonValue, only } from '../../helpers/validate.js';

describe('DuplicateConsentId', () => {
  it('warns on the later row and names the first row; the file stays valid', async () => {
    const report = await csv(`${HEADER}\n${U2},,,\n${U1},,,\n${U3},,,\n${U1},,,\n`);
    const issue = only(report, 'DuplicateConsentId');
    expect(issue).toMatchObject({ severity: 'warning', row: 4, line: 5, field: 'consentId', value: U1 });
    expect(issue.message).toMatch(/\brow 2\b/);
    expect(report.valid).toBe(true);
    expect(report.warningCount).toBe(1);
    expect(report.errorCount).toBe(0);
    expect(report.apiErrorCode).toBeNull();
  });

  it('is case-insensitive on the hexadecimal digits', async () => {
    const report = await csv(`${HEADER}\n${U1},,,\n${U1.toUpperCase()},,,\n`);
    const issue = only(report, 'DuplicateConsentId');
    expect(issue.row).toBe(2);
    expect(issue.message).toMatch(/\brow 1\b/);
  });

  it('every repeat names the first row', async () => {
    const report = await csv(`${HEADER}\n${U2},,,\n${U2},,,\n${U2},,,\n`);
    const found = issuesOf(report, 'DuplicateConsentId');
    expect(found.map((i) => i.row)).toEqual([2, 3]);
    for (const i of found) expect(i.message).toMatch(/\brow 1\b/);
  });

  it('duplicateCheck: false turns it off', async () => {
    const report = await csv(`${HEADER}\n${U1},,,\n${U1},,,\n`, { duplicateCheck: false });
    expect(report.issues).toEqual([]);
  });

  it('is an error under strict', async () => {
    const report = await csv(`${HEADER}\n${U1},,,\n${U1},,,\n`, { strict: true });
    expect(only(report, 'DuplicateConsentId').severity).toBe('error');
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('works in JSON across the consentId and consent_id spellings', async () => {
    const report = await jsonValue([{ consentId: U1 }, { consentId: U2 }, { consent_id: U1.toUpperCase() }]);
    const issue = only(report, 'DuplicateConsentId');
    expect(issue.row).toBe(3);
    expect(issue.message).toMatch(/\brow 1\b/);
  });

  it('finds duplicates far apart', async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `${i.toString(16).padStart(8, '0')}-aaaa-bbbb-cccc-dddddddddddd`);
    ids.push(ids[10]!.toUpperCase());
    const report = await csv(`consentId\n${ids.join('\n')}\n`);
    expect(codes(report)).toEqual(['DuplicateConsentId']);
    expect(report.issues[0]!.row).toBe(2001);
    expect(report.issues[0]!.message).toMatch(/\brow 11\b/);
  });
});
