import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, U3, codes, csv, issuesOf, jsonValue, only } from '../../helpers/validate.js';

describe('RecordTooLarge', () => {
  it('reports one RecordTooLarge on the long line and validates the following rows', async () => {
    const text = `${HEADER}\n${U1},,,a\n${U2},,,${'x'.repeat(10_000)}\nbad-after,,,b\n${U3},,,c\n`;
    const report = await csv(text, { maxRecordLength: 100 });
    const issue = only(report, 'RecordTooLarge');
    expect(issue.severity).toBe('error');
    expect(issue.line).toBe(3);
    if (issue.value !== undefined) expect(issue.value.length).toBeLessThanOrEqual(100);
    const bad = only(report, 'InvalidConsentId');
    expect(bad.line).toBe(4);
    expect(bad.row).toBe(3);
    expect(report.rows).toBe(4);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('handles a long quoted record spanning lines', async () => {
    const big = `"${'y\n'.repeat(3000)}"`;
    const text = `${HEADER}\n${U1},,,${big}\nbad,,,\n`;
    const report = await csv(text, { maxRecordLength: 100 });
    expect(only(report, 'RecordTooLarge').line).toBe(2);
    expect(only(report, 'InvalidConsentId').line).toBe(3003);
  });

  it('does not fire below the default limit (1,048,576 characters)', async () => {
    const report = await csv(`${HEADER}\n${U1},,,${'z'.repeat(100_000)}\n`);
    expect(report.issues).toEqual([]);
  });

  it('fires at the default limit', async () => {
    const report = await csv(`${HEADER}\n${U1},,,${'z'.repeat(1_100_000)}\n${U2},,,\n`);
    expect(codes(report)).toEqual(['RecordTooLarge']);
  });

  it('reports a JSON element over the limit and goes on', async () => {
    const report = await jsonValue(
      [{ consentId: U1 }, { consentId: U2, configId: 'q'.repeat(10_000) }, { consentId: 'bad-after' }],
      { maxRecordLength: 100 },
    );
    expect(issuesOf(report, 'RecordTooLarge')).toHaveLength(1);
    expect(only(report, 'InvalidConsentId').row).toBe(3);
    expect(report.valid).toBe(false);
  });
});
