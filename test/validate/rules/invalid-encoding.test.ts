import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, checkChunks, codes, csv, json, only } from '../../helpers/validate.js';

const head = Buffer.from(`${HEADER}\n${U1},,,ok\n${U2},,,ab`, 'utf8');
const tail = Buffer.from(`cd\nnot-a-uuid,,,x\n`, 'utf8');

describe('InvalidEncoding', () => {
  it('reports a lone 0xFF byte with its byte offset and stops there', async () => {
    const bytes = Buffer.concat([head, Buffer.from([0xff]), tail]);
    const report = await csv(bytes);
    const issue = only(report, 'InvalidEncoding');
    expect(issue.severity).toBe('error');
    expect(issue.offset).toBe(head.length);
    expect(issue.row).toBeUndefined();
    // validation stops at the bad byte: the bad consent ID after it is not reported
    expect(codes(report)).not.toContain('InvalidConsentId');
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it.each([
    ['an overlong encoding (C0 80)', [0xc0, 0x80]],
    ['a UTF-16 surrogate encoded in UTF-8 (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a stray continuation byte (80)', [0x80]],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['a lead byte followed by ASCII (E2 41)', [0xe2, 0x41]],
  ])('reports %s at its offset', async (_name, seq) => {
    const bytes = Buffer.concat([head, Buffer.from(seq), tail]);
    const report = await csv(bytes);
    const issue = only(report, 'InvalidEncoding');
    expect(issue.offset).toBe(head.length);
  });

  it('reports a multi-byte sequence cut short by the end of the file', async () => {
    const bytes = Buffer.concat([head, Buffer.from([0xe2, 0x82])]);
    const report = await csv(bytes);
    const issue = only(report, 'InvalidEncoding');
    expect(issue.offset).toBeGreaterThanOrEqual(head.length);
    expect(issue.offset).toBeLessThanOrEqual(head.length + 2);
  });

  it('finds the offset when the bad byte arrives in a later chunk', async () => {
    const bytes = Buffer.concat([head, Buffer.from([0xff]), tail]);
    const chunks = [bytes.subarray(0, 7), bytes.subarray(7, head.length - 1), bytes.subarray(head.length - 1)];
    const report = await checkChunks(chunks, { fileName: 'x.csv' });
    expect(only(report, 'InvalidEncoding').offset).toBe(head.length);
  });

  it('accepts valid multi-byte UTF-8 split across chunks', async () => {
    const text = `${HEADER}\n${U1},,,Zürich 日本 🎉 ok\n`;
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf(0xf0); // the emoji's first byte
    const report = await checkChunks([bytes.subarray(0, at + 1), bytes.subarray(at + 1, at + 3), bytes.subarray(at + 3)], {
      fileName: 'x.csv',
    });
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
  });

  it.each([
    ['UTF-16 LE', [0xff, 0xfe]],
    ['UTF-16 BE', [0xfe, 0xff]],
    ['UTF-32 LE', [0xff, 0xfe, 0x00, 0x00]],
    ['UTF-32 BE', [0x00, 0x00, 0xfe, 0xff]],
  ])('reports a %s byte order mark at offset 0 (CSV)', async (_name, bom) => {
    const body = Buffer.from(`${HEADER}\n${U1},,,\n`, 'utf16le');
    const report = await csv(Buffer.concat([Buffer.from(bom), body]));
    const issue = only(report, 'InvalidEncoding');
    expect(issue.offset).toBe(0);
    expect(issue.message).toMatch(/UTF-?(16|32)/i);
    expect(report.valid).toBe(false);
  });

  it('reports a UTF-16 BOM in a .json file as InvalidEncoding', async () => {
    const body = Buffer.from(`[{"consentId":"${U1}"}]`, 'utf16le');
    const report = await json(Buffer.concat([Buffer.from([0xff, 0xfe]), body]));
    expect(only(report, 'InvalidEncoding').offset).toBe(0);
  });

  it('reports invalid UTF-8 inside a JSON string', async () => {
    const pre = Buffer.from(`[{"consentId":"${U1}","configId":"a`, 'utf8');
    const report = await json(Buffer.concat([pre, Buffer.from([0xff]), Buffer.from('"}]')]));
    expect(only(report, 'InvalidEncoding').offset).toBe(pre.length);
    expect(report.valid).toBe(false);
  });

  it('counts the UTF-8 BOM in the offset (JSON and CSV)', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const pre = Buffer.from(`[{"consentId":"${U1}","configId":"`, 'utf8');
    const j = await json(Buffer.concat([bom, pre, Buffer.from([0xff]), Buffer.from('"}]')]));
    expect(only(j, 'InvalidEncoding').offset).toBe(3 + pre.length);
    const c = await csv(Buffer.concat([bom, head, Buffer.from([0xff]), tail]));
    expect(only(c, 'InvalidEncoding').offset).toBe(3 + head.length);
  });
});
