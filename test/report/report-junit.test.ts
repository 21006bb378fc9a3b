import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Issue, ValidationReport } from '../../src/core/issues.js';
import { formatReport } from '../../src/index.js';
import { xmlEscape } from '../../src/report/junit.js';
import { anyText, arbitraryIssue, badFile, emptyReport, mixedReport, validReport } from './report-fixtures.js';

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

// Characters XML 1.0 allows (the Char production).
const XML_CHAR = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes entity and character references, failing on anything undeclared. */
function decode(s: string): string {
  return s.replace(/&([^;]*);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare & in ${JSON.stringify(s)}`);
    if (ref in ENTITIES) return ENTITIES[ref]!;
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ref);
    if (!num) throw new Error(`unknown entity &${ref};`);
    return String.fromCodePoint(num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : Number(num[1]));
  });
}

/**
 * A tiny, strict XML reader: enough to prove the output is well-formed (legal characters,
 * one root, balanced tags, quoted attributes, no raw `<` or `&` in text or attributes).
 */
function parseXml(xml: string): Element {
  if (!XML_CHAR.test(xml)) throw new Error('a character XML 1.0 does not allow');
  let rest = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const root: Element = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const text = lt === -1 ? rest : rest.slice(0, lt);
    if (text.includes('>') && text.includes(']]>')) throw new Error(']]> in text');
    stack.at(-1)!.text += decode(text);
    if (lt === -1) break;
    rest = rest.slice(lt);
    const close = /^<\/([A-Za-z][\w-]*)\s*>/.exec(rest);
    if (close) {
      const open = stack.pop()!;
      if (open.name !== close[1]) throw new Error(`</${close[1]}> closes <${open.name}>`);
      rest = rest.slice(close[0].length);
      continue;
    }
    const tag = /^<([A-Za-z][\w-]*)((?:\s+[A-Za-z][\w-]*="[^"<]*")*)\s*(\/?)>/.exec(rest);
    if (!tag) throw new Error(`bad markup at ${JSON.stringify(rest.slice(0, 40))}`);
    const el: Element = { name: tag[1]!, attrs: {}, children: [], text: '' };
    for (const a of tag[2]!.matchAll(/([A-Za-z][\w-]*)="([^"]*)"/g)) {
      if (a[1]! in el.attrs) throw new Error(`duplicate attribute ${a[1]}`);
      el.attrs[a[1]!] = decode(a[2]!);
    }
    stack.at(-1)!.children.push(el);
    if (tag[3] !== '/') stack.push(el);
    rest = rest.slice(tag[0].length);
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is not closed`);
  if (root.children.length !== 1 || root.text.trim() !== '') throw new Error('not exactly one root element');
  return root.children[0]!;
}

const child = (el: Element, name: string) => el.children.filter((c) => c.name === name);

describe('junit report', () => {
  it('has a checker that rejects what is not well-formed', () => {
    expect(() => parseXml('<a>x & y</a>')).toThrow(/bare &/);
    expect(() => parseXml('<a><b></a>')).toThrow(/closes/);
    expect(() => parseXml('<a x="1"/>\u0001')).toThrow(/does not allow/);
    expect(() => parseXml('<a x="<"/>')).toThrow(/bad markup/);
    expect(() => parseXml('<a/><b/>')).toThrow(/root/);
    expect(parseXml('<a x="&lt;&#10;">t&amp;</a>')).toEqual({ name: 'a', attrs: { x: '<\n' }, children: [], text: 't&' });
  });

  it('writes one testsuite per file with counts that add up', () => {
    const doc = parseXml(formatReport(mixedReport, 'junit'));
    expect(doc.name).toBe('testsuites');
    expect(doc.attrs).toMatchObject({ name: 'batchprep validate', tests: '5', failures: '4', errors: '0' });
    const suites = child(doc, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['good.csv', 'data/bad file.csv', '<stdin>', 'big.csv', 'scan.pdf']);
    expect(suites.map((s) => s.attrs.failures)).toEqual(['0', '1', '1', '1', '1']);
    for (const s of suites) {
      const cases = child(s, 'testcase');
      expect(cases).toHaveLength(1);
      expect(cases[0]!.attrs).toEqual({ classname: s.attrs.name, name: 'FinPro upload rules' });
      expect(child(cases[0]!, 'failure')).toHaveLength(s.attrs.failures === '1' ? 1 : 0);
    }
  });

  it('gives a valid file a passing test case and its properties', () => {
    const suite = child(parseXml(formatReport(validReport, 'junit')), 'testsuite')[0]!;
    const props = Object.fromEntries(child(child(suite, 'properties')[0]!, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).toEqual({ format: 'csv', bytes: '180', rows: '2', errorCount: '0', warningCount: '0', truncated: 'false' });
    expect(child(suite, 'testcase')[0]!.children).toEqual([]);
  });

  it('lists every error in one failure and the warnings in system-out, escaped', () => {
    const xml = formatReport(mixedReport, 'junit');
    expect(xml).toContain('&lt;&amp;&gt;');
    const bad = child(parseXml(xml), 'testsuite')[1]!;
    const testcase = child(bad, 'testcase')[0]!;
    const failure = child(testcase, 'failure')[0]!;
    expect(failure.attrs).toEqual({ type: 'InvalidDate', message: '2 errors, 1 warning; the server would answer InvalidFileContent' });
    expect(failure.text).toMatchInlineSnapshot(`
      "error InvalidDate (line 2, row 1, fiDataRangeTo): fiDataRangeTo: 2024-02-30 is not a calendar date (February 2024 has 29 days)
      error InvalidConfigId (line 3, row 2, configId): configId: "a \\"quoted\\"\\nline 100% <&> x,y:z" has a control character; remove it

      InvalidDate: A date is not an RFC 3339 date-time with an offset, or not a calendar date.
      InvalidConfigId: A configId contains control characters."
    `);
    expect(child(testcase, 'system-out')[0]!.text).toBe(
      'warning UnknownField (line 1, extra): column "extra" is not used by the API and will be ignored',
    );
  });

  it('says how many issues a truncated file did not list, and uses the server code when no error is listed', () => {
    const suites = child(parseXml(formatReport(mixedReport, 'junit')), 'testsuite');
    expect(child(child(suites[3]!, 'testcase')[0]!, 'failure')[0]!.text).toContain('… and 1501 more issues not listed (raise --max-errors)');
    const none: ValidationReport = { valid: false, files: [{ ...badFile, issues: [], truncated: true }] };
    const failure = child(child(child(parseXml(formatReport(none, 'junit')), 'testsuite')[0]!, 'testcase')[0]!, 'failure')[0]!;
    expect(failure.attrs.type).toBe('InvalidFileContent');
  });

  it('replaces characters XML 1.0 forbids and keeps CR, tab and newline in attributes', () => {
    expect(xmlEscape('a\u0000b\u001bc\ufffe\ud800')).toBe('a\\u0000b\\u001bc\\ufffe\\ud800');
    expect(xmlEscape('\ud83d\ude00')).toBe('\ud83d\ude00'); // a well-formed pair is kept
    expect(xmlEscape('x\r\n\ty"\'', true)).toBe('x&#13;&#10;&#9;y&quot;&apos;');
    const report: ValidationReport = { valid: false, files: [{ ...badFile, file: 'we\u0001ird"<name>\r.csv' }] };
    const xml = formatReport(report, 'junit');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(child(parseXml(xml), 'testsuite')[0]!.attrs.name).toBe('we\\u0001ird"<name>\r.csv');
  });

  it('writes an empty run as an empty testsuites element', () => {
    const doc = parseXml(formatReport(emptyReport, 'junit'));
    expect(doc.attrs.tests).toBe('0');
    expect(doc.children).toEqual([]);
  });

  it('is well-formed for any file names and issue texts (property)', () => {
    fc.assert(
      fc.property(anyText, fc.array(arbitraryIssue, { maxLength: 6 }), (file, issues: Issue[]) => {
        const errors = issues.filter((i) => i.severity === 'error').length;
        const report: ValidationReport = {
          valid: errors === 0,
          files: [{ ...badFile, file, issues, errorCount: errors, warningCount: issues.length - errors, valid: errors === 0 }],
        };
        const suite = child(parseXml(formatReport(report, 'junit')), 'testsuite')[0]!;
        const testcase = child(suite, 'testcase')[0]!;
        expect(child(testcase, 'failure')).toHaveLength(errors > 0 ? 1 : 0);
      }),
    );
  });
});
