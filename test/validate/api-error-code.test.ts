/**
 * apiErrorCode names only the upload-time rejections the FinPro document defines:
 * FileTooLarge, UnsupportedFileType, and InvalidFileContent for content that cannot be parsed.
 * A file whose only errors are row rules is invalid with apiErrorCode null, and the text
 * report says the service's answer to such rows is not documented.
 */
import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, check, csv, json } from '../helpers/validate.js';
import { formatText } from '../../src/report/text.js';

describe('apiErrorCode', () => {
  it.each([
    ['invalid UTF-8', Buffer.concat([Buffer.from(`${HEADER}\n${U1},,,`), Buffer.from([0xff]), Buffer.from('\n')]), 'a.csv'],
    ['a BOM in CSV', `\uFEFF${HEADER}\n${U1},,,\n`, 'a.csv'],
    ['malformed CSV', `${HEADER}\n${U1},,,"open\n`, 'a.csv'],
    ['a row with the wrong number of fields', `${HEADER}\n${U1},,\n`, 'a.csv'],
    ['malformed JSON', `[{"consentId": "${U1}"`, 'a.json'],
    ['JSON of the wrong shape', `{"rows": []}`, 'a.json'],
    ['a missing column', `fiDataRangeFrom\n2024-01-01T00:00:00Z\n`, 'a.csv'],
    ['a duplicate column', `consentId,consentId\n${U1},${U2}\n`, 'a.csv'],
    ['an empty file', '', 'a.csv'],
  ])('unparseable content (%s) is InvalidFileContent', async (_what, input, fileName) => {
    const report = await check(input, { fileName });
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it('too large and unsupported keep their own codes', async () => {
    expect((await csv(`${HEADER}\n${U1},,,\n`, { maxBytes: 10 })).apiErrorCode).toBe('FileTooLarge');
    expect((await check('%PDF-1.7\n', { fileName: 'a.pdf' })).apiErrorCode).toBe('UnsupportedFileType');
  });

  it.each([
    ['an invalid consent ID', `${HEADER}\nnot-a-uuid,,,\n`],
    ['an impossible date', `${HEADER}\n${U1},2024-02-30T00:00:00Z,,\n`],
    ['a reversed range', `${HEADER}\n${U1},2025-01-01T00:00:00Z,2024-01-01T00:00:00Z,\n`],
    ['a missing consent ID', `${HEADER}\n,,,\n`],
  ])('only row rules failing (%s): invalid, apiErrorCode null', async (_what, input) => {
    const report = await csv(input);
    expect(report.valid).toBe(false);
    expect(report.errorCount).toBeGreaterThan(0);
    expect(report.apiErrorCode).toBeNull();
  });

  it('row rules under strict (duplicates, unknown fields) are not an upload-time rejection either', async () => {
    const report = await json(`[{"consentId": "${U1}", "x": 1}, {"consentId": "${U1}"}]`, { strict: true });
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBeNull();
  });

  it('the text report says the rows break the documented rules and the answer is not documented', async () => {
    const report = await csv(`${HEADER}\nnot-a-uuid,,,\n`);
    const text = formatText({ valid: false, files: [report] }, { color: false });
    expect(text).toMatch(/INVALID .*the rows break the documented rules \(the service's answer to such rows is not documented\)/);
    expect(text).not.toMatch(/server would answer/);
    const unparseable = await csv(`${HEADER}\n${U1},,\n`);
    expect(formatText({ valid: false, files: [unparseable] }, { color: false })).toMatch(/the server would answer InvalidFileContent/);
  });
});
