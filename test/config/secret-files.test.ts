// *_FILE secrets at the library level: read, trimmed, registered for redaction; other
// programs' *_FILE variables are left alone.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { resolveSecretFiles } from '../../src/config/secret-files.js';
import { redact } from '../../src/redact.js';
import { tempFiles } from '../submit/finpro/finpro-helpers.js';

let files: Awaited<ReturnType<typeof tempFiles>>;
beforeAll(async () => {
  files = await tempFiles({ 'pw.txt': 'filex-pass-word-42\n\n', 'big.txt': Buffer.alloc(70_000, 0x61) });
});
afterAll(() => files.cleanup());

test('FILEX_PASSWORD_FILE becomes FILEX_PASSWORD (trailing newlines trimmed, relative to cwd) and is redacted', async () => {
  const env = await resolveSecretFiles({ FILEX_PASSWORD_FILE: 'pw.txt', OTHER: 'x' }, files.dir);
  expect(env).toEqual({ FILEX_PASSWORD: 'filex-pass-word-42', OTHER: 'x' });
  expect(redact('login with filex-pass-word-42 failed')).toBe('login with *** failed');
});

test("another program's *_FILE variables are not read, even when both X and X_FILE are set", async () => {
  const env = { GITHUB_TOKEN: 't', GITHUB_TOKEN_FILE: '/no/such/file', FILEX_SFTP_KEY_FILE: '/keys/id_ed25519' };
  expect(await resolveSecretFiles(env, files.dir)).toEqual(env);
});

test('a file too large for a secret is refused (a wrong path, not a secret)', async () => {
  await expect(resolveSecretFiles({ FINPRO_CLIENT_SECRET_FILE: files.path('big.txt') }, files.dir)).rejects.toMatchObject({
    code: 'InvalidOption',
    message: expect.stringMatching(/^FINPRO_CLIENT_SECRET_FILE: .*big\.txt is over 65536 bytes/),
  });
});
