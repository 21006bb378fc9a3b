import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, codes, csv, only } from '../../helpers/validate.js';

describe('MalformedCsv', () => {
  it('reports an unclosed quote at the end of the file with the line where the record starts', async () => {
    const report = await csv(`${HEADER}\n${U1},,,a\n${U2},,,"never closed\nmore text\n`);
    const issue = only(report, 'MalformedCsv');
    expect(issue.severity).toBe('error');
    expect(issue.line).toBe(3);
    expect(issue.row).toBeUndefined();
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it('reports a quote inside an unquoted field (ab"c) and stops there', async () => {
    const report = await csv(`${HEADER}\nbad-before,,,a\n${U1},,,ab"c\nbad-after,,,x\n`);
    expect(only(report, 'MalformedCsv').line).toBe(3);
    // the row before is validated, the one after is not
    expect(only(report, 'InvalidConsentId').row).toBe(1);
  });

  it('reports characters after a closing quote ("ab"c)', async () => {
    const report = await csv(`${HEADER}\n${U1},,,"ab"c\n`);
    expect(only(report, 'MalformedCsv').line).toBe(2);
  });

  it('gives the right line after quoted multi-line fields', async () => {
    const text = `${HEADER}\n${U1},,,"line1\nline2\nline3"\n\n${U2},,,x"y\n`;
    const report = await csv(text);
    expect(only(report, 'MalformedCsv').line).toBe(6);
  });

  it('stops validation at the syntax error: nothing after it is reported', async () => {
    const report = await csv(`${HEADER}\n${U1},,,"open\nbad,,,\nbad2,2024-02-30T00:00:00Z,,\n`);
    expect(codes(report)).toEqual(['MalformedCsv']);
  });

  it('accepts RFC 4180 quoting: quoted commas, doubled quotes, quoted newlines', async () => {
    // a newline is a control character in configId, so the multi-line value goes in an extra column
    const text = `${HEADER},note\n"${U1}",,,"a, ""b"" c","multi\nline, ""quoted"""\n${U2},"2024-01-01T00:00:00Z",,"",\n`;
    const report = await csv(text);
    expect(codes(report)).toEqual(['UnknownField']);
    expect(report.rows).toBe(2);
    expect(report.valid).toBe(true);
  });

  it('an unclosed quote in a record over the size cap is reported at the line where the record starts', async () => {
    // The open quote swallows every later line; the record passes maxRecordLength long before
    // the end, so it is skipped, but the error still names the line where it began.
    const tail = Array.from({ length: 200 }, (_, i) => `${U1},,,row ${i}`).join('\n');
    const report = await csv(`${HEADER}\n${U1},,,"never closed\n${tail}\n`, { maxRecordLength: 100 });
    const issue = only(report, 'MalformedCsv');
    expect(issue.line).toBe(2);
    expect(issue.message).toContain('line 2');
    expect(only(report, 'RecordTooLarge').line).toBe(2);
  });
});
