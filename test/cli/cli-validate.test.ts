/**
 * End-to-end tests of `batchprep validate` (SPEC section 4): real files in a temp dir and
 * stdin, every report kind, exit codes, defaults flags, help. Needs a build: `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, HEADER, U1, U2, U3, runCli, uuidFor } from '../helpers/validate.js';

let dir: string;
const f = (name: string) => join(dir, name);

const GOOD_CSV = `${HEADER}\n${U1},2024-01-01T00:00:00Z,2024-06-30T00:00:00Z,cfg\n${U2},,,\n`;
const BAD_CSV = `${HEADER}\n${U1},,,\nnot-a-uuid,,,\n${U3},2024-02-30T00:00:00Z,,\n`;
const DUP_CSV = `${HEADER}\n${U1},,,\n${U1},,,\n`;
const GOOD_JSON = JSON.stringify({ consents_list: [{ consentId: U1 }, { consent_id: U2, configId: 'x' }] });
const LATE_FROM_CSV = `${HEADER}\n${U1},2024-09-01T00:00:00Z,,\n`;

const FILE_KEYS = ['file', 'format', 'valid', 'bytes', 'rows', 'errorCount', 'warningCount', 'apiErrorCode', 'truncated', 'issues'];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
  dir = await mkdtemp(join(tmpdir(), 'bp-cli-validate-'));
  await writeFile(f('good.csv'), GOOD_CSV);
  await writeFile(f('bad.csv'), BAD_CSV);
  await writeFile(f('dup.csv'), DUP_CSV);
  await writeFile(f('good.json'), GOOD_JSON);
  await writeFile(f('late.csv'), LATE_FROM_CSV);
  await writeFile(f('report.pdf'), '%PDF-1.4\n');
  await writeFile(f('many.csv'), `${HEADER}\n${Array.from({ length: 25 }, (_, i) => `bad-${i},,,`).join('\n')}\n`);
  await writeFile(f('defaults.json'), JSON.stringify({ fiDataRangeTo: '2024-06-30T00:00:00Z', configId: 'from-file' }));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function parseJson(stdout: string): any {
  // exactly one JSON object on stdout, nothing else
  return JSON.parse(stdout);
}

describe('batchprep validate: exit codes and --report json', () => {
  it('a valid file exits 0 and prints one JSON object with the documented keys', async () => {
    const r = await runCli(['validate', '--report', 'json', f('good.csv')]);
    expect(r.code).toBe(0);
    const report = parseJson(r.stdout);
    expect(report.valid).toBe(true);
    expect(report.files).toHaveLength(1);
    const file = report.files[0];
    expect(Object.keys(file).sort()).toEqual([...FILE_KEYS].sort());
    expect(file).toMatchObject({
      file: f('good.csv'),
      format: 'csv',
      valid: true,
      bytes: Buffer.byteLength(GOOD_CSV),
      rows: 2,
      errorCount: 0,
      warningCount: 0,
      apiErrorCode: null,
      truncated: false,
      issues: [],
    });
  });

  it('an invalid file exits 1 and lists its issues with rows and lines', async () => {
    const r = await runCli(['validate', '--report', 'json', f('bad.csv')]);
    expect(r.code).toBe(1);
    const file = parseJson(r.stdout).files[0];
    expect(file.valid).toBe(false);
    expect(file.apiErrorCode).toBeNull(); // only row rules fail: no documented upload-time rejection
    expect(file.errorCount).toBe(2);
    expect(file.issues.map((i: any) => [i.code, i.row, i.line, i.field])).toEqual([
      ['InvalidConsentId', 2, 3, 'consentId'],
      ['InvalidDate', 3, 4, 'fiDataRangeFrom'],
    ]);
    for (const i of file.issues) {
      expect(i.severity).toBe('error');
      expect(typeof i.message).toBe('string');
    }
  });

  it('warnings alone exit 0', async () => {
    const r = await runCli(['validate', '--report', 'json', f('dup.csv')]);
    expect(r.code).toBe(0);
    const file = parseJson(r.stdout).files[0];
    expect(file.valid).toBe(true);
    expect(file.warningCount).toBe(1);
    expect(file.issues[0]).toMatchObject({ code: 'DuplicateConsentId', severity: 'warning', row: 2, line: 3 });
  });

  it('several files give one report with one entry each; one bad file makes exit 1', async () => {
    const r = await runCli(['validate', '--report', 'json', f('good.csv'), f('good.json'), f('bad.csv')]);
    expect(r.code).toBe(1);
    const report = parseJson(r.stdout);
    expect(report.valid).toBe(false);
    expect(report.files.map((x: any) => [x.file, x.format, x.valid])).toEqual([
      [f('good.csv'), 'csv', true],
      [f('good.json'), 'json', true],
      [f('bad.csv'), 'csv', false],
    ]);
  });

  it('an unsupported file type exits 1 with apiErrorCode UnsupportedFileType', async () => {
    const r = await runCli(['validate', '--report', 'json', f('report.pdf')]);
    expect(r.code).toBe(1);
    const file = parseJson(r.stdout).files[0];
    expect(file.apiErrorCode).toBe('UnsupportedFileType');
    expect(file.format).toBeNull();
  });

  it('a missing file exits 2 with a clear message and no stack trace', async () => {
    const missing = f('does-not-exist.csv');
    const r = await runCli(['validate', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toMatch(/no such file|not found|does not exist/i);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('a missing file among several still exits 2 and names it', async () => {
    const missing = f('gone.json');
    const r = await runCli(['validate', '--report', 'json', f('good.csv'), missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('a directory instead of a file exits 2', async () => {
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/directory/i);
  });

  it.each([
    [['--report', 'xml']],
    [['--format', 'yaml']],
    [['--no-such-flag']],
    [['--max-errors', 'lots']],
    [['--max-bytes', '-5']],
  ])('a bad flag %j exits 2', async (flags) => {
    const r = await runCli(['validate', ...flags, f('good.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('batchprep validate: stdin', () => {
  it('reads stdin when no file is given; file is "-"', async () => {
    const r = await runCli(['validate', '--report', 'json'], { stdin: GOOD_CSV });
    expect(r.code).toBe(0);
    const file = parseJson(r.stdout).files[0];
    expect(file).toMatchObject({ file: '-', format: 'csv', valid: true, rows: 2, bytes: Buffer.byteLength(GOOD_CSV) });
  });

  it('reads stdin for "-" and sniffs JSON', async () => {
    const r = await runCli(['validate', '--report', 'json', '-'], { stdin: GOOD_JSON });
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout).files[0]).toMatchObject({ file: '-', format: 'json', valid: true, rows: 2 });
  });

  it('rejects bad stdin with exit 1', async () => {
    const r = await runCli(['validate', '--report', 'json', '-'], { stdin: BAD_CSV });
    expect(r.code).toBe(1);
    expect(parseJson(r.stdout).files[0].errorCount).toBe(2);
  });

  it('empty stdin is EmptyFile, exit 1', async () => {
    const r = await runCli(['validate', '--report', 'json'], { stdin: '' });
    expect(r.code).toBe(1);
    expect(parseJson(r.stdout).files[0].issues.map((i: any) => i.code)).toEqual(['EmptyFile']);
  });

  it('--format forces the parser for stdin', async () => {
    const r = await runCli(['validate', '--report', 'json', '--format', 'json'], { stdin: GOOD_CSV });
    expect(r.code).toBe(1);
    const file = parseJson(r.stdout).files[0];
    expect(file.format).toBe('json');
    expect(file.issues.map((i: any) => i.code)).toContain('MalformedJson');
  });
});

describe('batchprep validate: report kinds', () => {
  it('text (the default) names the file, line and code; no JSON', async () => {
    const r = await runCli(['validate', f('bad.csv')]);
    expect(r.code).toBe(1);
    const all = r.stdout + r.stderr;
    expect(all).toContain(`${f('bad.csv')}:3`);
    expect(all).toContain('InvalidConsentId');
    expect(all).toContain('InvalidDate');
    expect(all).not.toMatch(/\u001b\[/); // NO_COLOR and not a TTY: no colour
  });

  it('ndjson: one issue per line, then one summary line', async () => {
    const r = await runCli(['validate', '--report', 'ndjson', f('bad.csv')]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines.slice(0, 2).map((l) => [l.code, l.line])).toEqual([
      ['InvalidConsentId', 3],
      ['InvalidDate', 4],
    ]);
    const summary = lines[2];
    expect(summary.valid).toBe(false);
    expect(summary.files[0]).toMatchObject({ file: f('bad.csv'), errorCount: 2, apiErrorCode: null });
  });

  it('github: ::error workflow commands with file and line', async () => {
    const r = await runCli(['validate', '--report', 'github', f('bad.csv'), f('dup.csv')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^::error file=${escapeRe(f('bad.csv'))},line=3[,:]`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^::error file=${escapeRe(f('bad.csv'))},line=4[,:]`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^::warning file=${escapeRe(f('dup.csv'))},line=3[,:]`, 'm'));
  });

  it('junit: an XML document with <testsuites>', async () => {
    const r = await runCli(['validate', '--report', 'junit', f('bad.csv'), f('good.csv')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml /);
    expect(r.stdout).toContain('<testsuites');
    expect(r.stdout).toContain('InvalidConsentId');
    expect(r.stdout).toContain('</testsuites>');
  });

  it('sarif: a SARIF 2.1.0 JSON document with one result per issue', async () => {
    const r = await runCli(['validate', '--report', 'sarif', f('bad.csv')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('"version": "2.1.0"');
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results;
    expect(results.map((x: any) => x.ruleId)).toEqual(['InvalidConsentId', 'InvalidDate']);
    expect(results[0].locations[0].physicalLocation.region.startLine).toBe(3);
  });

  it('a valid run still prints the report kind asked for (json on a clean file)', async () => {
    const r = await runCli(['validate', '--report', 'ndjson', f('good.csv')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].valid).toBe(true);
  });
});

describe('batchprep validate: options', () => {
  it('--strict turns warnings into errors (exit 1)', async () => {
    const r = await runCli(['validate', '--report', 'json', '--strict', f('dup.csv')]);
    expect(r.code).toBe(1);
    const file = parseJson(r.stdout).files[0];
    expect(file.issues[0]).toMatchObject({ code: 'DuplicateConsentId', severity: 'error' });
    expect(file.warningCount).toBe(0);
  });

  it('--no-duplicate-check skips the duplicate index', async () => {
    const r = await runCli(['validate', '--report', 'json', '--no-duplicate-check', '--strict', f('dup.csv')]);
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout).files[0].issues).toEqual([]);
  });

  it('--max-errors lists that many, counts all, sets truncated', async () => {
    const r = await runCli(['validate', '--report', 'json', '--max-errors', '5', f('many.csv')]);
    expect(r.code).toBe(1);
    const file = parseJson(r.stdout).files[0];
    expect(file.issues).toHaveLength(5);
    expect(file.errorCount).toBe(25);
    expect(file.truncated).toBe(true);
  });

  it('--max-bytes sets the cap: FileTooLarge, exit 1', async () => {
    const size = Buffer.byteLength(GOOD_CSV);
    const ok = await runCli(['validate', '--report', 'json', '--max-bytes', String(size), f('good.csv')]);
    expect(ok.code).toBe(0);
    const r = await runCli(['validate', '--report', 'json', '--max-bytes', String(size - 1), f('good.csv')]);
    expect(r.code).toBe(1);
    const file = parseJson(r.stdout).files[0];
    expect(file.apiErrorCode).toBe('FileTooLarge');
    expect(file.issues.map((i: any) => i.code)).toEqual(['FileTooLarge']);
  });

  it('--format csv forces CSV for a file with another extension', async () => {
    await writeFile(f('consents.txt'), GOOD_CSV);
    const r = await runCli(['validate', '--report', 'json', '--format', 'csv', f('consents.txt')]);
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout).files[0].format).toBe('csv');
  });
});

describe('batchprep validate: defaults flags', () => {
  it('--to makes a row whose from is later invalid (the effective row is checked)', async () => {
    expect((await runCli(['validate', f('late.csv')])).code).toBe(0);
    const r = await runCli(['validate', '--report', 'json', '--to', '2024-06-30T00:00:00Z', f('late.csv')]);
    expect(r.code).toBe(1);
    expect(parseJson(r.stdout).files[0].issues[0]).toMatchObject({ code: 'InvalidDateRange', row: 1, line: 2 });
  });

  it('--global-config JSON fills defaults', async () => {
    const r = await runCli(['validate', '--report', 'json', '--global-config', '{"fiDataRangeTo":"2024-06-30T00:00:00Z"}', f('late.csv')]);
    expect(r.code).toBe(1);
    expect(parseJson(r.stdout).files[0].issues[0].code).toBe('InvalidDateRange');
  });

  it('--global-config @file.json reads the file, and a single flag overrides its key', async () => {
    // defaults.json: to 2024-06-30 → late.csv's from 2024-09-01 is later
    const r = await runCli(['validate', '--report', 'json', '--global-config', `@${f('defaults.json')}`, f('late.csv')]);
    expect(r.code).toBe(1);
    expect(parseJson(r.stdout).files[0].issues.map((i: any) => [i.code, i.row])).toEqual([['InvalidDateRange', 1]]);
    const over = await runCli(['validate', '--global-config', `@${f('defaults.json')}`, '--to', '2024-12-31T00:00:00Z', f('late.csv')]);
    expect(over.code).toBe(0);
  });

  it('a single flag overrides the same key of --global-config', async () => {
    const r = await runCli([
      'validate',
      '--report',
      'json',
      '--global-config',
      '{"fiDataRangeTo":"2024-06-30T00:00:00Z"}',
      '--to',
      '2024-12-31T00:00:00Z',
      f('late.csv'),
    ]);
    expect(r.code).toBe(0);
  });

  it('--config-id with a control character is a bad default: exit 2', async () => {
    const r = await runCli(['validate', '--config-id', 'a\tb', f('good.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidDefaults/);
  });

  it.each([
    [['--from', '2024-02-30T00:00:00Z']],
    [['--to', 'yesterday']],
    [['--global-config', '{not json']],
    [['--global-config', '{"fiDataRangeFrom":"2024-01-01"}']],
    [['--global-config', '@/nonexistent/defaults.json']],
  ])('a bad default %j exits 2 with a message and no stack', async (flags) => {
    const r = await runCli(['validate', ...flags, f('good.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^batchprep: \w+: .{10,}/m);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('batchprep validate: interruption', () => {
  it('Ctrl-C while stdin is silent exits 130 and prints no report', async () => {
    const child = spawn(process.execPath, [BIN, 'validate', '--report', 'json'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Readiness, not a sleep: write more than a pipe holds (64 KiB) and wait for 'drain', which
    // fires only once the CLI has read most of it, so it runs (its SIGINT handler is installed
    // before it reads) and stdin is now open and silent.
    const rows = Array.from({ length: 60_000 }, (_, i) => `${uuidFor(i)},,,`).join('\n');
    const flushed = child.stdin.write(`${HEADER}\n${rows}\n`);
    expect(flushed).toBe(false);
    await new Promise<void>((resolve) => child.stdin.once('drain', resolve));
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    expect(code).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/interrupt/i);
  });
});

describe('batchprep validate --help', () => {
  it('mentions every option', async () => {
    const r = await runCli(['validate', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout;
    for (const opt of ['--format', '--report', '--max-bytes', '--max-errors', '--strict', '--global-config', '--from', '--to', '--config-id']) {
      expect(help).toContain(opt);
    }
    expect(help).toMatch(/--(no-)?duplicate-check/);
    for (const kind of ['text', 'json', 'ndjson', 'github', 'junit', 'sarif', 'auto', 'csv']) expect(help).toContain(kind);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
