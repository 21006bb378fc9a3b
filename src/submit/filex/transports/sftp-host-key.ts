// The host-key policy, as ssh2's `hostVerifier`: a pin decides alone; otherwise the key must
// be in known_hosts, except that `acceptNew` records a host seen for the first time. Every
// refusal is a coded error (exit 4) that says what was offered and how to trust it.
import { BatchprepError, ErrorCode } from '../../../errors.js';
import { blobKeyType, checkHostKey, keyTypeLabel, knownHostsName, recordHostKey, sha256Fingerprint, type KnownHostEntry } from '../known-hosts.js';

export interface HostKeyRejection {
  error: BatchprepError;
}

export interface HostKeyPolicy {
  host: string;
  port: number;
  /** A checked `SHA256:...` pin, or undefined. */
  pin?: string;
  known: readonly KnownHostEntry[];
  knownHostsFiles: readonly string[];
  acceptNew: boolean;
  recordTo: string;
  /** Called with the refusal before ssh2 is told to drop the connection. */
  onReject: (r: HostKeyRejection) => void;
  /** Called after a first-seen key was recorded. */
  onRecorded?: (file: string, fingerprint: string) => void;
}

// How to look at and trust a key, in the words of OpenSSH's own tools.
function trustHint(p: HostKeyPolicy, fp: string): string {
  const portFlag = p.port === 22 ? '' : ` -p ${p.port}`;
  return (
    `if that is the fileX server's key (compare it with the fingerprint FINRA gave you), trust it with --accept-new-host-key, ` +
    `or add it yourself: ssh-keyscan${portFlag} ${p.host} >> ${p.recordTo}, or pin it: FILEX_SFTP_HOST_FINGERPRINT=${fp}`
  );
}

/** ssh2's async hostVerifier implementing the policy above. */
export function hostKeyVerifier(p: HostKeyPolicy): (key: Buffer, verify: (ok: boolean) => void) => void {
  const where = knownHostsName(p.host, p.port);
  const refuse = (verify: (ok: boolean) => void, code: ErrorCode, message: string) => {
    p.onReject({ error: new BatchprepError(code, message) });
    verify(false);
  };
  return (key, verify) => {
    const fp = sha256Fingerprint(key);
    const label = `${keyTypeLabel(blobKeyType(key))} key fingerprint is ${fp}`;
    if (p.pin) {
      if (fp === p.pin) return verify(true);
      return refuse(
        verify,
        ErrorCode.HostKeyChanged,
        `SFTP ${where}: the host key does not match FILEX_SFTP_HOST_FINGERPRINT (${p.pin}); the server's ${label}. Nothing was sent. ` +
          'Someone could be intercepting the connection, or the key was replaced: check with FINRA before changing the pin',
      );
    }
    const verdict = checkHostKey(p.known, p.host, p.port, key);
    if (verdict.status === 'known') return verify(true);
    if (verdict.status === 'revoked') {
      return refuse(verify, ErrorCode.HostKeyChanged, `SFTP ${where}: the host key is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; the server's ${label}. Nothing was sent`);
    }
    if (verdict.status === 'changed') {
      const old = verdict.entries.map((e) => `${e.file}:${e.line} (${sha256Fingerprint(e.key)})`).join(', ');
      return refuse(
        verify,
        ErrorCode.HostKeyChanged,
        `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! SFTP ${where} offered a key that differs from the one in ${old}; the server's ${label}. ` +
          'Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key was replaced. Nothing was sent. ' +
          `If FINRA confirms the new key, remove the old one with ssh-keygen -R '${where}' -f ${verdict.entries[0]!.file} and connect again`,
      );
    }
    if (verdict.otherTypes.length > 0) {
      // ssh(1) refuses here too unless asked: a different key type may be a substitution.
      const types = [...new Set(verdict.otherTypes.map((e) => keyTypeLabel(blobKeyType(e.key))))].join(', ');
      return refuse(
        verify,
        ErrorCode.HostKeyChanged,
        `SFTP ${where}: known_hosts has ${types} key(s) for this host, but it offered another type; the server's ${label}. Nothing was sent. ` +
          `Check with FINRA; ${trustHint(p, fp)}`,
      );
    }
    if (!p.acceptNew) {
      return refuse(
        verify,
        ErrorCode.UnknownHostKey,
        `SFTP ${where}: the host is not in known_hosts (${p.knownHostsFiles.join(', ')}); the server's ${label}. Nothing was sent. ${trustHint(p, fp)}`,
      );
    }
    recordHostKey(p.recordTo, p.host, p.port, key).then(
      () => {
        p.onRecorded?.(p.recordTo, fp);
        verify(true);
      },
      (err: BatchprepError) => refuse(verify, ErrorCode.NotWritable, `${err.message}; the key was not trusted and nothing was sent`),
    );
  };
}
