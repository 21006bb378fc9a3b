/**
 * The in-place CSV path against the split path (zod's compile-differential tests are the
 * model): the same whole report and the same row results with the fast path on and off, with
 * and without `sizeHint` (the sampling phase), defaults, empty cells, and bad rows placed at
 * the sampling boundary (data rows 1999, 2000, 2001). The path counters also catch a
 * performance cliff that leaves the reports equal: after sampling, only rows with a problem
 * may take the split path.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HEADER, uuidFor } from '../helpers/validate.js';
import { ValidationEngine } from '../../src/validate/engine.js';
import { resolveValidateOptions, type RowResult, type ValidateOptions } from '../../src/validate/faces.js';
import type { FileReport } from '../../src/core/issues.js';

/** The sampling phase's length (engine.ts RESERVE_AFTER_ROWS). */
const SAMPLE_ROWS = 2000;

interface Run {
  report: FileReport;
  rows: RowResult[];
  paths: { inPlace: number; split: number };
}

/** Runs the engine over `text` cut into `chunk`-character pieces. */
function run(text: string, options: ValidateOptions & { fastPath: boolean }, chunk: number, wantRows: boolean): Run {
  const rows: RowResult[] = [];
  const engine = new ValidationEngine({ ...resolveValidateOptions(options), fastPath: options.fastPath }, wantRows ? (r) => rows.push(r) : undefined);
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunk) engine.write(bytes.subarray(i, i + chunk));
  const report = engine.end();
  return { report, rows, paths: { ...engine.paths } };
}

/** Bad cells, one kind per row problem the fast path must hand over. */
const BAD: Record<string, (i: number) => string[]> = {
  badId: (i) => [`not-a-uuid-${i}`, '', '', ''],
  emptyId: () => ['', '2024-01-01T00:00:00Z', '', ''],
  badDate: (i) => [uuidFor(i), '2024-02-30T00:00:00Z', '', ''],
  range: (i) => [uuidFor(i), '2024-12-31T00:00:00Z', '2024-01-01T00:00:00Z', ''],
  control: (i) => [uuidFor(i), '', '', 'a\tb'],
  tooFew: (i) => [uuidFor(i), ''],
  tooMany: (i) => [uuidFor(i), '', '', '', 'x'],
  duplicate: () => [uuidFor(0), '', '', ''],
};
const BAD_KINDS = Object.keys(BAD);

/** A CSV of `n` rows: good rows with varied (often empty) cells, bad rows at `bad` (1-based). */
function file(n: number, bad: Map<number, string>, seed: number): string {
  const lines = [HEADER];
  for (let r = 1; r <= n; r++) {
    const kind = bad.get(r);
    if (kind) {
      lines.push(BAD[kind]!(r).join(','));
      continue;
    }
    const v = (r * 7 + seed) % 5;
    const from = v === 0 ? '' : v === 1 ? '2024-01-01T00:00:00Z' : '2023-06-01T00:00:00+05:30';
    const to = v === 2 ? '' : v === 3 ? '2025-01-01T00:00:00.5Z' : '2024-12-31T23:59:59Z';
    const cfg = v === 4 ? '' : `cfg-${v}`;
    lines.push(`${uuidFor(r)},${from},${to},${cfg}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A row the in-place path must hand over: any issue but a duplicate warning (checked in place). */
function needsSplit(x: RowResult): boolean {
  return x.issues.some((i) => i.code !== 'DuplicateConsentId');
}

describe('fast path vs split path', () => {
  it('same report and rows, on and off, with sizeHint, defaults and bad rows at the sampling boundary', () => {
    const boundary = fc.constantFrom(1, 2, SAMPLE_ROWS - 1, SAMPLE_ROWS, SAMPLE_ROWS + 1, SAMPLE_ROWS + 2);
    fc.assert(
      fc.property(
        fc.record({
          extra: fc.integer({ min: 0, max: 40 }),
          bad: fc.array(fc.tuple(fc.oneof({ arbitrary: boundary, weight: 3 }, { arbitrary: fc.integer({ min: 1, max: SAMPLE_ROWS + 40 }), weight: 1 }), fc.constantFrom(...BAD_KINDS)), { maxLength: 6 }),
          sizeHint: fc.boolean(),
          defaults: fc.constantFrom(undefined, { fiDataRangeFrom: '2020-01-01T00:00:00Z' }, { fiDataRangeTo: '2030-01-01T00:00:00Z', configId: 'dflt' }, { fiDataRangeFrom: '2024-06-01T00:00:00Z' }),
          strict: fc.boolean(),
          chunk: fc.constantFrom(64 * 1024, 4099, 333),
          seed: fc.integer({ min: 0, max: 4 }),
        }),
        ({ extra, bad, sizeHint, defaults, strict, chunk, seed }) => {
          const n = SAMPLE_ROWS + extra;
          const text = file(n, new Map(bad.filter(([r]) => r <= n)), seed);
          const options: ValidateOptions = { fileName: 'a.csv', defaults, strict, maxErrors: 50, ...(sizeHint ? { sizeHint: text.length } : {}) };
          for (const wantRows of [false, true]) {
            const fast = run(text, { ...options, fastPath: true }, chunk, wantRows);
            const slow = run(text, { ...options, fastPath: false }, chunk, wantRows);
            expect(fast.report).toEqual(slow.report);
            expect(fast.rows).toEqual(slow.rows);
            expect(slow.paths.inPlace).toBe(0);
            if (wantRows) {
              // Sampling (sizeHint) sends the first SAMPLE_ROWS rows down the split path; after
              // it, and always without it, only rows with a problem take it.
              const sampled = sizeHint ? Math.min(n, SAMPLE_ROWS) : 0;
              const laterProblems = fast.rows.filter((x) => x.row > sampled && needsSplit(x)).length;
              expect(fast.paths.split).toBe(sampled + laterProblems);
            }
          }
        },
      ),
      {
        numRuns: 60,
        // The boundary case that once sent every later row down the split path.
        examples: [[{ extra: 7, bad: [[SAMPLE_ROWS, 'tooFew']], sizeHint: true, defaults: undefined, strict: false, chunk: 4099, seed: 1 }]],
      },
    );
  });

  it('regression: a bad data row 2000 ends the sampling phase all the same (no slow path for the rest)', () => {
    for (const kind of ['tooFew', 'badId', 'tooMany']) {
      const n = 3000;
      const text = file(n, new Map([[SAMPLE_ROWS, kind]]), 0);
      const r = run(text, { fileName: 'a.csv', sizeHint: text.length, fastPath: true }, 64 * 1024, false);
      expect(r.report.rows).toBe(n);
      expect(r.paths).toEqual({ split: SAMPLE_ROWS, inPlace: n - SAMPLE_ROWS });
    }
  });
});
