// The SFTP settings that are not the login: host-key trust, algorithm lists, how partial
// uploads are kept off final names. Read from the environment (a profile maps to the same
// names) and checked before any connection; light on purpose (no ssh2 import).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BatchprepError, ErrorCode } from '../../../errors.js';
import { checkFingerprintPin } from '../known-hosts.js';
import { sftpAlgorithmsFromEnv, type SftpAlgorithms } from './sftp-algorithms.js';

/** How an SFTP upload keeps a partial file off its final name (see sftp.ts). */
export type SftpPartialMode = 'rename' | 'remove';

export interface SftpTrustSettings {
  /** known_hosts files consulted, in order. */
  knownHostsFiles: string[];
  /** Where `--accept-new-host-key` records a first-seen key. */
  recordHostKeysTo: string;
  acceptNewHostKey: boolean;
  hostFingerprint?: string;
  algorithms: SftpAlgorithms;
  partialMode: SftpPartialMode;
}

/** The known_hosts files ssh(1) reads by default, under `home`, plus the system-wide ones. */
export function defaultKnownHostsFiles(home: string): string[] {
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
}

/**
 * Trust and algorithm settings from the environment: HOME's known_hosts files (HOME from
 * `env`, so callers and tests choose it), FILEX_SFTP_KNOWN_HOSTS consulted first and used
 * to record accepted keys when set, the FILEX_SFTP_HOST_FINGERPRINT pin (checked: a
 * malformed pin is InvalidOption), the algorithm lists and FILEX_SFTP_PARTIAL.
 */
export function sftpTrustFromEnv(env: Record<string, string | undefined>, acceptNewHostKey = false): SftpTrustSettings {
  const home = env.HOME || homedir();
  const extra = env.FILEX_SFTP_KNOWN_HOSTS || undefined;
  const defaults = defaultKnownHostsFiles(home);
  const partial = env.FILEX_SFTP_PARTIAL || 'rename';
  if (partial !== 'rename' && partial !== 'remove') {
    throw new BatchprepError(ErrorCode.InvalidOption, `FILEX_SFTP_PARTIAL '${partial}' must be 'rename' (upload under a temporary name, then rename) or 'remove' (final name, removed on failure)`);
  }
  return {
    knownHostsFiles: extra ? [extra, ...defaults] : defaults,
    recordHostKeysTo: extra ?? defaults[0]!,
    acceptNewHostKey,
    hostFingerprint: env.FILEX_SFTP_HOST_FINGERPRINT ? checkFingerprintPin(env.FILEX_SFTP_HOST_FINGERPRINT) : undefined,
    algorithms: sftpAlgorithmsFromEnv(env),
    partialMode: partial,
  };
}
