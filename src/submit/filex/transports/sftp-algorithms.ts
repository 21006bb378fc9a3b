// The SSH algorithms the SFTP client offers, and the user's overrides of each list.
// Sources: the fileX guide lists key exchanges only (its cipher and MAC lists are empty in our
// copy), so KEX is the guide's list filtered to what ssh2 implements; ciphers, MACs and host
// key algorithms are our choice of current ones (AEAD and CTR ciphers, SHA-2 MACs, no SHA-1,
// no CBC, no DSA). Each list can be replaced from the environment (or a profile, which maps to
// the same names): FILEX_SFTP_KEX, FILEX_SFTP_CIPHERS, FILEX_SFTP_MACS,
// FILEX_SFTP_HOST_KEY_ALGORITHMS, in ssh_config syntax (`a,b` replaces the list, `+a` appends,
// `-a` removes, `^a` puts first). This file does not import ssh2, so the CLI checks the
// settings without loading it; a test checks the SUPPORTED lists against ssh2's own.
import { BatchprepError, ErrorCode } from '../../../errors.js';

export interface SftpAlgorithms {
  kex: string[];
  cipher: string[];
  hmac: string[];
  serverHostKey: string[];
}

/** The guide's key-exchange list, in its order, as printed there (the ML-KEM hybrids first). */
export const GUIDE_KEX = [
  'mlkem768x25519-sha256',
  'mlkem768nistp256-sha256',
  'mlkem1024nistp384-sha384',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'ecdh-sha2-nistp256',
  'diffie-hellman-group-exchange-sha256',
  // The guide's entry is e-mail-obfuscated ("[email protected]"); OpenSSH's name for it:
  'curve25519-sha256@libssh.org',
  'curve25519-sha256',
];

/** What ssh2 1.17 implements (its lib/protocol/constants.js SUPPORTED_* lists). */
export const SSH2_SUPPORTED: SftpAlgorithms = {
  kex: [
    'curve25519-sha256@libssh.org', 'curve25519-sha256', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group14-sha256', 'diffie-hellman-group15-sha512',
    'diffie-hellman-group16-sha512', 'diffie-hellman-group17-sha512', 'diffie-hellman-group18-sha512',
    'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group1-sha1',
  ],
  cipher: [
    'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'chacha20-poly1305@openssh.com', 'aes256-ctr',
    'aes256-cbc', 'aes192-cbc', 'aes128-cbc', '3des-cbc', 'aes128-gcm', 'aes256-gcm',
  ],
  hmac: [
    'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha1-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512',
    'hmac-sha1', 'hmac-md5', 'hmac-sha2-256-96', 'hmac-sha2-512-96', 'hmac-ripemd160', 'hmac-sha1-96', 'hmac-md5-96',
  ],
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-dss'],
};

// Fast first: curve25519 and ECDH, then the finite-field groups, group exchange last (its
// extra round trip and prime generation cost about 1.7 s per handshake).
const KEX_ORDER = [
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

/** The defaults: see the comment at the top of this file for where each list comes from. */
export const DEFAULT_SFTP_ALGORITHMS: SftpAlgorithms = {
  kex: KEX_ORDER.filter((k) => GUIDE_KEX.includes(k) && SSH2_SUPPORTED.kex.includes(k)),
  cipher: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com', 'aes256-ctr', 'aes192-ctr', 'aes128-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'],
};

/** The environment variable of each list. */
export const SFTP_ALGORITHM_ENV: Record<keyof SftpAlgorithms, string> = {
  kex: 'FILEX_SFTP_KEX',
  cipher: 'FILEX_SFTP_CIPHERS',
  hmac: 'FILEX_SFTP_MACS',
  serverHostKey: 'FILEX_SFTP_HOST_KEY_ALGORITHMS',
};

/** Applies one ssh_config-style setting to a default list; unknown names are InvalidOption (exit 2). */
export function applyAlgorithmSetting(kind: keyof SftpAlgorithms, setting: string, base: readonly string[]): string[] {
  const name = SFTP_ALGORITHM_ENV[kind];
  const op = /^[+\-^]/.test(setting) ? setting[0] : '';
  const items = setting
    .slice(op.length)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new BatchprepError(ErrorCode.InvalidOption, `${name} is empty: give a comma-separated list, or unset it for the default`);
  const unknown = items.filter((a) => !SSH2_SUPPORTED[kind].includes(a));
  if (unknown.length > 0 && op !== '-') {
    throw new BatchprepError(ErrorCode.InvalidOption, `${name}: ${unknown.join(', ')} not supported by this client; supported: ${SSH2_SUPPORTED[kind].join(', ')}`);
  }
  let out: string[];
  if (op === '+') out = [...base, ...items.filter((a) => !base.includes(a))];
  else if (op === '-') out = base.filter((a) => !items.includes(a));
  else if (op === '^') out = [...items, ...base.filter((a) => !items.includes(a))];
  else out = [...new Set(items)];
  if (out.length === 0) throw new BatchprepError(ErrorCode.InvalidOption, `${name}='${setting}' leaves no algorithm to offer`);
  return out;
}

/** The algorithm lists from the environment, each defaulting to `DEFAULT_SFTP_ALGORITHMS`. */
export function sftpAlgorithmsFromEnv(env: Record<string, string | undefined>): SftpAlgorithms {
  const out = {} as SftpAlgorithms;
  for (const kind of Object.keys(SFTP_ALGORITHM_ENV) as (keyof SftpAlgorithms)[]) {
    const setting = env[SFTP_ALGORITHM_ENV[kind]];
    out[kind] = setting ? applyAlgorithmSetting(kind, setting, DEFAULT_SFTP_ALGORITHMS[kind]) : [...DEFAULT_SFTP_ALGORITHMS[kind]];
  }
  return out;
}
