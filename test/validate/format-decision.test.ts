/**
 * One format decision: the engine decides once (option, else extension, else the first 4 KiB)
 * and says what it decided (`onFormat`, `report.format`); `detectFileFormat` gives the same
 * decision for a file on disk, for callers that do not validate (FinPro submit --no-validate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADER, U1, check, checkChunks } from '../helpers/validate.js';
import { detectFileFormat } from '../../src/validate/faces.js';
import type { FormatDecision } from '../../src/validate/sniff.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bp-format-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('format decision', () => {
  it.each([
    ['JSON after 100 blanks, no name', `${' '.repeat(100)}[{"consentId": "${U1}"}]`, '-', 'auto', { format: 'json', by: 'content' }],
    ['CSV, no name', `${HEADER}\n${U1},,,\n`, '-', 'auto', { format: 'csv', by: 'content' }],
    ['JSON content named .csv', `[{"consentId": "${U1}"}]`, 'a.csv', 'auto', { format: 'csv', by: 'extension' }],
    ['the format option wins', `${HEADER}\n${U1},,,\n`, 'a.csv', 'json', { format: 'json', by: 'option' }],
    ['a PDF', '%PDF-1.7\n', '-', 'auto', { format: null, by: 'content' }],
    ['an .xlsx name', 'x', 'a.xlsx', 'auto', { format: null, by: 'extension' }],
    ['a BOM', `\uFEFF${HEADER}\n${U1},,,\n`, '-', 'auto', { format: 'csv', by: 'content', bom: 3 }],
  ] as const)('%s', async (_what, text, fileName, format, expected) => {
    const seen: FormatDecision[] = [];
    const report = await check(text, { fileName, format, onFormat: (d) => seen.push(d) });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject(expected);
    expect(report.format).toBe(expected.format);
    const path = join(dir, fileName === '-' ? 'noext' : fileName);
    await writeFile(path, text);
    expect(await detectFileFormat(path, { fileName, format })).toEqual(seen[0]);
  });

  it('the engine and detectFileFormat decide alike for any head, whatever the chunking', async () => {
    const piece = fc.constantFrom(' ', '\n', '\t', '[', '{', 'a', ',', '"', '\u0000', '%PDF', '\uFEFF', 'consentId');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 0, max: 5000 }), fc.constantFrom('-', 'x.csv', 'x.json', 'x.txt', 'x.pdf'), async (parts, pad, fileName) => {
        const text = ' '.repeat(pad) + parts.join('');
        const bytes = Buffer.from(text);
        const seen: FormatDecision[] = [];
        const chunks = [bytes.subarray(0, 7), bytes.subarray(7, 4000), bytes.subarray(4000)];
        await checkChunks(chunks, { fileName, onFormat: (d) => seen.push(d) });
        const path = join(dir, 'prop');
        await writeFile(path, bytes);
        expect(seen).toHaveLength(1);
        expect(await detectFileFormat(path, { fileName })).toEqual(seen[0]);
      }),
      { numRuns: 60 },
    );
  });
});
