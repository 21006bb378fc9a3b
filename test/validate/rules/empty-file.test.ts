import { describe, expect, it } from 'vitest';
import { HEADER, check, codes, csv, json } from '../../helpers/validate.js';

describe('EmptyFile', () => {
  it.each([
    ['0 bytes on stdin', '', '-'],
    ['0 bytes as .csv', '', 'a.csv'],
    ['0 bytes as .json', '', 'a.json'],
    ['whitespace only', '  \n\n \r\n\t\n', '-'],
    ['a header alone', `${HEADER}\n`, 'a.csv'],
    ['a header without a newline', HEADER, 'a.csv'],
    ['a header and blank lines', `${HEADER}\r\n\r\n\n`, 'a.csv'],
    ['[]', '[]', 'a.json'],
    ['[ ] with whitespace', ' \n[ \n ]\n', '-'],
    ['an empty consents_list', '{"consents_list": []}', 'a.json'],
  ])('reports %s', async (_name, text, fileName) => {
    const report = await check(text, { fileName });
    expect(codes(report)).toEqual(['EmptyFile']);
    const issue = report.issues[0]!;
    expect(issue.severity).toBe('error');
    expect(issue.row).toBeUndefined();
    expect(report.rows).toBe(0);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it('counts bytes of an empty-but-not-zero file', async () => {
    const report = await csv(`${HEADER}\n`);
    expect(report.bytes).toBe(HEADER.length + 1);
  });

  it('a single row is not empty', async () => {
    const report = await json('[{"consentId":"9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d"}]');
    expect(report.rows).toBe(1);
    expect(codes(report)).not.toContain('EmptyFile');
  });
});

describe('EmptyFile (whitespace-only JSON)', () => {
  it('whitespace only in a .json file is empty, not malformed', async () => {
    const report = await json(' \n\t\r\n ');
    expect(codes(report)).toEqual(['EmptyFile']);
  });
});
