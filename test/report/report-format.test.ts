import { describe, expect, it } from 'vitest';
import { formatReport, REPORT_KINDS, type ReportKind } from '../../src/index.js';
import { mixedReport } from './report-fixtures.js';

describe('formatReport', () => {
  it('offers the six --report kinds, text first', () => {
    expect(REPORT_KINDS).toEqual(['text', 'json', 'ndjson', 'github', 'junit', 'sarif']);
  });

  it('renders every kind as text ending with one newline, the same each time', () => {
    for (const kind of REPORT_KINDS) {
      const out = formatReport(mixedReport, kind);
      expect(out.endsWith('\n') && !out.endsWith('\n\n')).toBe(true);
      expect(formatReport(mixedReport, kind)).toBe(out);
    }
  });

  it('colours only the text report', () => {
    for (const kind of REPORT_KINDS) {
      const coloured = formatReport(mixedReport, kind, { color: true });
      if (kind === 'text') expect(coloured).toContain('\u001b[');
      else expect(coloured).toBe(formatReport(mixedReport, kind));
    }
  });

  it('refuses an unknown kind with a coded error', () => {
    expect(() => formatReport(mixedReport, 'xml' as ReportKind)).toThrow(
      expect.objectContaining({ code: 'InvalidOption', message: expect.stringContaining('use one of text, json') }),
    );
  });
});
