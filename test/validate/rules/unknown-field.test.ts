import { describe, expect, it } from 'vitest';
import { HEADER, U1, U2, U3, codes, csv, issuesOf, jsonValue, only } from '../../helpers/validate.js';

describe('UnknownField', () => {
  it('warns once for an extra CSV column, at the header (no row); the file stays valid', async () => {
    const report = await csv(`${HEADER},note\n${U1},,,,a\n${U2},,,,b\n${U3},,,,c\n`);
    const issue = only(report, 'UnknownField');
    expect(issue.severity).toBe('warning');
    expect(issue.field).toBe('note');
    expect(issue.row).toBeUndefined();
    expect(issue.message).toContain('note');
    expect(report.valid).toBe(true);
    expect(report.warningCount).toBe(1);
    expect(report.apiErrorCode).toBeNull();
  });

  it('warns about every extra CSV column', async () => {
    const report = await csv(`a,consentId,b\n1,${U1},2\n`);
    expect(issuesOf(report, 'UnknownField').map((i) => i.field).sort()).toEqual(['a', 'b']);
    expect(report.valid).toBe(true);
  });

  it('warns for an unknown key in a JSON row, with its row', async () => {
    const report = await jsonValue([{ consentId: U1 }, { consentId: U2, note: 'x' }]);
    const found = issuesOf(report, 'UnknownField');
    expect(found.length).toBeGreaterThanOrEqual(1);
    for (const issue of found) {
      expect(issue.severity).toBe('warning');
      expect(issue.field).toBe('note');
    }
    expect(found[0]!.row).toBe(2);
    expect(report.valid).toBe(true);
  });

  it('warns about other top-level keys beside consents_list', async () => {
    const report = await jsonValue({ meta: { by: 'etl' }, consents_list: [{ consentId: U1 }], version: 2 });
    const fields = issuesOf(report, 'UnknownField').map((i) => i.field).sort();
    expect(fields).toEqual(['meta', 'version']);
    for (const issue of issuesOf(report, 'UnknownField')) {
      expect(issue.severity).toBe('warning');
      expect(issue.row).toBeUndefined();
    }
    expect(report.valid).toBe(true);
    expect(report.rows).toBe(1);
  });

  it('a misspelt JSON key is unknown (and the row has no consentId)', async () => {
    const report = await jsonValue([{ consentID: U1 }]);
    expect(codes(report)).toContain('UnknownField');
    expect(codes(report)).toContain('MissingConsentId');
  });

  it('does not type-check unknown keys', async () => {
    const report = await jsonValue([{ consentId: U1, extra: 5, more: { a: 1 } }]);
    expect(codes(report)).not.toContain('InvalidFieldType');
    expect(report.valid).toBe(true);
  });
});
