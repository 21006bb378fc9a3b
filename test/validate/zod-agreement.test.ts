import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveDefaults } from '../../src/core/defaults.js';
import { RowChecker } from '../../src/core/row-rules.js';
import { consentRowSchema, globalDefaultsSchema } from '../../src/core/schemas.js';
import type { Issue } from '../../src/core/issues.js';

// Values near the edges of each rule: valid and invalid UUIDs, dates, config IDs.
const uuid = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.constant('9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d'),
  fc.constant('9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4'),
  fc.constant(' 9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d'),
  fc.constant('9a8b7c6d_5e4f-3a2b-1c0d-9e8f7a6b5c4d'),
  fc.constant('ga8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d'),
);
const date = fc.oneof(
  fc.tuple(fc.integer({ min: 1999, max: 2030 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.constantFrom('Z', '+05:30', '-04:00', '+24:00', '', 'z'), fc.constantFrom('', '.5', '.250'))
    .map(([y, mo, d, h, mi, off, frac]) => `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:00${frac}${off}`),
  fc.constantFrom('2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2024-01-01', '2024-01-01 00:00:00Z', '2024-1-01T00:00:00Z'),
);
const config = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('cfg\t1', 'cfg\u007f', 'ok'));

function rowIssues(row: { consentId: string; fiDataRangeFrom?: string; fiDataRangeTo?: string; configId?: string }): Issue[] {
  const issues: Issue[] = [];
  new RowChecker({ duplicateCheck: false }).check(1, 2, row.consentId, row.fiDataRangeFrom, row.fiDataRangeTo, row.configId, { issue: (i) => issues.push(i) });
  return issues;
}

describe('the precompiled row rules agree with the zod schemas', () => {
  it('a row is accepted by RowChecker exactly when consentRowSchema accepts it', () => {
    fc.assert(
      fc.property(uuid, fc.option(date, { nil: undefined }), fc.option(date, { nil: undefined }), fc.option(config, { nil: undefined }), (consentId, from, to, configId) => {
        const row = { consentId, ...(from ? { fiDataRangeFrom: from } : {}), ...(to ? { fiDataRangeTo: to } : {}), ...(configId ? { configId } : {}) };
        const fast = rowIssues(row).filter((i) => i.severity === 'error').length === 0;
        expect(fast, JSON.stringify(row)).toBe(consentRowSchema.safeParse(row).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('the fast in-place check agrees with the full check on a CSV line', () => {
    fc.assert(
      fc.property(uuid, date, date, fc.string({ maxLength: 6 }).filter((s) => !s.includes(',')), (id, from, to, cfg) => {
        const line = `${id},${from},${to},${cfg}`;
        const a = id.length;
        const b = a + 1 + from.length;
        const c = b + 1 + to.length;
        const fast = new RowChecker({}).fastCheck(line, 0, a, a + 1, b, b + 1, c, c + 1, line.length, 1, 2, { issue: () => {} });
        const full = rowIssues({ consentId: id, fiDataRangeFrom: from, fiDataRangeTo: to, configId: cfg }).length === 0;
        expect(fast, line).toBe(full);
      }),
      { numRuns: 2000 },
    );
  });

  it('global defaults are accepted by resolveDefaults exactly when globalDefaultsSchema accepts them', () => {
    fc.assert(
      fc.property(fc.option(date, { nil: undefined }), fc.option(date, { nil: undefined }), fc.option(config, { nil: undefined }), (from, to, configId) => {
        const d = { ...(from ? { fiDataRangeFrom: from } : {}), ...(to ? { fiDataRangeTo: to } : {}), ...(configId ? { configId } : {}) };
        let ok = true;
        try {
          resolveDefaults(d);
        } catch (err) {
          expect((err as { code: string }).code).toBe('InvalidDefaults');
          ok = false;
        }
        expect(ok, JSON.stringify(d)).toBe(globalDefaultsSchema.safeParse(d).success);
      }),
      { numRuns: 2000 },
    );
  });
});
