import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BatchprepError, ErrorCode, fromFsError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { secretOfFileSetting } from './setting-names.js';
import type { Env } from './profile.js';

/** A secret file larger than this is a wrong path (a key bundle, a log), not a secret. */
const MAX_SECRET_BYTES = 64 * 1024;

/** Reads one secret file: at most MAX_SECRET_BYTES, trailing line ends removed, not empty. */
async function readSecretFile(variable: string, path: string): Promise<string> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await fh.read({ buffer: Buffer.alloc(MAX_SECRET_BYTES + 1), position: 0 });
      if (bytesRead > MAX_SECRET_BYTES) {
        throw new BatchprepError(ErrorCode.InvalidOption, `${variable}: ${path} is over ${MAX_SECRET_BYTES} bytes, too large for a secret; check the path`, { file: path });
      }
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    const e = fromFsError(err, path, 'read');
    throw e.code === ErrorCode.InvalidOption ? e : new BatchprepError(e.code, `${variable}: ${e.message}`, { file: path, cause: err });
  }
  // The container-secrets convention: the file's trailing newline is not part of the secret.
  const value = text.replace(/[\r\n]+$/, '');
  if (value === '') {
    throw new BatchprepError(ErrorCode.MissingCredential, `${variable}: ${path} is empty; write the secret into it or unset ${variable}`, { file: path });
  }
  return value;
}

/**
 * Resolves every `X_FILE` variable of a secret X (FINPRO_CLIENT_SECRET_FILE,
 * FILEX_PASSWORD_FILE, ...) into X, so that consumers read X as before. Setting both X and
 * X_FILE is a usage error; the secret is registered for redaction; X_FILE is removed from
 * the returned map (so resolving again is harmless).
 */
export async function resolveSecretFiles(env: Env, cwd: string): Promise<Env> {
  const out: Env = { ...env };
  for (const [variable, raw] of Object.entries(env)) {
    const secret = secretOfFileSetting(variable);
    if (secret === undefined || variable !== variable.toUpperCase()) continue;
    const path = raw?.trim();
    if (!path) continue;
    if (env[secret] !== undefined && env[secret] !== '') {
      throw new BatchprepError(ErrorCode.UsageError, `both ${secret} and ${variable} are set; set only one (${variable} names a file holding ${secret})`);
    }
    const value = await readSecretFile(variable, resolve(cwd, path));
    registerSecret(value);
    out[secret] = value;
    delete out[variable];
  }
  return out;
}
