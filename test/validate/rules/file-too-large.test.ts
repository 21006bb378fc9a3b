import { describe, expect, it } from 'vitest';
import { HEADER, U1, check, codes, csv, only, uuidFor } from '../../helpers/validate.js';

const CAP = 10_485_760;

/** A valid CSV of exactly `size` bytes: distinct rows of ~1000 bytes, the last one padded. */
function validCsvOfSize(size: number): Buffer {
  const parts: string[] = [`${HEADER}\n`];
  let used = parts[0]!.length;
  let i = 0;
  const rowOverhead = 36 + 3 + 1; // uuid + ",,," + "\n"
  for (;;) {
    const left = size - used;
    if (left <= 2000) {
      const pad = left - rowOverhead;
      parts.push(`${uuidFor(i)},,,${'x'.repeat(pad)}\n`);
      used += left;
      break;
    }
    const row = `${uuidFor(i++)},,,${'y'.repeat(1000)}\n`;
    parts.push(row);
    used += row.length;
  }
  const buf = Buffer.from(parts.join(''), 'utf8');
  if (buf.length !== size) throw new Error(`built ${buf.length} bytes, wanted ${size}`);
  return buf;
}

describe('FileTooLarge', () => {
  it('accepts a valid CSV of exactly 10,485,760 bytes (the default cap)', async () => {
    const report = await csv(validCsvOfSize(CAP));
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.bytes).toBe(CAP);
    expect(report.apiErrorCode).toBeNull();
  });

  it('rejects the same CSV one byte larger (10,485,761) with FileTooLarge once, apiErrorCode FileTooLarge', async () => {
    const report = await csv(validCsvOfSize(CAP + 1));
    expect(codes(report)).toEqual(['FileTooLarge']);
    const issue = only(report, 'FileTooLarge');
    expect(issue.severity).toBe('error');
    expect(issue.row).toBeUndefined();
    expect(report.valid).toBe(false);
    expect(report.bytes).toBe(CAP + 1);
    expect(report.apiErrorCode).toBe('FileTooLarge');
  });

  it('honours the maxBytes option at its exact boundary', async () => {
    const body = `${HEADER}\n${U1},,,`;
    const exact = body + 'x'.repeat(200 - Buffer.byteLength(body));
    expect(Buffer.byteLength(exact)).toBe(200);
    const ok = await csv(exact, { maxBytes: 200 });
    expect(ok.valid).toBe(true);
    const over = await csv(`${exact}y`, { maxBytes: 200 });
    expect(codes(over)).toEqual(['FileTooLarge']);
    expect(over.apiErrorCode).toBe('FileTooLarge');
  });

  it('counts bytes, not characters (multi-byte configId)', async () => {
    const body = `${HEADER}\n${U1},,,`;
    // 'é' is 2 bytes: 10 characters, 20 bytes
    const text = body + 'é'.repeat(10);
    const size = Buffer.byteLength(text);
    expect((await csv(text, { maxBytes: size })).valid).toBe(true);
    expect(codes(await csv(text, { maxBytes: size - 1 }))).toEqual(['FileTooLarge']);
  });

  it('reports FileTooLarge once and goes on validating rows past the cap', async () => {
    const rows = [`${U1},,,a`, 'not-a-uuid,,,b', `${U1.toUpperCase()},,,c`, `bad2,,,${'z'.repeat(100)}`];
    const text = `${HEADER}\n${rows.join('\n')}\n`;
    const report = await csv(text, { maxBytes: 60 });
    expect(issuesCount(report, 'FileTooLarge')).toBe(1);
    const bad = report.issues.filter((i) => i.code === 'InvalidConsentId');
    expect(bad.map((i) => i.row)).toEqual([2, 4]);
    expect(bad.map((i) => i.line)).toEqual([3, 5]);
    expect(report.rows).toBe(4);
    // over the cap wins over content errors
    expect(report.apiErrorCode).toBe('FileTooLarge');
  });

  it('applies to JSON too', async () => {
    const text = JSON.stringify([{ consentId: U1, configId: 'x'.repeat(100) }]);
    const report = await check(text, { maxBytes: 50 });
    expect(report.format).toBe('json');
    expect(codes(report)).toEqual(['FileTooLarge']);
    expect(report.apiErrorCode).toBe('FileTooLarge');
  });
});

function issuesCount(report: { issues: { code: string }[] }, code: string): number {
  return report.issues.filter((i) => i.code === code).length;
}
