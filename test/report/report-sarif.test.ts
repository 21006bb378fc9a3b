import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IssueCode, type Issue, type ValidationReport } from '../../src/core/issues.js';
import { formatReport } from '../../src/index.js';
import { RULE_DESCRIPTIONS } from '../../src/report/rule-descriptions.js';
import { artifactUri } from '../../src/report/sarif.js';
import { VERSION } from '../../src/version.js';
import { anyText, arbitraryIssue, badFile, emptyReport, mixedReport } from './report-fixtures.js';

/**
 * The properties SARIF 2.1.0 requires of what we write (sarifLog: version, runs; run: tool;
 * tool: driver; toolComponent: name; result: message; message: text or id; invocation:
 * executionSuccessful; notification: message), plus the links between results and rules.
 */
function checkSarif(log: any): void {
  expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
  expect(log.version).toBe('2.1.0');
  expect(Array.isArray(log.runs)).toBe(true);
  for (const run of log.runs) {
    expect(typeof run.tool.driver.name).toBe('string');
    const rules: any[] = run.tool.driver.rules;
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length); // rule ids are unique
    for (const rule of rules) expect(typeof rule.shortDescription.text).toBe('string');
    for (const inv of run.invocations ?? []) {
      expect(typeof inv.executionSuccessful).toBe('boolean');
      for (const n of inv.toolExecutionNotifications ?? []) expect(typeof n.message.text).toBe('string');
    }
    for (const result of run.results) {
      expect(typeof result.message.text).toBe('string');
      expect(ids).toContain(result.ruleId);
      expect(rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['error', 'warning']).toContain(result.level);
      for (const loc of result.locations) {
        expect(typeof loc.physicalLocation.artifactLocation.uri).toBe('string');
        const region = loc.physicalLocation.region;
        if (region !== undefined) expect(region.startLine >= 1 || region.byteOffset >= 0).toBe(true);
      }
    }
  }
}

describe('sarif report', () => {
  it('is a SARIF 2.1.0 log with one run, the tool and a rule per code used', () => {
    const log = JSON.parse(formatReport(mixedReport, 'sarif'));
    checkSarif(log);
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'batchprep', version: VERSION, informationUri: expect.stringMatching(/^https:\/\//) });
    expect(driver.rules.map((r: any) => r.id)).toEqual([
      'UnknownField',
      'InvalidDate',
      'InvalidConfigId',
      'BomInJson',
      'InvalidEncoding',
      'InvalidConsentId',
      'MissingConsentId',
      'UnsupportedFileType',
    ]);
    expect(driver.rules[1].shortDescription.text).toBe(RULE_DESCRIPTIONS.InvalidDate);
  });

  it('writes a result per issue with level, message, file and line', () => {
    const results = JSON.parse(formatReport(mixedReport, 'sarif')).runs[0].results;
    expect(results).toHaveLength(mixedReport.files.reduce((n, f) => n + f.issues.length, 0));
    expect(results[2]).toEqual({
      ruleId: 'InvalidConfigId',
      ruleIndex: 2,
      level: 'error',
      message: { text: badFile.issues[2]!.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'data/bad%20file.csv' }, region: { startLine: 3 } } }],
      properties: { row: 2, field: 'configId', value: badFile.issues[2]!.value },
    });
    expect(results[0].level).toBe('warning');
    // stdin, located by byte offset when there is no line
    expect(results[4].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'stdin' }, region: { byteOffset: 17 } });
    expect(results[3].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'stdin' } });
  });

  it('takes the tool version from the options', () => {
    const log = JSON.parse(formatReport(mixedReport, 'sarif', { toolVersion: '9.9.9' }));
    expect(log.runs[0].tool.driver.version).toBe('9.9.9');
  });

  it('notes a truncated issue list', () => {
    const inv = JSON.parse(formatReport(mixedReport, 'sarif')).runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(true);
    expect(inv.toolExecutionNotifications).toEqual([
      {
        level: 'note',
        message: { text: '1501 more issues not listed (raise --max-errors)' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'big.csv' } } }],
      },
    ]);
  });

  it('writes an empty run with no rules and no results', () => {
    const log = JSON.parse(formatReport(emptyReport, 'sarif'));
    checkSarif(log);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].tool.driver.rules).toEqual([]);
  });

  it('turns file names into artifact URIs', () => {
    expect(artifactUri('-')).toBe('stdin');
    expect(artifactUri('a.csv')).toBe('a.csv');
    expect(artifactUri('./in/my file#1?.csv')).toBe('in/my%20file%231%3F.csv');
    expect(artifactUri('in\\x.csv')).toBe('in/x.csv');
    expect(artifactUri('/tmp/a b.csv')).toBe('file:///tmp/a%20b.csv');
    expect(artifactUri('C:\\data\\a.csv')).toBe('file:///C:/data/a.csv');
    expect(artifactUri('//server/share/a.csv')).toBe('file://server/share/a.csv');
    expect(artifactUri('a,b@c=d&e.csv')).toBe('a,b@c=d&e.csv');
    expect(artifactUri('x\ud800.csv')).toBe('x%EF%BF%BD.csv');
  });

  it('describes every issue code', () => {
    for (const code of Object.values(IssueCode)) expect(RULE_DESCRIPTIONS[code].length).toBeGreaterThan(10);
  });

  it('keeps its structure for any file names and issue texts (property)', () => {
    fc.assert(
      fc.property(anyText, fc.array(arbitraryIssue, { maxLength: 6 }), (file, issues: Issue[]) => {
        const report: ValidationReport = { valid: false, files: [{ ...badFile, file, issues }] };
        const log = JSON.parse(formatReport(report, 'sarif'));
        checkSarif(log);
        expect(log.runs[0].results.map((r: any) => r.message.text)).toEqual(issues.map((i) => i.message));
      }),
    );
  });
});
