import { describe, expect, it } from 'vitest';
import { HEADER, U1, csv, json, jsonValue } from '../../helpers/validate.js';
import type { FileReport } from '../../../src/core/issues.js';

const cases: Array<[string, (strict: boolean) => Promise<FileReport>, string]> = [
  ['DuplicateConsentId', (strict) => csv(`${HEADER}\n${U1},,,\n${U1},,,\n`, { strict }), 'DuplicateConsentId'],
  ['UnknownField (CSV column)', (strict) => csv(`${HEADER},note\n${U1},,,,x\n`, { strict }), 'UnknownField'],
  ['UnknownField (JSON key)', (strict) => jsonValue([{ consentId: U1, note: 'x' }], { strict }), 'UnknownField'],
  ['UnknownField (top-level key)', (strict) => jsonValue({ meta: 1, consents_list: [{ consentId: U1 }] }, { strict }), 'UnknownField'],
  ['BomInJson', (strict) => json(Buffer.from(`\uFEFF[{"consentId":"${U1}"}]`), { strict }), 'BomInJson'],
];

describe('strict', () => {
  it.each(cases)('%s is a warning without strict', async (_name, run, code) => {
    const report = await run(false);
    expect(report.issues.length).toBeGreaterThan(0);
    for (const i of report.issues) expect(i).toMatchObject({ code, severity: 'warning' });
    expect(report.valid).toBe(true);
    expect(report.errorCount).toBe(0);
    expect(report.warningCount).toBe(report.issues.length);
    expect(report.apiErrorCode).toBeNull();
  });

  it.each(cases)('%s is an error with strict', async (_name, run, code) => {
    const report = await run(true);
    expect(report.issues.length).toBeGreaterThan(0);
    for (const i of report.issues) expect(i).toMatchObject({ code, severity: 'error' });
    expect(report.valid).toBe(false);
    expect(report.warningCount).toBe(0);
    expect(report.errorCount).toBe(report.issues.length);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it('strict does not change errors or a clean file', async () => {
    const report = await csv(`${HEADER}\n${U1},,,\n`, { strict: true });
    expect(report.valid).toBe(true);
    expect(report.issues).toEqual([]);
  });
});
