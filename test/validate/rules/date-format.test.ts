/**
 * --date-format / dateFormat: rfc3339 (default) or iso8601, which also accepts the ISO 8601
 * forms the FinPro document's wording allows (date only, date-time without offset, reduced
 * precision, basic format), still calendar-checked. In the default profile the InvalidDate
 * message for a value that is valid ISO 8601 names the flag.
 */
import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, csv, only, runCli } from '../../helpers/validate.js';
import { checkDateTime } from '../../../src/core/datetime.js';
import { resolveDefaults } from '../../../src/core/defaults.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ISO_ONLY = [
  '2024-01-01',
  '20240101',
  '2024-01-01T00:00:00',
  '2024-01-01T10:30',
  '2024-01-01T10',
  '2024-01-01T10:30:00,5Z',
  '20240101T103000Z',
  '20240101T103000+0530',
  '20240101T1030',
  '2024-01-01T10:30:00+05',
];
const RFC = ['2024-01-01T00:00:00Z', '2024-07-01T05:30:00.250+05:30', '2024-02-29t00:00:00z'];
const NEITHER = ['2024-02-30', '20230229', '2024-13-01T00:00:00', '2024-01-01T24:00', '2024-01-01T10:30:00+0530', '20240101T10:30:00Z', '2024-01-01 10:30:00Z', 'yesterday', '2024-1-1', '2024-01-01T10:30:00+25:00'];

describe('date formats', () => {
  it.each(ISO_ONLY)('%s is ISO 8601 but not RFC 3339: accepted only with iso8601, and the default message names the flag', (d) => {
    expect(checkDateTime(d, 'iso8601').ok).toBe(true);
    const strict = checkDateTime(d);
    expect(strict.ok).toBe(false);
    if (!strict.ok) expect(strict.reason).toContain('--date-format iso8601');
  });

  it.each(RFC)('%s (RFC 3339) is accepted by both', (d) => {
    expect(checkDateTime(d).ok).toBe(true);
    expect(checkDateTime(d, 'iso8601').ok).toBe(true);
  });

  it.each(NEITHER)('%s is refused by both, and the default message does not suggest the flag', (d) => {
    const iso = checkDateTime(d, 'iso8601');
    expect(iso.ok).toBe(false);
    const strict = checkDateTime(d);
    expect(strict.ok).toBe(false);
    if (!strict.ok) expect(strict.reason).not.toContain('--date-format');
  });

  it('a calendar error in iso8601 says which part is wrong', () => {
    const r = checkDateTime('20230229', 'iso8601');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/day 29 does not exist in February 2023/);
  });

  it('iso8601 instants order like the dates they name (date-only = midnight; no offset compared as UTC)', () => {
    const at = (d: string) => {
      const r = checkDateTime(d, 'iso8601');
      if (!r.ok) throw new Error(r.reason);
      return r.seconds + r.fraction;
    };
    expect(at('2024-01-01')).toBe(at('2024-01-01T00:00:00Z'));
    expect(at('20240101T103000+0530')).toBe(at('2024-01-01T05:00:00Z'));
    expect(at('2024-01-01T10')).toBe(at('2024-01-01T10:00:00Z'));
    expect(at('2024-01-01T10:30:00,5Z')).toBe(at('2024-01-01T10:30:00.5Z'));
  });

  it('the engine: rows and defaults are checked in the chosen profile', async () => {
    const text = `${HEADER}\n${U1},2024-01-01,20241231,\n${U2},,,\n`;
    const strict = await csv(text);
    expect(strict.errorCount).toBe(2);
    expect(strict.issues.map((i) => [i.code, i.value])).toEqual([['InvalidDate', '2024-01-01'], ['InvalidDate', '20241231']]);
    expect(strict.issues.every((i) => i.message.includes('--date-format iso8601'))).toBe(true);
    const iso = await csv(text, { dateFormat: 'iso8601', defaults: { fiDataRangeFrom: '2023-01-01' } });
    expect(iso.valid).toBe(true);
    const reversed = await csv(`${HEADER}\n${U1},2025-01-01,2024-12-31T23:59,\n`, { dateFormat: 'iso8601' });
    expect(only(reversed, 'InvalidDateRange').row).toBe(1);
    expect(() => resolveDefaults({ fiDataRangeFrom: '2023-01-01' })).toThrow(/--date-format iso8601/);
    expect(resolveDefaults({ fiDataRangeFrom: '2023-01-01' }, {}, 'iso8601')).toEqual({ fiDataRangeFrom: '2023-01-01' });
    await expect(csv(text, { dateFormat: 'iso' as never })).rejects.toMatchObject({ code: 'InvalidOption' });
  });

  it('the CLI: validate and prepare take --date-format iso8601; a bad choice is a usage error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bp-datefmt-'));
    try {
      const file = join(dir, 'iso.csv');
      await writeFile(file, `${HEADER}\n${U1},2024-01-01,,\n`);
      const rfc = await runCli(['validate', file]);
      expect(rfc.code).toBe(1);
      expect(rfc.stdout).toContain('--date-format iso8601');
      expect((await runCli(['validate', '--date-format', 'iso8601', '--from', '2023-01-01', file])).code).toBe(0);
      const bad = await runCli(['validate', '--date-format', 'iso', file]);
      expect(bad.code).toBe(2);
      const out = join(dir, 'out');
      const prep = await runCli(['prepare', file, '--out-dir', out, '--date-format', 'iso8601']);
      expect(prep.code).toBe(0);
      expect(await readFile(join(out, 'iso-0001.csv'), 'utf8')).toBe(`${HEADER}\n${U1},2024-01-01,,\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
