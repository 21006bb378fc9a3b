import { describe, expect, it } from 'vitest';
import { U1, U2, U3, codes, issuesOf, json, jsonValue, only } from '../../helpers/validate.js';

describe('JSON shapes', () => {
  it('accepts a top-level array of objects', async () => {
    const report = await jsonValue([{ consentId: U1 }, { consent_id: U2, configId: 'x' }]);
    expect(report.issues).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.rows).toBe(2);
    expect(report.format).toBe('json');
  });

  it('accepts {"consents_list": [...]} and numbers rows by array index', async () => {
    const report = await jsonValue({ consents_list: [{ consentId: U1 }, { consentId: 'nope' }, { consentId: U3 }] });
    expect(report.rows).toBe(3);
    expect(only(report, 'InvalidConsentId').row).toBe(2);
  });

  it.each([
    ['a string', '"hello"'],
    ['a number', '42'],
    ['true', 'true'],
    ['null', 'null'],
    ['an object without consents_list', `{"consents": [{"consentId": "${U1}"}]}`],
    ['consents_list as an object', `{"consents_list": {"consentId": "${U1}"}}`],
    ['consents_list as a string', '{"consents_list": "x"}'],
    ['consents_list as null', '{"consents_list": null}'],
    ['an empty object', '{}'],
  ])('rejects %s at the top level as MalformedJson', async (_name, text) => {
    const report = await json(text);
    const issue = only(report, 'MalformedJson');
    expect(issue.severity).toBe('error');
    expect(issue.row).toBeUndefined();
    expect(report.valid).toBe(false);
    expect(report.apiErrorCode).toBe('InvalidFileContent');
  });

  it.each([
    ['a string', 'x'],
    ['a number', 5],
    ['an array', [U1]],
    ['a boolean', true],
  ])('reports an element that is %s as InvalidFieldType on its row', async (_name, element) => {
    const report = await jsonValue([{ consentId: U1 }, element, { consentId: U2 }]);
    const issue = only(report, 'InvalidFieldType');
    expect(issue.row).toBe(2);
    expect(issue.severity).toBe('error');
    expect(report.rows).toBe(3);
  });

  it('an empty object row is a row without a consentId', async () => {
    const report = await jsonValue([{ consentId: U1 }, {}]);
    expect(only(report, 'MissingConsentId').row).toBe(2);
  });

  it('whitespace and key order do not matter; consents_list may come after other keys', async () => {
    const text = `\n\n  { "note" : "x" ,\n "consents_list" : [ { "configId" : "a" , "consentId" : "${U1}" } ] }  \n\n`;
    const report = await json(text);
    expect(codes(report)).toEqual(['UnknownField']);
    expect(report.valid).toBe(true);
  });

  it('keeps going through many rows', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ consentId: i === 377 ? 'bad' : U1.replace(/.{4}$/, i.toString(16).padStart(4, '0')) }));
    const report = await jsonValue(rows);
    expect(report.rows).toBe(500);
    expect(issuesOf(report, 'InvalidConsentId').map((i) => i.row)).toEqual([378]);
  });
});
