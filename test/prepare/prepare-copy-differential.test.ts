import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { prepareStream, type PrepareOptions } from '../../src/prepare/prepare.js';
import { CleanLine, validateRowBatchesWithLines } from '../../src/validate/faces.js';

// Prepare copies clean rows of a canonical CSV through as their line's text instead of
// re-encoding them. These tests hold whole output directories (every part, the manifest, the
// reject file, the result) identical with the copy on and off, on inputs that switch paths.

let root: string;
let n = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bp-prep-copy-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const CANONICAL = ['consentId', 'fiDataRangeFrom', 'fiDataRangeTo', 'configId'] as const;
const hex = (len: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: len, maxLength: len });
const uuid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => p.join('-'));
const date = fc.constantFrom('', '', '2024-01-01T00:00:00Z', '2024-07-01T05:30:00.250+05:30', '2024-13-01T00:00:00Z');
// Cells that need quotes, multi-byte UTF-8, a bare CR, spaces, and plain ones.
const config = fc.constantFrom('', '', 'cfg-1', 'retail, monthly', 'bank "A"', 'é€😀', 'a\rb', ' lead', 'x\ny');
const cellRow = fc.record({
  consentId: fc.oneof({ weight: 8, arbitrary: uuid }, { weight: 1, arbitrary: fc.constantFrom('not-a-uuid', '') }),
  fiDataRangeFrom: date,
  fiDataRangeTo: date,
  configId: config,
  // Copy the previous row's ID (a duplicate).
  dup: fc.integer({ min: 0, max: 11 }).map((x) => x === 0),
  // Quote every cell of this row, needed or not.
  quoteAll: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
  // An extra cell (FieldCountMismatch).
  extra: fc.integer({ min: 0, max: 19 }).map((x) => x === 0),
});

function cell(v: string, quoteAll: boolean): string {
  return quoteAll || /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

interface Case {
  rows: Array<{ consentId: string; fiDataRangeFrom: string; fiDataRangeTo: string; configId: string; dup: boolean; quoteAll: boolean; extra: boolean }>;
  order: number[];
  eol: '\n' | '\r\n';
  lastEol: boolean;
}

function toInput(c: Case): Buffer {
  const names = c.order.map((i) => CANONICAL[i]!);
  const lines = [names.join(',')];
  let prev = '';
  for (const r of c.rows) {
    const id = r.dup && prev ? prev : r.consentId;
    prev = id;
    const v: Record<string, string> = { consentId: id, fiDataRangeFrom: r.fiDataRangeFrom, fiDataRangeTo: r.fiDataRangeTo, configId: r.configId };
    const cells = names.map((k) => cell(v[k]!, r.quoteAll));
    if (r.extra) cells.push('x');
    lines.push(cells.join(','));
  }
  return Buffer.from(lines.join(c.eol) + (c.lastEol ? c.eol : ''));
}

/** Every file of a directory, by name. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir).catch(() => [] as string[])).sort()) out[f] = (await readFile(join(dir, f))).toString('base64');
  return out;
}

async function run(input: Buffer, chunk: number, options: Omit<PrepareOptions, 'outDir'>, copy: boolean) {
  const dir = join(root, `d${n++}`);
  const rejectFile = options.rejectFile ? join(root, `r${n++}.ndjson`) : undefined;
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) chunks.push(input.subarray(i, i + chunk));
  const res = await prepareStream(Readable.from(chunks), { ...options, rejectFile, outDir: dir, fileName: 'in.csv', referenceId: 'REF_base', copyCleanRows: copy });
  const files = await snapshot(dir);
  const rejects = rejectFile ? await readFile(rejectFile, 'utf8').catch(() => null) : null;
  await rm(dir, { recursive: true, force: true });
  if (rejectFile) await rm(rejectFile, { force: true });
  return { res, files, rejects };
}

const caseArb = fc.record({
  rows: fc.array(cellRow, { minLength: 1, maxLength: 40 }),
  // Mostly the canonical order (the copy path), sometimes another.
  order: fc.oneof({ weight: 3, arbitrary: fc.constant([0, 1, 2, 3]) }, { weight: 1, arbitrary: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }) }),
  eol: fc.constantFrom('\n' as const, '\n' as const, '\r\n' as const),
  lastEol: fc.boolean(),
});

const optionsArb = fc.record({
  maxBytes: fc.oneof(fc.constant(undefined), fc.integer({ min: 250, max: 2000 })),
  maxRows: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 12 })),
  dedupe: fc.boolean(),
  strict: fc.boolean(),
  reject: fc.boolean(),
  defaults: fc.oneof(fc.constant(undefined), fc.constant({ fiDataRangeFrom: '2020-01-01T00:00:00Z' }), fc.constant({ configId: 'cfg-default', fiDataRangeTo: '2030-01-01T00:00:00Z' })),
});

describe('prepare: copying clean canonical lines gives the same output as re-encoding them', () => {
  it('whole out dirs, reject files and results are identical with the copy on and off', async () => {
    let copiedSome = 0;
    await fc.assert(
      // Small chunks move lines across chunk ends; large ones make runs of many lines.
      fc.asyncProperty(caseArb, optionsArb, fc.oneof(fc.integer({ min: 1, max: 97 }), fc.integer({ min: 300, max: 5000 })), async (c, o, chunk) => {
        const input = toInput(c as unknown as Case);
        const options: Omit<PrepareOptions, 'outDir'> = {
          maxBytes: o.maxBytes,
          maxRows: o.maxRows,
          dedupe: o.dedupe,
          strict: o.strict,
          defaults: o.defaults,
          rejectFile: o.reject ? 'yes' : undefined,
        };
        const on = await run(input, chunk, options, true);
        const off = await run(input, chunk, options, false);
        expect(on.files).toEqual(off.files);
        expect(on.rejects).toEqual(off.rejects);
        expect(on.res).toEqual(off.res);
        if (on.res.ok) expect(Object.keys(on.files)).toContain('manifest.json');
        if (on.res.ok && c.order.join() === '0,1,2,3') copiedSome++;
      }),
      { numRuns: 150 },
    );
    // The copy path was exercised, not only the encoder.
    expect(copiedSome).toBeGreaterThan(10);
  });

  it('clean lines of a canonical CSV come as text, adjacent LF lines as one run; others as row results', async () => {
    const input = Buffer.from(
      'consentId,fiDataRangeFrom,fiDataRangeTo,configId\r\n' +
        'aaaaaaaa-0000-4000-8000-000000000001,,,cfg\r\n' +
        'aaaaaaaa-0000-4000-8000-000000000002,,,"a, b"\n' +
        'aaaaaaaa-0000-4000-8000-000000000003,2024-01-01T00:00:00Z,,\n' +
        'aaaaaaaa-0000-4000-8000-000000000003,,,\n' +
        'aaaaaaaa-0000-4000-8000-000000000004,,,x\ry\n' +
        'aaaaaaaa-0000-4000-8000-000000000005,,,e\n' +
        'aaaaaaaa-0000-4000-8000-000000000006,,,f\n' +
        '\n' +
        'aaaaaaaa-0000-4000-8000-000000000007,,,last',
    );
    const got: unknown[] = [];
    const batches = validateRowBatchesWithLines(Readable.from([input.subarray(0, 70), input.subarray(70)]), { fileName: 'in.csv' }, true);
    for (;;) {
      const step = await batches.next();
      if (step.done) break;
      for (const r of step.value) got.push(r instanceof CleanLine ? [r.row, r.rows, r.text] : r.row);
    }
    expect(got).toEqual([
      [1, 1, 'aaaaaaaa-0000-4000-8000-000000000001,,,cfg\n'], // CRLF becomes LF
      2, // quoted
      [3, 1, 'aaaaaaaa-0000-4000-8000-000000000003,2024-01-01T00:00:00Z,,\n'],
      4, // duplicate warning
      5, // bare CR in a cell
      [6, 2, 'aaaaaaaa-0000-4000-8000-000000000005,,,e\naaaaaaaa-0000-4000-8000-000000000006,,,f\n'],
      [8, 1, 'aaaaaaaa-0000-4000-8000-000000000007,,,last\n'], // after a blank line; no final terminator
    ]);
  });

  it('a non-canonical header order or defaults that fill an empty cell turn the copy off', async () => {
    const kinds = async (text: string, defaults?: PrepareOptions['defaults']) => {
      const out: string[] = [];
      const batches = validateRowBatchesWithLines(Readable.from([Buffer.from(text)]), { fileName: 'in.csv', defaults }, true);
      for (;;) {
        const step = await batches.next();
        if (step.done) break;
        for (const r of step.value) out.push(...Array<string>(r instanceof CleanLine ? r.rows : 1).fill(r instanceof CleanLine ? 'line' : 'row'));
      }
      return out;
    };
    expect(await kinds('configId,consentId,fiDataRangeFrom,fiDataRangeTo\ncfg,aaaaaaaa-0000-4000-8000-000000000001,,\n')).toEqual(['row']);
    const canonical = 'consentId,fiDataRangeFrom,fiDataRangeTo,configId\naaaaaaaa-0000-4000-8000-000000000001,,,cfg\naaaaaaaa-0000-4000-8000-000000000002,,,\n';
    expect(await kinds(canonical)).toEqual(['line', 'line']);
    expect(await kinds(canonical, { configId: 'dflt' })).toEqual(['line', 'row']);
  });
});
