import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Papa from 'papaparse';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { prepareStream, type PrepareManifest } from '../../src/prepare/prepare.js';

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bp-prep-prop-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const hex = (len: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: len, maxLength: len });
const uuid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => p.join('-'));
// configId: printable text with the characters CSV must quote, and multi-byte UTF-8.
const configId = fc.option(fc.string({ unit: fc.constantFrom('a', 'Z', '9', ',', '"', ' ', 'é', '€', '😀', 'ß', '-'), maxLength: 30 }), { nil: undefined });
const date = fc.option(fc.constantFrom('2024-01-01T00:00:00Z', '2024-07-01T05:30:00.250+05:30'), { nil: undefined });
const row = fc.record({ consentId: uuid, fiDataRangeFrom: date, configId });

function csvCell(v: string | undefined): string {
  if (v === undefined) return '';
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** An input CSV in a non-canonical column order with CRLF, as users send them. */
function toInput(rows: Array<{ consentId: string; fiDataRangeFrom?: string; configId?: string }>): string {
  const lines = ['configId,consentId,fiDataRangeFrom'];
  for (const r of rows) lines.push([csvCell(r.configId), r.consentId, csvCell(r.fiDataRangeFrom)].join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function sha(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

async function checkParts(dir: string, manifest: PrepareManifest, maxBytes: number, maxRows: number, format: 'csv' | 'json') {
  const files = (await readdir(dir)).sort();
  expect(files).toEqual([...manifest.parts.map((p) => p.file), 'manifest.json'].sort());
  const out: Array<Record<string, string>> = [];
  let next = 1;
  for (const p of manifest.parts) {
    const buf = await readFile(join(dir, p.file));
    expect(buf.length).toBe(p.bytes);
    expect(buf.length).toBeLessThanOrEqual(maxBytes);
    expect(p.rows).toBeLessThanOrEqual(maxRows);
    expect(sha(buf)).toBe(p.sha256);
    expect(buf.includes('\r')).toBe(false);
    expect(p.firstRow).toBe(next);
    next = p.lastRow! + 1;
    let rows: Array<Record<string, string>>;
    if (format === 'csv') {
      const text = buf.toString('utf8');
      expect(text.startsWith('consentId,fiDataRangeFrom,fiDataRangeTo,configId\n')).toBe(true);
      const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
      expect(parsed.errors).toEqual([]);
      rows = parsed.data.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '')));
    } else {
      rows = JSON.parse(buf.toString('utf8'));
      expect(Array.isArray(rows)).toBe(true);
    }
    expect(rows.length).toBe(p.rows);
    out.push(...rows);
  }
  return out;
}

describe('prepare splits into valid parts within the caps', () => {
  for (const format of ['csv', 'json'] as const) {
    it(`parts (${format}) are within --max-bytes/--max-rows, valid, hashed, and concatenate to the normalised rows`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(row, { minLength: 1, maxLength: 60 }),
          fc.integer({ min: 300, max: 3000 }),
          fc.integer({ min: 1, max: 25 }),
          fc.integer({ min: 1, max: 5 }),
          async (rows0, maxBytes, maxRows, chunk) => {
            // Unique IDs: duplicates are tested on their own.
            const seen = new Set<string>();
            const rows = rows0.filter((r) => !seen.has(r.consentId.toLowerCase()) && seen.add(r.consentId.toLowerCase()));
            const input = Buffer.from(toInput(rows));
            const chunks: Buffer[] = [];
            const step = Math.max(1, Math.floor(input.length / chunk));
            for (let i = 0; i < input.length; i += step) chunks.push(input.subarray(i, i + step));
            const dir = join(root, `p${n++}`);
            const res = await prepareStream(Readable.from(chunks), {
              outDir: dir,
              fileName: 'in.csv',
              to: format,
              maxBytes,
              maxRows,
              defaults: { fiDataRangeTo: '2030-01-01T00:00:00Z' },
              referenceId: 'REF_base',
            });
            expect(res.ok).toBe(true);
            const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as PrepareManifest;
            expect(m).toEqual(res.manifest);
            expect(m.input).toEqual({ name: 'in.csv', sha256: sha(input), bytes: input.length, rows: rows.length });
            m.parts.forEach((p, i) => expect(p.referenceId).toBe(`REF_base-${String(i + 1).padStart(4, '0')}`));
            const got = await checkParts(dir, m, maxBytes, maxRows, format);
            const want = rows.map((r) => {
              const o: Record<string, string> = { consentId: r.consentId };
              if (r.fiDataRangeFrom !== undefined) o.fiDataRangeFrom = r.fiDataRangeFrom;
              o.fiDataRangeTo = '2030-01-01T00:00:00Z';
              if (r.configId !== undefined && r.configId !== '') o.configId = r.configId;
              return o;
            });
            expect(got).toEqual(want);
            await rm(dir, { recursive: true, force: true });
          },
        ),
        { numRuns: 25 },
      );
    });
  }
});
