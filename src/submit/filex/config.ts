import { BatchprepError, ErrorCode } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { FilexClient } from './client.js';
import type { SftpOptions } from './transports/sftp-options.js';
import { sftpTrustFromEnv } from './transports/sftp-settings.js';

/** The environment variables fileX reads (SPEC section 6); secrets never come from flags. */
export interface FilexEnv {
  FILEX_USERNAME?: string;
  FILEX_PASSWORD?: string;
  FILEX_BASE_URL?: string;
  FIP_TOKEN_URL?: string;
  FILEX_S3_ENDPOINT?: string;
  FILEX_SFTP_HOST?: string;
  FILEX_SFTP_PORT?: string;
  FILEX_SFTP_USER?: string;
  FILEX_SFTP_KEY_FILE?: string;
  FILEX_SFTP_KEY_PASSPHRASE?: string;
  FILEX_SFTP_PASSWORD?: string;
  FILEX_SFTP_HOST_FINGERPRINT?: string;
  /** SFTP trust and algorithm settings (transports/sftp-settings.ts, README "SFTP settings"). */
  FILEX_SFTP_KNOWN_HOSTS?: string;
  FILEX_SFTP_KEX?: string;
  FILEX_SFTP_CIPHERS?: string;
  FILEX_SFTP_MACS?: string;
  FILEX_SFTP_HOST_KEY_ALGORITHMS?: string;
  FILEX_SFTP_PARTIAL?: string;
  [key: string]: string | undefined;
}

export interface RetryFlags {
  retries?: number;
  retryMaxTimeMs?: number;
}

/** Builds the REST client from the environment; a missing username/password is MissingCredential (exit 2). */
export function filexClientFromEnv(env: FilexEnv, retry: RetryFlags = {}, baseUrl?: string): FilexClient {
  registerSecret(env.FILEX_PASSWORD);
  return new FilexClient({
    username: env.FILEX_USERNAME ?? '',
    password: env.FILEX_PASSWORD ?? '',
    baseUrl: baseUrl ?? env.FILEX_BASE_URL,
    tokenUrl: env.FIP_TOKEN_URL,
    retry: { retries: retry.retries, maxTimeMs: retry.retryMaxTimeMs },
  });
}

/** SFTP settings: flags override env; the user defaults to FILEX_USERNAME, the password to FILEX_PASSWORD. */
export function sftpOptionsFromEnv(env: FilexEnv, flags: { host?: string; port?: number; user?: string; keyFile?: string; acceptNewHostKey?: boolean } = {}): SftpOptions {
  const portRaw = flags.port ?? (env.FILEX_SFTP_PORT ? Number(env.FILEX_SFTP_PORT) : 22);
  if (!Number.isInteger(portRaw) || portRaw < 1 || portRaw > 65535) {
    throw new BatchprepError(ErrorCode.InvalidOption, `FILEX_SFTP_PORT '${env.FILEX_SFTP_PORT}' is not a port number`);
  }
  const password = env.FILEX_SFTP_PASSWORD || env.FILEX_PASSWORD || undefined;
  registerSecret(password);
  registerSecret(env.FILEX_SFTP_KEY_PASSPHRASE);
  const o: Partial<SftpOptions> = {
    host: flags.host ?? env.FILEX_SFTP_HOST,
    port: portRaw,
    username: flags.user ?? env.FILEX_SFTP_USER ?? env.FILEX_USERNAME,
    privateKeyFile: flags.keyFile ?? env.FILEX_SFTP_KEY_FILE,
    passphrase: env.FILEX_SFTP_KEY_PASSPHRASE,
    password,
    // Host-key trust, algorithm lists and partial-upload mode (sftp-settings.ts), checked here.
    ...sftpTrustFromEnv(env, flags.acceptNewHostKey),
  };
  if (!o.host) throw new BatchprepError(ErrorCode.MissingCredential, 'no SFTP host: set FILEX_SFTP_HOST or pass --sftp-host');
  if (!o.username) throw new BatchprepError(ErrorCode.MissingCredential, 'no SFTP user: set FILEX_SFTP_USER (or FILEX_USERNAME)');
  if (!o.privateKeyFile && !o.password) {
    throw new BatchprepError(ErrorCode.MissingCredential, 'no SFTP credential: set FILEX_SFTP_KEY_FILE (a private key file) or FILEX_PASSWORD');
  }
  return o as SftpOptions;
}
