/**
 * The fast consent-JSON reader (src/validate/json-fast.ts) against the stream-json reader it
 * falls back to: on generated valid files, mutated ones and JSON-ish noise, cut into any
 * chunks, both make the same sink calls (rows with their lines and issues, file issues) and
 * count the same rows; and the whole validation report through the engine is the same.
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { JsonRowReader } from '../../src/validate/json-rows.js';
import { FastJsonRowReader, type FastJsonRowSink } from '../../src/validate/json-fast.js';
import { validateRows, validateStream } from '../../src/validate/faces.js';
import { checkChunks } from '../helpers/validate.js';

type Call = ['row', unknown] | ['file', unknown];

/**
 * Runs one reader over the chunks and records every sink call. `fast+plain` also offers the
 * in-place hook and records what it gets as a row, refusing every third call (so the row path
 * is taken then) and, as its contract says, rows with a control character in a value; values are recorded with empty strings dropped, as the row rules treat an
 * empty value and an absent one alike and ranges cannot tell them apart.
 */
function run(kind: 'fast' | 'fast+plain' | 'slow', chunks: string[], maxValueLength: number, warning: 'warning' | 'error') {
  const calls: Call[] = [];
  const sink: FastJsonRowSink = {
    row: (r) => calls.push(['row', r]),
    fileIssue: (i) => calls.push(['file', i]),
  };
  let offered = 0;
  if (kind === 'fast+plain') {
    sink.plainRow = (s, a, b, c, d, e, f, g, h, row, line) => {
      if (++offered % 3 === 0) return false;
      // The hook's contract: a value with a control character is refused.
      for (const [x, y] of [[a, b], [c, d], [e, f], [g, h]] as const) for (let i = x; i < y; i++) if (s.charCodeAt(i) < 32) return false;
      const v = (x: number, y: number) => (y > x ? s.slice(x, y) : undefined);
      calls.push(['row', { row, line, consentId: v(a, b), fiDataRangeFrom: v(c, d), fiDataRangeTo: v(e, f), configId: v(g, h), issues: [], errors: 0 }]);
      return true;
    };
  }
  const reader = kind === 'slow' ? new JsonRowReader(sink, maxValueLength, warning) : new FastJsonRowReader(sink, maxValueLength, warning);
  for (const c of chunks) reader.push(c);
  reader.end();
  return { calls, rows: reader.rows };
}

/** Cuts `text` at the given fractions. */
function cut(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((f) => Math.floor(f * text.length)))].sort((a, b) => a - b);
  const out: string[] = [];
  let p = 0;
  for (const c of at) {
    out.push(text.slice(p, c));
    p = c;
  }
  out.push(text.slice(p));
  return out;
}

const ids = ['9a8b7c6d-5e4f-4a2b-8c0d-9e8f7a6b5c4d', 'not-a-uuid', '', '9A8B7C6D-5E4F-4A2B-8C0D-9E8F7A6B5C4D'];
const dates = ['2024-01-01T00:00:00Z', '2024-07-01T05:30:00.250+05:30', '2023-02-29T00:00:00Z', '', 'x'];
const value = fc.oneof(
  fc.constantFrom(...ids, ...dates, 'cfg', 'bank "A", savings', 'é日本🎉'),
  fc.constant(null),
  fc.string({ maxLength: 6 }),
);
const key = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('consentId', 'consent_id', 'fiDataRangeFrom', 'fiDataRangeTo', 'configId') },
  { weight: 1, arbitrary: fc.constantFrom('extra', 'consentid', 'consents_list', '') },
);
const blank = fc.constantFrom('', '', ' ', '\n', '\r\n', '\t', '\n  ');
const row = fc.tuple(fc.array(fc.tuple(key, value, blank), { maxLength: 5 }), blank).map(
  ([entries, b]) => `{${entries.map(([k, v, w]) => `${w}${JSON.stringify(k)}:${w}${JSON.stringify(v)}`).join(',')}${b}}`,
);
/** Valid-looking documents: an array of rows (or the wrapper), one per line or packed. */
const doc = fc
  .tuple(fc.array(row, { maxLength: 12 }), fc.constantFrom(',\n', ',', ' ,\n '), fc.boolean(), blank)
  .map(([rows, sep, wrap, tail]) => {
    const arr = `[\n${rows.join(sep)}\n]`;
    return (wrap ? `{"consents_list": ${arr}}` : arr) + tail;
  });
/** A mutation: a JSON-ish fragment inserted or a span deleted somewhere. */
const fragment = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '\\"', '\\u0041', '1', '-2.5e3', 'true', 'null', 'nul', '\n', '\u0001', '{"a":{"b":[1]}}', '"x"', ' ');
const mutated = fc
  .tuple(doc, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fragment, fc.nat(3)), { maxLength: 3 }))
  .map(([text, edits]) => {
    for (const [where, frag, del] of edits) {
      const at = Math.floor(where * text.length);
      text = text.slice(0, at) + frag + text.slice(at + del);
    }
    return text;
  });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });
const options = fc.record({ max: fc.constantFrom(1_048_576, 12, 3), warning: fc.constantFrom('warning' as const, 'error' as const) });

let stable = 0;

/** The calls with empty-string values dropped from rows (see `run`). */
function withoutEmpty(r: { calls: Call[]; rows: number }) {
  const calls = r.calls.map(([k, v]) => {
    if (k !== 'row') return [k, v];
    const o = { ...(v as Record<string, unknown>) };
    for (const key of Object.keys(o)) if (o[key] === '' || o[key] === undefined) delete o[key];
    return [k, o];
  });
  return { calls, rows: r.rows };
}
/** True when the stream-json reader gives the same calls for these chunks as for the whole text. */
function chunkStable(chunks: string[], text: string, o: { max: number; warning: 'warning' | 'error' }): boolean {
  return JSON.stringify(run('slow', chunks, o.max, o.warning)) === JSON.stringify(run('slow', [text], o.max, o.warning));
}

describe('FastJsonRowReader', () => {
  it('makes the same sink calls as the stream-json reader on valid and mutated input, any chunking', () => {
    fc.assert(
      fc.property(fc.oneof(doc, mutated), cuts, options, (text, c, o) => {
        const chunks = cut(text, c);
        const reference = run('slow', [text], o.max, o.warning);
        expect(run('fast', [text], o.max, o.warning)).toEqual(reference);
        // The stream-json reader itself can judge a syntax error differently when a chunk ends
        // inside a number at the top level (it emits the number before it sees the next
        // character); where it does, there is no single reference for that chunking.
        if (chunkStable(chunks, text, o)) {
          stable++;
          expect(run('fast', chunks, o.max, o.warning)).toEqual(reference);
          expect(withoutEmpty(run('fast+plain', chunks, o.max, o.warning))).toEqual(withoutEmpty(reference));
        }
      }),
      { numRuns: 3000 },
    );
    expect(stable).toBeGreaterThan(2700);
  });

  it('reads a long clean file without falling back and with exact lines', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `  {"consentId": "${ids[0]}", "fiDataRangeFrom": "${dates[i % 2]}",\n   "configId": null}`);
    const text = `[\n${rows.join(',\n')}\n]\n`;
    const chunks = cut(text, [0.1, 0.2, 0.33, 0.5, 0.77]);
    const fast = run('fast', chunks, 1_048_576, 'warning');
    expect(fast).toEqual(run('slow', [text], 1_048_576, 'warning'));
    expect(fast.rows).toBe(5000);
    expect((fast.calls[4999]![1] as { line: number }).line).toBe(2 + 2 * 4999);
  });

  it('through the engine, any chunking gives the same whole report', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(doc, mutated), cuts, async (text, c) => {
        const bytes = Buffer.from(text, 'utf8');
        const whole = await checkChunks([bytes], { format: 'json' });
        const pieces = cut(text, c).map((s) => Buffer.from(s, 'utf8'));
        expect(await checkChunks(pieces, { format: 'json' })).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('the in-place check gives the same report as the row path (validateStream vs validateRows)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(doc, mutated), fc.boolean(), fc.boolean(), async (text, strict, dup) => {
        const bytes = Buffer.from(text, 'utf8');
        const options = { format: 'json' as const, strict, duplicateCheck: dup };
        const plain = await validateStream(Readable.from([bytes]), options);
        const rows = validateRows(Readable.from([bytes]), options);
        let step = await rows.next();
        while (!step.done) step = await rows.next();
        expect(plain).toEqual(step.value);
      }),
      { numRuns: 500 },
    );
  });
});
