// OpenSSH known_hosts files, read and appended the way ssh(1) does (sshd(8), "SSH_KNOWN_HOSTS
// FILE FORMAT"): plain and hashed (|1|salt|hash) host fields, [host]:port for ports other
// than 22, wildcards and negation, @revoked lines. @cert-authority lines are skipped
// (host certificates are not supported), so a host known only through a CA is "unknown".
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BatchprepError, ErrorCode, fromFsError } from '../../errors.js';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked';
  /** The host field as written (comma-separated patterns, or one |1|salt|hash). */
  hosts: string;
  /** Key type from the line, e.g. `ssh-ed25519`. */
  keyType: string;
  key: Buffer;
}

/** What the known_hosts files say about the key a host offered. */
export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  | { status: 'changed'; entries: KnownHostEntry[] }
  | { status: 'unknown'; otherTypes: KnownHostEntry[] };

/** The name known_hosts stores a host under: `host` on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
}

/** `SHA256:<base64 without padding>` of a public key blob, as `ssh-keygen -l` prints it. */
export function sha256Fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a public key blob names in its first field (`ssh-ed25519`, `ssh-rsa`, ...). */
export function blobKeyType(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return len > 0 && len <= 64 && key.length >= 4 + len ? key.subarray(4, 4 + len).toString('latin1') : 'unknown';
}

/** The label OpenSSH prints before "key fingerprint is" (ED25519, ECDSA, RSA, DSA). */
export function keyTypeLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType === 'ssh-dss') return 'DSA';
  return keyType.toUpperCase();
}

/** Parses known_hosts text; malformed lines are skipped, as ssh(1) does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]!.startsWith('#')) continue;
    let marker: 'revoked' | undefined;
    if (fields[0]!.startsWith('@')) {
      if (fields[0] !== '@revoked') continue;
      marker = 'revoked';
      fields.shift();
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    out.push({ file, line: i + 1, marker, hosts, keyType, key: Buffer.from(b64, 'base64') });
  }
  return out;
}

// OpenSSH's match_pattern: '*' any run, '?' one character, case-insensitive.
function globMatch(name: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Whether an entry's host field names `name` (the output of `knownHostsName`). */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const want = Buffer.from(hash, 'base64');
    const got = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    return want.length === got.length && timingSafeEqual(want, got);
  }
  let matched = false;
  for (const raw of hosts.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (pattern && globMatch(name, pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Reads every file that exists; a missing file is no entries, an unreadable one an IoError. */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const out: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      // Absent (or under a path that is not a directory): no entries, as ssh(1) treats it.
      const code = (err as NodeJS.ErrnoException)?.code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw fromFsError(err, file, 'read');
    }
    out.push(...parseKnownHosts(text, file));
  }
  return out;
}

/** The entries for `host:port`, in file order. */
export function entriesFor(entries: readonly KnownHostEntry[], host: string, port: number): KnownHostEntry[] {
  const name = knownHostsName(host, port);
  return entries.filter((e) => hostFieldMatches(e.hosts, name));
}

/**
 * ssh(1)'s decision for an offered key: a revoked key is refused wherever it is listed; a
 * listed key is known; another key of the same type for this host means the key changed;
 * otherwise the host is unknown (possibly with keys of other types on record).
 */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const mine = entriesFor(entries, host, port).filter((e) => e.marker === undefined);
  const exact = mine.find((e) => e.key.equals(key));
  if (exact) return { status: 'known', entry: exact };
  const type = blobKeyType(key);
  const sameType = mine.filter((e) => blobKeyType(e.key) === type);
  if (sameType.length > 0) return { status: 'changed', entries: sameType };
  return { status: 'unknown', otherTypes: mine };
}

/** Appends `host key` to a known_hosts file as ssh(1) with accept-new does (creating the directory 0700). */
export async function recordHostKey(file: string, host: string, port: number, key: Buffer): Promise<void> {
  const line = `${knownHostsName(host, port)} ${blobKeyType(key)} ${key.toString('base64')}\n`;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const before = await readFile(file, 'utf8').catch(() => '');
    await appendFile(file, before === '' || before.endsWith('\n') ? line : `\n${line}`, { mode: 0o600 });
  } catch (err) {
    throw new BatchprepError(ErrorCode.NotWritable, `could not record the host key of ${knownHostsName(host, port)} in ${file}: ${(err as Error)?.message ?? err}`, {
      cause: err,
    });
  }
}

/** Checks a `FILEX_SFTP_HOST_FINGERPRINT` pin: `SHA256:` and 43 base64 characters (an optional `=`). */
export function checkFingerprintPin(pin: string): string {
  const m = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(pin.trim());
  if (!m) {
    throw new BatchprepError(
      ErrorCode.InvalidOption,
      `FILEX_SFTP_HOST_FINGERPRINT '${pin}' is not a SHA256 fingerprint: expected SHA256: and 43 base64 characters, as \`ssh-keygen -lf <key>\` or \`ssh-keyscan <host> | ssh-keygen -lf -\` print it`,
    );
  }
  return `SHA256:${m[1]}`;
}
