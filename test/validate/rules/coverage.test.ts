import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IssueCode } from '../../../src/core/issues.js';
import { ROOT, codes, csv, check } from '../../helpers/validate.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('rule test coverage', () => {
  it('every issue code is asserted in some test/rules file', () => {
    const texts = readdirSync(here)
      .filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts')
      .map((f) => readFileSync(join(here, f), 'utf8'));
    const missing = Object.values(IssueCode).filter((code) => !texts.some((t) => t.includes(`'${code}'`)));
    expect(missing).toEqual([]);
  });
});

describe('examples/', () => {
  it('consents.csv and consents.json are valid', async () => {
    for (const name of ['consents.csv', 'consents.json']) {
      const path = join(ROOT, 'examples', name);
      const report = await check(readFileSync(path), { fileName: path });
      expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
      expect(report.valid).toBe(true);
    }
  });

  it('consents-with-mistakes.csv shows each mistake on its line', async () => {
    const report = await csv(readFileSync(join(ROOT, 'examples', 'consents-with-mistakes.csv')));
    expect(report.valid).toBe(false);
    const byLine = report.issues.filter((i) => i.line !== undefined).map((i) => [i.line, i.code]);
    expect(byLine).toEqual(
      expect.arrayContaining([
        [3, 'InvalidConsentId'],
        [4, 'InvalidDate'],
        [5, 'InvalidDateRange'],
        [6, 'MissingConsentId'],
        [7, 'InvalidConfigId'],
        [9, 'DuplicateConsentId'],
        [9, 'InvalidDate'],
        [10, 'FieldCountMismatch'],
      ]),
    );
    expect(codes(report)).toContain('UnknownField');
  });
});
