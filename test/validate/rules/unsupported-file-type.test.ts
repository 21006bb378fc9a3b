import { describe, expect, it } from 'vitest';
import { HEADER, U1, check, codes, only } from '../../helpers/validate.js';

const CSV = `${HEADER}\n${U1},,,\n`;

describe('UnsupportedFileType', () => {
  it.each(['report.pdf', 'consents.xlsx', 'batch.zip', 'BATCH.PDF'])('rejects %s by its extension', async (fileName) => {
    const report = await check(CSV, { fileName });
    const issue = only(report, 'UnsupportedFileType');
    expect(issue.severity).toBe('error');
    expect(issue.row).toBeUndefined();
    expect(report.valid).toBe(false);
    expect(report.format).toBeNull();
    expect(report.apiErrorCode).toBe('UnsupportedFileType');
  });

  it.each([
    ['a zip (PK\\x03\\x04)', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('\x14\x00\x00\x00\x08\x00consents.csv', 'latin1')])],
    ['a PDF (%PDF)', Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1')],
    ['text with NUL bytes', Buffer.from(`consentId\n${U1}\x00\x00\x00\n`, 'latin1')],
  ])('sniffs %s on stdin as unsupported', async (_name, bytes) => {
    const report = await check(bytes, { fileName: '-' });
    expect(codes(report)).toContain('UnsupportedFileType');
    expect(report.valid).toBe(false);
    expect(report.format).toBeNull();
    expect(report.apiErrorCode).toBe('UnsupportedFileType');
  });

  it('reads the .CSV extension case-insensitively', async () => {
    // By extension `.csv` means CSV: the engine must not call a real CSV with a .csv name unsupported.
    const report = await check(CSV, { fileName: 'data.CSV' });
    expect(report.format).toBe('csv');
    expect(report.valid).toBe(true);
  });

  it('reads the extension case-insensitively for JSON', async () => {
    const report = await check(JSON.stringify([{ consentId: U1 }]), { fileName: 'Data.Json' });
    expect(report.format).toBe('json');
    expect(report.valid).toBe(true);
  });

  it('sniffs JSON from the first non-blank character on stdin and for unknown extensions', async () => {
    const text = `  \n\t[{"consentId": "${U1}"}]`;
    for (const fileName of ['-', 'consents', 'upload.data']) {
      const report = await check(text, { fileName });
      expect(report.format).toBe('json');
      expect(report.valid).toBe(true);
    }
    const obj = await check(`\n{"consents_list": [{"consentId": "${U1}"}]}`);
    expect(obj.format).toBe('json');
    expect(obj.valid).toBe(true);
  });

  it('sniffs text that is not JSON as CSV', async () => {
    const report = await check(CSV, { fileName: '-' });
    expect(report.format).toBe('csv');
    expect(report.valid).toBe(true);
    expect(report.file).toBe('-');
  });

  it('the format option forces the parser', async () => {
    const asJson = await check(CSV, { format: 'json' });
    expect(asJson.format).toBe('json');
    expect(codes(asJson)).toContain('MalformedJson');
    const asCsv = await check(`[{"consentId":"${U1}"}]`, { format: 'csv' });
    expect(asCsv.format).toBe('csv');
    expect(asCsv.valid).toBe(false);
    expect(codes(asCsv)).not.toContain('MalformedJson');
  });

  it('does not run row rules on an unsupported file (only the type is reported)', async () => {
    const report = await check(`${HEADER}\nnot-a-uuid,,,\n`, { fileName: 'x.pdf' });
    expect(codes(report)).toEqual(['UnsupportedFileType']);
  });
});
