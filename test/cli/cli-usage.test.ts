/**
 * Issue 8 point 1 (and 10, 11): a wrong command line does nothing. For every command and
 * subcommand a typo, a bad number, a bad choice, a missing positional or option and
 * conflicting flags exit 2 with one `UsageError` line naming the flag, and the test servers
 * see no request and the output directories stay absent. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFinProServer, type FinProServer } from '../servers/finpro-server.js';
import { finproEnv, GOOD_CSV, runCli as runFinpro } from '../submit/finpro/finpro-helpers.js';
import { runCli as runFilex, startStack, type Stack } from '../submit/filex/filex-helpers.js';
import { BIN, runCli } from '../helpers/validate.js';

let dir: string;
let finpro: FinProServer;
let stack: Stack;
const f = (name: string) => join(dir, name);

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
  dir = await mkdtemp(join(tmpdir(), 'bp-cli-usage-'));
  await writeFile(f('good.csv'), GOOD_CSV);
  await writeFile(f('report.zip'), 'PK not really a zip, fileX does not care');
  finpro = await startFinProServer();
  stack = await startStack();
  await stack.fx.seedFile('out', 'feedback.txt', Buffer.from('feedback'));
}, 60_000);

afterAll(async () => {
  await finpro?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One coded usage line naming `flag` (and nothing on stdout). */
function expectUsage(r: { code: number | null; stdout: string; stderr: string }, flag: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^batchprep: UsageError: /);
  expect(lines[0]).toMatch(flag);
}

describe('local commands: nothing read or written on a usage error', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['validate typo', ['validate', 'good.csv', '--max-erors', '5'], /--max-erors \(did you mean --max-errors\?\)/],
    ['validate bad number', ['validate', 'good.csv', '--max-errors', 'abc'], /--max-errors "abc"/],
    ['validate bad size', ['validate', 'good.csv', '--max-bytes', '10XB'], /--max-bytes "10XB"/],
    ['validate bad choice', ['validate', 'good.csv', '--format', 'xml'], /--format "xml": expected one of auto, csv, json/],
    ['validate flag without its value', ['validate', 'good.csv', '--format'], /--format needs a value/],
    ['prepare --out-dir without its value', ['prepare', 'good.csv', '--out-dir', '--dedupe'], /--out-dir needs a value/],
    ['validate bad report', ['validate', 'good.csv', '--report', 'pdf'], /--report "pdf"/],
    ['validate two reports on stdout', ['validate', 'good.csv', '--report', 'json', '--report', 'sarif'], /json and sarif would both go to stdout/],
    ['prepare typo', ['prepare', 'good.csv', '--out-dir', 'out', '--dedup'], /--dedup \(did you mean --dedupe\?\)/],
    ['prepare no --out-dir', ['prepare', 'good.csv'], /missing required option --out-dir/],
    ['prepare conflicting formats', ['prepare', 'good.csv', '--out-dir', 'out', '--to', 'json', '--output-format', 'csv'], /--to json and --output-format csv/],
    ['prepare bad number', ['prepare', 'good.csv', '--out-dir', 'out', '--max-errors', 'abc'], /--max-errors "abc"/],
    ['prepare bad rows', ['prepare', 'good.csv', '--out-dir', 'out', '--max-rows', '0'], /--max-rows "0"/],
    ['prepare bad size', ['prepare', 'good.csv', '--out-dir', 'out', '--max-bytes', 'lots'], /--max-bytes "lots"/],
    ['pack typo', ['pack', 'good.csv', '--out-dir', 'out', '--levle', '9'], /--levle \(did you mean --level\?\)/],
    ['pack no input', ['pack', '--out-dir', 'out'], /missing <inputs..>/],
    ['pack bad level', ['pack', 'good.csv', '--out-dir', 'out', '--level', 'x'], /--level "x"/],
    ['pack bad size', ['pack', 'good.csv', '--out-dir', 'out', '--max-bytes', '1.5XB'], /--max-bytes/],
    ['schema typo', ['schema', '--out-dri', 'out'], /--out-dri \(did you mean --out-dir\?\)/],
    ['quiet and progress', ['validate', 'good.csv', '--quiet', '--progress'], /--quiet and --progress cannot be used together/],
  ];
  for (const [name, args, flag] of cases) {
    it(`${name}: exit 2, one line, no output directory`, async () => {
      const r = await runCli(args, { cwd: dir });
      expectUsage(r, flag);
      expect(existsSync(f('out'))).toBe(false);
    });
  }
});

describe('finpro submit: nothing sent on a usage error', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['typo', ['--retires', '2'], /--retires \(did you mean --retries\?\)/],
    ['bad number', ['--retries', 'abc'], /--retries "abc"/],
    ['bad timeout', ['--timeout', 'soon'], /--timeout "soon"/],
    ['unknown flag', ['--dry-run'], /--dry-run/],
  ];
  for (const [name, extra, flag] of cases) {
    it(`${name}: exit 2 and FinPro saw no request`, async () => {
      const before = finpro.received.length;
      const r = await runFinpro(['finpro', 'submit', f('good.csv'), ...extra], finproEnv(finpro.url));
      expectUsage(r, flag);
      expect(finpro.received.length).toBe(before);
      expect(finpro.batches.size).toBe(0);
    });
  }
  it('no subcommand: exit 2, nothing sent', async () => {
    const r = await runFinpro(['finpro'], finproEnv(finpro.url));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UsageError: .*submit/);
    expect(finpro.received).toHaveLength(0);
  });
});

describe('filex: nothing sent on a usage error', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['ls typo', ['ls', '0001/app1/out', '--jsno'], /--jsno \(did you mean --json\?\)/],
    ['ls bad choice', ['ls', '0001/app1/out', '--via', 'ftp'], /--via "ftp": expected one of rest, s3, sftp/],
    ['download -o without its value', ['download', '0001/app1/out/feedback.txt', '-o'], /-o needs a value/],
    ['ls bad number', ['ls', '0001/app1/out', '--retries', 'many'], /--retries "many"/],
    ['upload typo', ['upload', 'report.zip', '0001/app1/in', '--nmae', 'y.zip'], /--nmae \(did you mean --name\?\)/],
    ['upload missing target', ['upload', 'report.zip'], /missing <target>/],
    ['upload bad part size', ['upload', 'report.zip', '0001/app1/in', '--via', 's3', '--part-size', '8XB'], /--part-size "8XB"/],
    ['upload bad concurrency', ['upload', 'report.zip', '0001/app1/in', '--concurrency', 'x'], /--concurrency "x"/],
    ['download typo', ['download', '0001/app1/out/feedback.txt', '-o', 'dl/', '--forse'], /--forse/],
    ['download bad number', ['download', '0001/app1/out/feedback.txt', '-o', 'dl/', '--retry-max-time', 'x'], /--retry-max-time "x"/],
    ['track typo', ['track', 'd3caf6d8-34a4-4b83-9b63-b20dc0552861', '--wiat'], /--wiat \(did you mean --wait\?\)/],
    ['track bad interval', ['track', 'd3caf6d8-34a4-4b83-9b63-b20dc0552861', '--wait', '--interval', 'soon'], /--interval "soon"/],
    ['no subcommand', [], /ls, upload, download or track/],
  ];
  for (const [name, args, flag] of cases) {
    it(`${name}: exit 2, fileX and its token endpoint saw nothing, nothing written`, async () => {
      const tokens = stack.fx.stats.tokenRequests;
      const requests = stack.fx.stats.requests.length;
      const r = await runFilex(['filex', ...args], stack.env, { cwd: dir });
      expectUsage(r, flag);
      expect(stack.fx.stats.tokenRequests).toBe(tokens);
      expect(stack.fx.stats.requests.length).toBe(requests);
      expect(existsSync(f('dl'))).toBe(false);
      expect(await readdir(dir)).toEqual(expect.not.arrayContaining(['y.zip', 'feedback.txt']));
    });
  }
});

describe('point 2: filex upload checks the local file before asking fileX for anything', () => {
  for (const file of ['missing.zip', '.']) {
    it(`upload ${file}: exit 2, coded, no request`, async () => {
      const tokens = stack.fx.stats.tokenRequests;
      const requests = stack.fx.stats.requests.length;
      const r = await runFilex(['filex', 'upload', file, '0001/app1/in', '--name', 'x.zip'], stack.env, { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^batchprep: (FileNotFound|IoError|UsageError): /m);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(stack.fx.stats.tokenRequests).toBe(tokens);
      expect(stack.fx.stats.requests.length).toBe(requests);
    });
  }
});

describe('exit codes in every mode (point 10)', () => {
  it('filex track of a REJECTED or PARTIALLY_REJECTED submission exits 1 with or without --wait; ACCEPTED exits 0', async () => {
    const up = await runFilex(['filex', 'upload', f('report.zip'), '0001/app1/in', '--json'], stack.env);
    expect(up.code, up.stderr).toBe(0);
    const id = JSON.parse(up.stdout).trackingId as string;
    for (const status of ['REJECTED', 'PARTIALLY_REJECTED'] as const) {
      stack.fx.setDownstream(id, status);
      const once = await runFilex(['filex', 'track', id], stack.env);
      expect(once.code, once.stderr).toBe(1);
      expect(once.stdout).toBe(`${status}\n`);
      expect(once.stderr).toMatch(new RegExp(`Rejected: .* ${status} by FINRA`));
      const waited = await runFilex(['filex', 'track', id, '--wait', '--interval', '0.1'], stack.env);
      expect(waited.code, waited.stderr).toBe(1);
    }
    stack.fx.setDownstream(id, 'ACCEPTED');
    expect((await runFilex(['filex', 'track', id], stack.env)).code).toBe(0);
  });
});

describe('point 8: progress and --quiet for uploads', () => {
  it('filex upload --progress draws percent of the known size off a terminal; --quiet prints no summary line', async () => {
    const r = await runFilex(['filex', 'upload', f('report.zip'), '0001/app1/in', '--name', 'progress.zip', '--progress'], stack.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^upload progress\.zip \[[#-]+\] \d+% /m);
    const q = await runFilex(['filex', 'upload', f('report.zip'), '0001/app1/in', '--name', 'quiet.zip', '--quiet'], stack.env);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stderr).toBe('');
    expect(q.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
  });
});

describe('help teaches (point 11)', () => {
  const commands: Array<[string[], RegExp[]]> = [
    [[], [/NO_COLOR/]],
    [['validate'], [/NO_COLOR/]],
    [['prepare'], [/NO_COLOR/]],
    [['pack'], [/NO_COLOR/]],
    [['schema'], [/NO_COLOR/]],
    [['finpro'], [/FINPRO_CLIENT_SECRET/, /FINPRO_BASE_URL/]],
    [['finpro', 'submit'], [/FINPRO_CLIENT_ID/, /FINPRO_CLIENT_SECRET/, /FINPRO_APP_ID/, /FINPRO_ORG_ID/, /FINPRO_BASE_URL/]],
    [['filex'], [/FILEX_PASSWORD/, /FIP_TOKEN_URL/]],
    [['filex', 'ls'], [/FILEX_USERNAME/, /FILEX_BASE_URL/, /FILEX_SFTP_HOST/]],
    [['filex', 'upload'], [/FILEX_PASSWORD/, /FILEX_S3_ENDPOINT/]],
    [['filex', 'download'], [/FILEX_PASSWORD/]],
    [['filex', 'track'], [/FILEX_PASSWORD/, /REJECTED or PARTIALLY_REJECTED exits 1/]],
  ];
  for (const [cmd, env] of commands) {
    it(`batchprep ${cmd.join(' ') || '(top)'} --help: examples, the full exit-code table, its environment, no dangling references`, async () => {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n {2}batchprep /);
      for (const code of [/0 success/, /1 data rejected/, /2 usage error or local I\/O/, /3 remote or transport/, /4 authentication/, /130 interrupted/]) {
        expect(r.stdout.replace(/\s+/g, ' ')).toMatch(code);
      }
      for (const v of env) expect(r.stdout.replace(/\s+/g, ' ')).toMatch(v);
      expect(r.stdout).not.toMatch(/section \d|SPEC/);
    });
  }
});
