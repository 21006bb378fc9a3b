import { describe, expect, it } from 'vitest';
import { HEADER, U1, codes, csv, jsonValue, only } from '../../helpers/validate.js';

describe('InvalidConfigId', () => {
  it.each([
    ['a tab', 'a\tb'],
    ['NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['SOH', '\u0001'],
    ['ESC', 'x\u001b[31m'],
    ['unit separator', 'a\u001f'],
    ['a newline (quoted)', 'line1\nline2'],
    ['a carriage return (quoted)', 'a\rb'],
    ['CRLF (quoted)', 'a\r\nb'],
  ])('reports %s in a CSV configId', async (_name, value) => {
    const cell = /[\n\r,"]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
    const report = await csv(`${HEADER}\n${U1},,,ok\n${U1.replace('9a', '1a')},,,${cell}\n`);
    const issue = only(report, 'InvalidConfigId');
    expect(issue).toMatchObject({ severity: 'error', row: 2, line: 3, field: 'configId' });
    expect(issue.message).toMatch(/control/i);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
  });

  it.each([
    ['commas and quotes', 'a, "quoted" value'],
    ['unicode', 'Zürich – 日本語 – 🎉'],
    ['spaces', '  padded  '],
    ['a long value', 'k'.repeat(5000)],
    ['punctuation', `!@#$%^&*()_+-=[]{};':\\|<>/?~\``],
  ])('accepts %s', async (_name, value) => {
    const cell = `"${value.replace(/"/g, '""')}"`;
    const report = await csv(`${HEADER}\n${U1},,,${cell}\n`);
    expect(report.issues).toEqual([]);
  });

  it('checks JSON configIds (escaped control characters)', async () => {
    const report = await jsonValue([{ consentId: U1, configId: 'ok' }, { consentId: U1.replace('9a', '2a'), configId: 'tab\there' }]);
    expect(only(report, 'InvalidConfigId')).toMatchObject({ row: 2, field: 'configId', value: 'tab\there' });
  });

  it('a NUL in a JSON configId is reported, not taken for binary content', async () => {
    const report = await jsonValue([{ consentId: U1, configId: 'a\u0000b' }]);
    expect(codes(report)).toEqual(['InvalidConfigId']);
  });
});
