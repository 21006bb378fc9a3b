/**
 * The SFTP connection settings, in a file of their own so the public type declarations do not
 * reference ssh2-sftp-client's types (a devDependency): a consumer compiling with
 * `skipLibCheck: false` must not need them.
 */
export interface SftpOptions {
  host: string;
  /** @default 22 */
  port?: number;
  username: string;
  password?: string;
  /** Path of a private key file (OpenSSH format). */
  privateKeyFile?: string;
  passphrase?: string;
  /** Expected host key fingerprint, `SHA256:<base64>` as `ssh-keygen -lf` prints it; unset = not pinned. */
  hostFingerprint?: string;
  /** @default 20000 */
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}
