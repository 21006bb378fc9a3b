import { describe, expect, it } from 'vitest';
import { HEADER, U1, check, checkChunks, codes, csv, json, only } from '../../helpers/validate.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe('BomNotAllowed (CSV)', () => {
  it('is an error for a UTF-8 BOM at the start of a CSV', async () => {
    const report = await csv(Buffer.concat([BOM, Buffer.from(`${HEADER}\n${U1},,,\n`)]));
    const issue = only(report, 'BomNotAllowed');
    expect(issue.severity).toBe('error');
    expect(issue.row).toBeUndefined();
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it('still reads the header without the BOM (no misleading MissingColumn) and counts rows', async () => {
    const report = await csv(Buffer.concat([BOM, Buffer.from(`${HEADER}\n${U1},,,\nbad,,,\n`)]));
    expect(codes(report)).not.toContain('MissingColumn');
    expect(codes(report)).not.toContain('UnknownField');
    expect(report.rows).toBe(2);
    expect(codes(report).filter((c) => c === 'InvalidConsentId')).toHaveLength(1);
  });

  it('is found when the BOM is split across chunks', async () => {
    const bytes = Buffer.concat([BOM, Buffer.from(`${HEADER}\n${U1},,,\n`)]);
    const report = await checkChunks([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)], { fileName: 'a.csv' });
    expect(codes(report)).toEqual(['BomNotAllowed']);
  });

  it('is found on stdin (sniffed CSV)', async () => {
    const report = await check(Buffer.concat([BOM, Buffer.from(`${HEADER}\n${U1},,,\n`)]));
    expect(report.format).toBe('csv');
    expect(codes(report)).toEqual(['BomNotAllowed']);
  });
});

describe('BomInJson', () => {
  it('is a warning for a UTF-8 BOM in JSON; the file stays valid', async () => {
    const report = await json(Buffer.concat([BOM, Buffer.from(`[{"consentId":"${U1}"}]`)]));
    const issue = only(report, 'BomInJson');
    expect(issue.severity).toBe('warning');
    expect(issue.row).toBeUndefined();
    expect(report.valid).toBe(true);
    expect(report.warningCount).toBe(1);
    expect(report.errorCount).toBe(0);
    expect(report.apiErrorCode).toBeNull();
    expect(report.rows).toBe(1);
  });

  it('sniffs JSON behind a BOM on stdin', async () => {
    const report = await check(Buffer.concat([BOM, Buffer.from(`\n{"consents_list":[{"consentId":"${U1}"}]}`)]));
    expect(report.format).toBe('json');
    expect(codes(report)).toEqual(['BomInJson']);
    expect(report.valid).toBe(true);
  });

  it('is an error under strict', async () => {
    const report = await json(Buffer.concat([BOM, Buffer.from(`[{"consentId":"${U1}"}]`)]), { strict: true });
    expect(only(report, 'BomInJson').severity).toBe('error');
    expect(report.valid).toBe(false);
  });

  it('a BOM in the middle of a file is not a BOM issue', async () => {
    // U+FEFF inside a configId is just a character (not a control character)
    const report = await csv(`${HEADER}\n${U1},,,a\uFEFFb\n`);
    expect(codes(report)).not.toContain('BomNotAllowed');
  });
});
