import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateIndex } from '../../src/core/dup-index.js';

describe('DuplicateIndex', () => {
  it('returns the first row of every repeat and 0 for new IDs, like a Map, through growth', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 3000 }), fc.boolean(), (keys, reserve) => {
        const index = new DuplicateIndex();
        if (reserve) index.reserve(keys.length);
        const map = new Map<string, number>();
        const w = new Uint32Array(4);
        keys.forEach(([k, v], i) => {
          // Sequential-looking IDs (the hash must spread them) that differ in one word only.
          w[0] = k;
          w[1] = 0;
          w[2] = v;
          w[3] = 0x9e3779b9;
          const key = `${k}/${v}`;
          const got = index.addOrGet(w, i + 1);
          expect(got).toBe(map.get(key) ?? 0);
          if (!map.has(key)) map.set(key, i + 1);
        });
        expect(index.size).toBe(map.size);
      }),
      { numRuns: 200 },
    );
  });

  it('stays under 40 bytes per distinct ID at 1,000,000 IDs', () => {
    const index = new DuplicateIndex();
    const w = new Uint32Array(4);
    for (let i = 1; i <= 1_000_000; i++) {
      w[0] = i;
      w[1] = Math.imul(i, 2654435761);
      w[2] = i ^ 0x5bd1e995;
      w[3] = 7;
      index.addOrGet(w, i);
    }
    expect(index.size).toBe(1_000_000);
    expect(index.byteLength / index.size).toBeLessThan(40);
  });
});
