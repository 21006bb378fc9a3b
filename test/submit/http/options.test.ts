// Options are checked once per entry point, before any I/O, with one rule per option shared by
// FinPro, fileX and both CLIs (issue 11 item 6). Needs a build for the CLI cases.
import { describe, expect, test } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFile } from '../../../src/validate/faces.js';
import { createFilexClient } from '../../../src/submit/filex/api.js';
import { submitToFinPro } from '../../../src/submit/finpro/client.js';
import { prepareFile } from '../../../src/prepare/prepare.js';
import { pack } from '../../../src/pack/pack.js';
import { MAX_RETRIES } from '../../../src/submit/http/retry.js';
import { TEST_CREDENTIALS } from '../../servers/finpro-server.js';
import { runCli } from '../finpro/finpro-helpers.js';

const MISSING = '/nonexistent/batchprep/input.csv';
const invalid = (message: RegExp) => expect.objectContaining({ code: 'InvalidOption', message: expect.stringMatching(message) });

describe('library entry points', () => {
  test('FinPro and fileX share the retry rule', async () => {
    await expect(submitToFinPro(MISSING, { baseUrl: 'http://127.0.0.1:9', credentials: TEST_CREDENTIALS, retries: MAX_RETRIES + 1 })).rejects.toEqual(
      invalid(/^retries must be a whole number from 0 to 20 \(got 21\)$/),
    );
    expect(() => createFilexClient({ username: 'u', password: 'p', retry: { retries: MAX_RETRIES + 1 } })).toThrow(invalid(/^retries must be a whole number from 0 to 20 \(got 21\)$/));
    expect(() => createFilexClient({ username: 'u', password: 'p', retry: { retries: 1.5 } })).toThrow(invalid(/^retries must be/));
    expect(() => createFilexClient({ username: 'u', password: 'p', retry: { maxTimeMs: 0 } })).toThrow(invalid(/maxTimeMs must be a positive number/));
    expect(createFilexClient({ username: 'u', password: 'p', retry: { retries: MAX_RETRIES } }).retryOptions().retries).toBe(MAX_RETRIES);
  });

  test('prepare and pack check their options before touching the input', async () => {
    await expect(prepareFile(MISSING, { outDir: '/nonexistent/out', maxRows: 0 })).rejects.toEqual(invalid(/--max-rows must be a positive whole number/));
    await expect(pack([MISSING], { outDir: '/nonexistent/out', level: 10 })).rejects.toEqual(invalid(/--level must be an integer 0-9/));
  });
});

describe('the CLIs use the same rules', () => {
  test('--retries 21 is refused alike by finpro submit and filex ls, before any I/O', async () => {
    const finpro = await runCli(['finpro', 'submit', MISSING, '--retries', '21'], { PATH: process.env.PATH });
    const filex = await runCli(['filex', 'ls', '0001', '--retries', '21'], { PATH: process.env.PATH });
    for (const r of [finpro, filex]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/InvalidOption: --retries must be a whole number from 0 to 20 \(got 21\)/);
    }
  });

  test('validate applies the library rule for --max-errors/--max-bytes (0 allowed: count all, list none)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bp-options-'));
    try {
      await writeFile(join(dir, 'a.csv'), 'consentId\nnot-a-uuid\n');
      const zero = await runCli(['validate', '--report', 'json', '--max-errors', '0', join(dir, 'a.csv')], { PATH: process.env.PATH });
      expect(zero.code, zero.stderr).toBe(1);
      expect(JSON.parse(zero.stdout).files[0]).toMatchObject({ errorCount: 1, issues: [], truncated: true });
      const neg = await runCli(['validate', '--max-errors', '-1', join(dir, 'a.csv')], { PATH: process.env.PATH });
      expect(neg.code).toBe(2);
      // The command line refuses it as a usage error (parsed before anything runs); the library refuses the same value.
      expect(neg.stderr).toMatch(/UsageError: --max-errors "-1": expected a whole number of 0 or more/);
      await expect(validateFile(join(dir, 'a.csv'), { maxErrors: -1 })).rejects.toEqual(invalid(/^maxErrors must be a non-negative whole number \(got -1\)$/));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('prepare --max-rows 0 is refused by the command line as by the library', async () => {
    const r = await runCli(['prepare', MISSING, '--out-dir', '/nonexistent/out', '--max-rows', '0'], { PATH: process.env.PATH });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/UsageError: --max-rows "0": expected a whole number of 1 or more/);
    await expect(prepareFile(MISSING, { outDir: '/nonexistent/out', maxRows: 0 })).rejects.toMatchObject({ code: 'InvalidOption' });
  });
});
