import { describe, expect, it } from 'vitest';
import { U1, U2, codes, json, only } from '../../helpers/validate.js';

describe('MalformedJson (syntax)', () => {
  it('reports a syntax error with its line', async () => {
    const text = `[\n  {"consentId": "${U1}"},\n  {"consentId": }\n]\n`;
    const report = await json(text);
    const issue = only(report, 'MalformedJson');
    expect(issue.severity).toBe('error');
    expect(issue.line).toBe(3);
    expect(issue.row).toBeUndefined();
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it.each([
    ['a trailing comma', `[{"consentId": "${U1}"},]`],
    ['a missing closing bracket', `[{"consentId": "${U1}"}`],
    ['a missing closing brace', `[{"consentId": "${U1}"]`],
    ['single quotes', `[{'consentId': '${U1}'}]`],
    ['an unquoted key', `[{consentId: "${U1}"}]`],
    ['a comment', `[/* c */ {"consentId": "${U1}"}]`],
    ['trailing garbage', `[{"consentId": "${U1}"}] x`],
    ['two top-level values', `[{"consentId": "${U1}"}] [{"consentId": "${U2}"}]`],
    ['a raw newline in a string', `[{"consentId": "${U1}", "configId": "a\nb"}]`],
    ['an unterminated string', `[{"consentId": "${U1}`],
    ['a bad escape', `[{"consentId": "${U1}", "configId": "\\x41"}]`],
    ['NaN', `[{"consentId": "${U1}", "configId": NaN}]`],
  ])('reports %s', async (_name, text) => {
    const report = await json(text);
    expect(codes(report)).toContain('MalformedJson');
    expect(report.valid).toBe(false);
  });

  it('a syntax error stops validation; rows before it are still checked', async () => {
    const text = `[\n{"consentId": "bad-1"},\n{"consentId": "${U1}",,},\n{"consentId": "bad-2"}\n]`;
    const report = await json(text);
    expect(only(report, 'MalformedJson').line).toBe(3);
    const bad = report.issues.filter((i) => i.code === 'InvalidConsentId');
    expect(bad.map((i) => i.row)).toEqual([1]);
  });

  it('the message says where (line) and what to do', async () => {
    const report = await json(`[\n\n{"consentId" "${U1}"}]`);
    const issue = only(report, 'MalformedJson');
    expect(issue.line).toBe(3);
    expect(issue.message.length).toBeGreaterThan(10);
  });

  it('a duplicate top-level "consents_list" is MalformedJson naming the key and both lines', async () => {
    const text = `{\n  "consents_list": [{"consentId": "${U1}"}],\n  "other": 1,\n  "consents_list": [{"consentId": "${U2}"}]\n}\n`;
    const report = await json(text);
    const issue = only(report, 'MalformedJson');
    expect(issue.line).toBe(4);
    expect(issue.message).toContain('"consents_list"');
    expect(issue.message).toMatch(/lines 2 and 4/);
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });
});
