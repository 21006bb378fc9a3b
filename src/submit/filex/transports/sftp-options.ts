/**
 * The SFTP connection settings, in a file of their own so the public type declarations do not
 * reference ssh2-sftp-client's types (a devDependency): a consumer compiling with
 * `skipLibCheck: false` must not need them.
 */
import type { SftpAlgorithms } from './sftp-algorithms.js';
import type { SftpPartialMode } from './sftp-settings.js';

export interface SftpOptions {
  host: string;
  /** @default 22 */
  port?: number;
  username: string;
  password?: string;
  /** Path of a private key file (OpenSSH format). */
  privateKeyFile?: string;
  passphrase?: string;
  /**
   * Expected host key fingerprint, `SHA256:<base64>` as `ssh-keygen -lf` prints it. When set,
   * it alone decides (known_hosts is not consulted); a malformed pin is InvalidOption.
   */
  hostFingerprint?: string;
  /**
   * known_hosts files (OpenSSH format, hashed entries and `[host]:port` included) that must
   * list the host's key; an unknown host is UnknownHostKey, another key HostKeyChanged (exit 4).
   * @default ~/.ssh/known_hosts, ~/.ssh/known_hosts2, /etc/ssh/ssh_known_hosts, /etc/ssh/ssh_known_hosts2
   */
  knownHostsFiles?: string[];
  /** Trust and record a host key on first sight (OpenSSH's `StrictHostKeyChecking accept-new`). @default false */
  acceptNewHostKey?: boolean;
  /** Where `acceptNewHostKey` records the key. @default the first of `knownHostsFiles` */
  recordHostKeysTo?: string;
  /** Algorithm lists offered, each replacing the default (sftp-algorithms.ts). */
  algorithms?: Partial<SftpAlgorithms>;
  /** How uploads keep partial files off final names (sftp.ts). @default 'rename' */
  partialMode?: SftpPartialMode;
  /** @default 20000 */
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}
