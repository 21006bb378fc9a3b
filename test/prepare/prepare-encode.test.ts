import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCsvRow } from '../../src/prepare/part-writer.js';

describe('prepare CSV encoding', () => {
  it('writes exactly what csv-stringify writes for any row (the unquoted fast path included)', () => {
    const cell = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', 'a,b', 'say "hi"', 'x\ny', 'x\r\ny', ' lead', 'é€😀'));
    fc.assert(
      fc.property(fc.option(cell, { nil: undefined }), fc.option(cell, { nil: undefined }), fc.option(cell, { nil: undefined }), fc.option(cell, { nil: undefined }), (a, b, c, d) => {
        const row = { consentId: a, fiDataRangeFrom: b, fiDataRangeTo: c, configId: d };
        const expected = stringify([[a ?? '', b ?? '', c ?? '', d ?? '']], { record_delimiter: 'unix' });
        expect(encodeCsvRow(row)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
