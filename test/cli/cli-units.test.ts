/**
 * The CLI's small pure parts: the one size parser, the progress text, the redaction of URL
 * credentials and environment secrets, the redacting writer, and reportFailure's --debug hint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { parseSize, parseWhole } from '../../src/cli/size.js';
import { progressText, humanDuration } from '../../src/cli/progress.js';
import { clearSecrets, redact, registerSecretsFromEnv } from '../../src/redact.js';
import { redacting } from '../../src/cli/output.js';
import { reportFailure } from '../../src/cli/fail.js';
import type { CliContext } from '../../src/cli/context.js';
import { parseReportTargets } from '../../src/cli/report-outputs.js';

afterEach(() => clearSecrets());

describe('parseSize: one parser for --max-bytes and --part-size', () => {
  it.each([
    ['10485760', 10485760],
    ['10,485,760', 10485760],
    ['10MiB', 10 * 1024 * 1024],
    ['10M', 10 * 1024 * 1024],
    ['10MB', 10_000_000],
    ['10 mb', 10_000_000],
    ['512KiB', 512 * 1024],
    ['1KB', 1000],
    ['1.5G', 1.5 * 1024 ** 3],
    ['5GB', 5_000_000_000],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text, '--max-bytes')).toBe(bytes);
  });
  it.each(['', 'abc', '10XB', '-5', '0', '0MB', '1e6', 'NaN'])('%j is a UsageError naming the flag', (text) => {
    expect(() => parseSize(text, '--part-size')).toThrow(expect.objectContaining({ code: 'UsageError', message: expect.stringContaining('--part-size') }));
  });
  it('whole numbers: a minimum, no NaN', () => {
    expect(parseWhole('0', '--max-errors', 0)).toBe(0);
    expect(() => parseWhole('abc', '--max-errors', 0)).toThrow(/--max-errors "abc"/);
    expect(() => parseWhole('1.5', '--max-rows', 1)).toThrow(/whole number/);
  });
});

describe('progress text', () => {
  it('shows percent and time left when the size is known, a rate otherwise', () => {
    expect(progressText('upload x', 25 * 1024 * 1024, 100 * 1024 * 1024, 10)).toMatch(/ 25% 25 MiB\/100 MiB 2\.5 MiB\/s, 30s left$/);
    expect(progressText('validating -', 2048, undefined, 2)).toBe('validating - 2.0 KiB 1.0 KiB/s');
    expect(humanDuration(3725)).toBe('1h02m');
    expect(humanDuration(185)).toBe('3m05s');
  });
});

describe('redaction', () => {
  it('masks credentials inside URLs, keeping the user name when there is a password', () => {
    expect(redact('GET https://alice:s3cr3t@host.example/x failed')).toBe('GET https://alice:***@host.example/x failed');
    expect(redact('proxy http://tokenonly@proxy:8080')).toBe('proxy http://***@proxy:8080');
    expect(redact('see https://host.example/a@b')).toBe('see https://host.example/a@b');
  });
  it('registers secrets named like secrets and URL passwords from the environment', () => {
    registerSecretsFromEnv({ FINPRO_CLIENT_SECRET: 'cs-123456', FILEX_PASSWORD: 'pw-abcdef', FILEX_BASE_URL: 'https://u:p%40ss-xyz@h', FINPRO_APP_ID: 'app-visible' });
    expect(redact('cs-123456 pw-abcdef p@ss-xyz app-visible')).toBe('*** *** *** app-visible');
  });
  it('the redacting writer masks strings written by anyone and passes bytes unchanged', async () => {
    registerSecretsFromEnv({ MY_TOKEN: 'tok-987654' });
    const out = redacting(new PassThrough());
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    out.write('a tok-987654 b\n');
    out.write(Buffer.from('raw tok-987654\n'));
    expect(redacting(out)).toBe(out); // idempotent
    out.end();
    await new Promise((r) => out.on('end', r));
    expect(chunks.join('')).toBe('a *** b\nraw tok-987654\n');
  });
});

describe('reportFailure', () => {
  function ctx(): CliContext & { text: () => string } {
    const err = new PassThrough();
    let text = '';
    err.on('data', (c: Buffer) => (text += c.toString()));
    return { stdin: new PassThrough(), stdout: new PassThrough(), stderr: err, env: {}, cwd: '/', stderrIsTTY: false, color: false, signal: new AbortController().signal, text: () => text } as never;
  }
  it('says "run with --debug" only without --debug; interrupts claim nothing about what was left', async () => {
    const a = ctx();
    expect(reportFailure(new Error('boom'), a, false)).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(a.text()).toMatch(/internal error: boom \(run with --debug for details\)/);
    const b = ctx();
    reportFailure(new Error('boom'), b, true);
    await new Promise((r) => setImmediate(r));
    expect(b.text()).not.toMatch(/run with --debug/);
    expect(b.text()).toMatch(/at /);
  });
});

describe('--report targets', () => {
  it('parses FORMAT[=PATH], at most one to stdout, no file twice', () => {
    expect(parseReportTargets(['github', 'junit=r/j.xml', 'sarif=a=b.sarif'])).toEqual([{ kind: 'github' }, { kind: 'junit', path: 'r/j.xml' }, { kind: 'sarif', path: 'a=b.sarif' }]);
    expect(() => parseReportTargets(['json', 'text'])).toThrow(/both go to stdout/);
    expect(() => parseReportTargets(['json=x', 'sarif=x'])).toThrow(/same file x/);
    expect(() => parseReportTargets('json=')).toThrow(/empty path/);
    expect(() => parseReportTargets('html')).toThrow(/unknown format "html"/);
  });
});
