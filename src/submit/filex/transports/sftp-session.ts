import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { connect as netConnect, type Socket } from 'node:net';
import SftpClient from 'ssh2-sftp-client';
import { abortedError, BatchprepError, ErrorCode, fromFsError } from '../../../errors.js';
import { registerSecret } from '../../../redact.js';
import { idleTimeoutError, idleTimeoutMs, sftpProxy } from '../../http/network.js';
import { connectTunnel } from '../../http/proxy.js';
import type { FilexPath } from '../names.js';
import { checkFingerprintPin, readKnownHosts, entriesFor, blobKeyType, type KnownHostEntry } from '../known-hosts.js';
import { DEFAULT_SFTP_ALGORITHMS, type SftpAlgorithms } from './sftp-algorithms.js';
import { defaultKnownHostsFiles, type SftpPartialMode } from './sftp-settings.js';
import { hostKeyVerifier, type HostKeyRejection } from './sftp-host-key.js';

import type { SftpOptions } from './sftp-options.js';
export type { SftpOptions };

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

// Key types already on record for this host go first, as ssh(1) does, so a server with
// several host keys shows the one we can check instead of an "unknown" one.
function preferKnownTypes(algs: readonly string[], known: readonly KnownHostEntry[]): string[] {
  const types = new Set(known.map((e) => blobKeyType(e.key)));
  const blobType = (alg: string) => (alg.startsWith('rsa-sha2-') ? 'ssh-rsa' : alg);
  return [...algs.filter((a) => types.has(blobType(a))), ...algs.filter((a) => !types.has(blobType(a)))];
}

/**
 * Opens one SFTP session on our own TCP socket (no-delay: without it ssh2 transfers crawl),
 * runs `fn`, and always closes the session, because fileX answers "Too Many Connections" to
 * leaked ones. The host key is checked inside the key exchange (pin, else known_hosts), so
 * a refused host never receives the password or a key signature: ssh2 starts user
 * authentication only after the verifier accepted.
 */
export async function withSftp<T>(o: SftpOptions, fn: (sftp: SftpClient) => Promise<T>): Promise<T> {
  const pin = o.hostFingerprint ? checkFingerprintPin(o.hostFingerprint) : undefined;
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
  const knownHostsFiles = o.knownHostsFiles ?? defaultKnownHostsFiles(homedir());
  // Read before connecting: an unreadable file is a local error, not a refused host.
  const known = pin ? [] : await readKnownHosts(knownHostsFiles);
  const algorithms = { ...DEFAULT_SFTP_ALGORITHMS, ...o.algorithms };
  let rejection: HostKeyRejection | undefined;
  const hostVerifier = hostKeyVerifier({
    host: o.host,
    port,
    pin,
    known,
    knownHostsFiles,
    acceptNew: Boolean(o.acceptNewHostKey),
    recordTo: o.recordHostKeysTo ?? knownHostsFiles[0]!,
    onReject: (r) => (rejection = r),
  });
  const readyTimeoutMs = o.readyTimeoutMs ?? 20_000;
  // The TCP connect gets the same bound as the SSH handshake (the OS would wait minutes).
  const proxy = sftpProxy(); // FILEX_SFTP_PROXY: an HTTP CONNECT tunnel instead of a direct socket
  const sock: Socket = proxy ? await connectTunnel(proxy, o.host, port, idleTimeoutMs(), o.signal).then((s) => (s.setNoDelay(true), s)) : await new Promise((resolve, reject) => {
    const s = netConnect({ host: o.host, port });
    s.setNoDelay(true);
    const timer = setTimeout(() => s.destroy(new Error(`no connection within ${readyTimeoutMs} ms`)), readyTimeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(new BatchprepError(ErrorCode.NetworkError, `SFTP ${o.host}:${port}: ${err.message}`, { cause: err, retryable: true }));
    });
  });
  const idle = idleTimeoutMs(); // no byte either way this long (handshake or transfer): a stuck server
  sock.setTimeout(idle, () => sock.destroy(idleTimeoutError(idle)));
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
        readyTimeout: readyTimeoutMs,
        algorithms: {
          kex: algorithms.kex as never,
          cipher: algorithms.cipher as never,
          hmac: algorithms.hmac as never,
          serverHostKey: preferKnownTypes(algorithms.serverHostKey, entriesFor(known, o.host, port)) as never,
        },
        hostVerifier,
      } as SftpClient.ConnectOptions);
    } catch (err) {
      if (rejection) throw rejection.error;
      if (o.signal?.aborted) throw abortedError(err);
      if (/no matching|handshake failed.*(cipher|kex|mac|host key)/i.test((err as Error)?.message ?? '')) {
        throw new BatchprepError(
          ErrorCode.NetworkError,
          `SFTP connect to ${o.host}:${port}: ${(err as Error).message} (the server and FILEX_SFTP_KEX / FILEX_SFTP_CIPHERS / FILEX_SFTP_MACS / FILEX_SFTP_HOST_KEY_ALGORITHMS share no algorithm; see the README's SFTP settings)`,
          { cause: err },
        );
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
