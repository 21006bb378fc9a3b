import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import SftpClient from 'ssh2-sftp-client';
import { abortedError, BatchprepError, ErrorCode, fromFsError } from '../../../errors.js';
import { registerSecret } from '../../../redact.js';
import { idleTimeoutMs, sftpProxy } from '../../http/network.js';
import { connectTunnel } from '../../http/proxy.js';
import type { FilexPath } from '../names.js';

/**
 * Key exchanges the fileX guide lists as supported, limited to what ssh2 implements (the
 * ML-KEM hybrids are not), fastest first; `curve25519-sha256@libssh.org` is the guide's
 * e-mail-obfuscated entry. Group-exchange last: its handshake costs about 1.7 s.
 */
export const SFTP_KEX = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group-exchange-sha256',
];

/** Ciphers from the guide's supported list that ssh2 implements (TESTING.md). */
export const SFTP_CIPHERS = [
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
];

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

/** The remote path of a fileX file, relative to the login directory (where the org IDs are listed). */
export function sftpRemotePath(p: FilexPath): string {
  return [p.org, p.app, p.space, p.name].filter((s) => s !== undefined).join('/');
}

/** Maps an ssh2/sftp error to a coded failure: auth → exit 4, permission → SpaceNotWritable, else exit 3. */
export function fromSftpError(err: unknown, what: string): BatchprepError {
  const e = err as { message?: string; code?: string | number; level?: string };
  const msg = `${what}: ${e?.message ?? String(err)}`.replace(/\s+/g, ' ');
  if (e?.level === 'client-authentication' || /authentication methods failed|All configured authentication/i.test(e?.message ?? '')) {
    return new BatchprepError(ErrorCode.Unauthorized, `${msg} (check FILEX_SFTP_USER and the key or password)`, { cause: err });
  }
  if (e?.code === 3 || /permission denied/i.test(e?.message ?? '')) {
    return new BatchprepError(ErrorCode.SpaceNotWritable, `${msg} (the SFTP server refused the write)`, { cause: err });
  }
  if (e?.code === 2 || /no such file/i.test(e?.message ?? '')) {
    return new BatchprepError(ErrorCode.RemoteNotFound, msg, { cause: err });
  }
  if (/idle timeout/i.test(e?.message ?? '')) return new BatchprepError(ErrorCode.Timeout, msg, { cause: err, retryable: true });
  if (/Too Many Connections/i.test(e?.message ?? '')) {
    return new BatchprepError(ErrorCode.RateLimited, `${msg} (close other SFTP sessions of this account)`, { cause: err, retryable: true });
  }
  return new BatchprepError(ErrorCode.NetworkError, msg, { cause: err, retryable: true });
}

/**
 * Opens one SFTP session on our own TCP socket (no-delay: without it ssh2 transfers crawl),
 * restricted to the guide's algorithms, runs `fn`, and always closes the session, because
 * fileX answers "Too Many Connections" to leaked ones.
 */
export async function withSftp<T>(o: SftpOptions, fn: (sftp: SftpClient) => Promise<T>): Promise<T> {
  let privateKey: Buffer | undefined;
  if (o.privateKeyFile) {
    try {
      privateKey = await readFile(o.privateKeyFile);
    } catch (err) {
      throw fromFsError(err, o.privateKeyFile, 'read');
    }
  }
  registerSecret(o.password);
  registerSecret(o.passphrase);
  const port = o.port ?? 22;
  const proxy = sftpProxy(); // FILEX_SFTP_PROXY: an HTTP CONNECT tunnel instead of a direct socket
  const sock: Socket = proxy ? await connectTunnel(proxy, o.host, port, idleTimeoutMs(), o.signal).then((s) => (s.setNoDelay(true), s)) : await new Promise((resolve, reject) => {
    const s = netConnect({ host: o.host, port });
    s.setNoDelay(true);
    s.once('connect', () => resolve(s));
    s.once('error', (err) => reject(new BatchprepError(ErrorCode.NetworkError, `SFTP ${o.host}:${port}: ${err.message}`, { cause: err, retryable: true })));
  });
  const idle = idleTimeoutMs(); // no byte either way this long (handshake or transfer): a stuck server
  sock.setTimeout(idle, () => sock.destroy(Object.assign(new Error(`idle timeout: no data for ${idle / 1000} s (raise --timeout)`), { code: 'ETIMEDOUT' })));
  const sftp = new SftpClient('batchprep');
  const onAbort = () => sock.destroy(new Error('aborted'));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await sftp.connect({
        sock,
        host: o.host,
        port,
        username: o.username,
        password: privateKey ? undefined : o.password,
        privateKey,
        passphrase: o.passphrase,
        readyTimeout: o.readyTimeoutMs ?? 20_000,
        algorithms: { kex: SFTP_KEX as never, cipher: SFTP_CIPHERS as never },
        hostVerifier: o.hostFingerprint ? (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === o.hostFingerprint : undefined,
      } as SftpClient.ConnectOptions);
    } catch (err) {
      if (o.signal?.aborted) throw abortedError(err);
      if (/host key|hostVerifier|Host denied/i.test((err as Error)?.message ?? '')) {
        throw new BatchprepError(ErrorCode.Forbidden, `SFTP ${o.host}: the host key does not match FILEX_SFTP_HOST_FINGERPRINT`, { cause: err });
      }
      throw fromSftpError(err, `SFTP connect to ${o.host}:${port}`);
    }
    return await fn(sftp);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await sftp.end().catch(() => undefined);
    sock.destroy();
  }
}

