// Issue 10.11: the SSH algorithms offered are the guide's key exchanges (what ssh2 speaks of
// them) and our own current choice of ciphers/MACs/host-key types, each list overridable from
// the environment; password login is tested as well as key login, against real sshd.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  applyAlgorithmSetting,
  DEFAULT_SFTP_ALGORITHMS,
  GUIDE_KEX,
  SSH2_SUPPORTED,
  sftpAlgorithmsFromEnv,
} from '../../../src/submit/filex/transports/sftp-algorithms.js';
import { isBatchprepError } from '../../../src/errors.js';
import { makeFile, runCli, sftpEnv, sha256, startStack, type Stack } from './filex-helpers.js';
import { startSshd, type SshdHarness } from '../../servers/sshd.js';

const ssh2 = createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as Record<string, string[]>;

describe('SFTP algorithm lists', () => {
  test("our copy of ssh2's supported lists is ssh2's own", () => {
    expect(SSH2_SUPPORTED.kex).toEqual(ssh2.SUPPORTED_KEX);
    expect(SSH2_SUPPORTED.cipher).toEqual(ssh2.SUPPORTED_CIPHER);
    expect(SSH2_SUPPORTED.hmac).toEqual(ssh2.SUPPORTED_MAC);
    expect(SSH2_SUPPORTED.serverHostKey).toEqual(ssh2.SUPPORTED_SERVER_HOST_KEY);
  });

  test("the default KEX is exactly the guide's list minus what ssh2 lacks (the ML-KEM hybrids)", () => {
    expect(new Set(DEFAULT_SFTP_ALGORITHMS.kex)).toEqual(new Set(GUIDE_KEX.filter((k) => SSH2_SUPPORTED.kex.includes(k))));
    expect(GUIDE_KEX.filter((k) => !DEFAULT_SFTP_ALGORITHMS.kex.includes(k))).toEqual(['mlkem768x25519-sha256', 'mlkem768nistp256-sha256', 'mlkem1024nistp384-sha384']);
  });

  test('the default ciphers, MACs and host-key types are current ones: no CBC, 3DES, MD5, SHA-1 or DSA', () => {
    for (const kind of ['cipher', 'hmac', 'serverHostKey'] as const) {
      for (const a of DEFAULT_SFTP_ALGORITHMS[kind]) expect(SSH2_SUPPORTED[kind]).toContain(a);
    }
    const all = [...DEFAULT_SFTP_ALGORITHMS.cipher, ...DEFAULT_SFTP_ALGORITHMS.hmac, ...DEFAULT_SFTP_ALGORITHMS.serverHostKey];
    expect(all.filter((a) => /cbc|3des|md5|sha1|ssh-dss|^ssh-rsa$/.test(a))).toEqual([]);
  });

  test('settings use ssh_config syntax: replace, +append, -remove, ^first; unknown names are InvalidOption', () => {
    const base = ['a-ctr', 'b-gcm'];
    expect(applyAlgorithmSetting('cipher', 'aes128-ctr', DEFAULT_SFTP_ALGORITHMS.cipher)).toEqual(['aes128-ctr']);
    expect(applyAlgorithmSetting('cipher', '+aes128-cbc', DEFAULT_SFTP_ALGORITHMS.cipher)).toEqual([...DEFAULT_SFTP_ALGORITHMS.cipher, 'aes128-cbc']);
    expect(applyAlgorithmSetting('cipher', '-aes128-ctr,aes192-ctr', DEFAULT_SFTP_ALGORITHMS.cipher)).toEqual(DEFAULT_SFTP_ALGORITHMS.cipher.filter((c) => !/aes1(28|92)-ctr/.test(c)));
    expect(applyAlgorithmSetting('hmac', '^hmac-sha2-512', DEFAULT_SFTP_ALGORITHMS.hmac)[0]).toBe('hmac-sha2-512');
    expect(base).toEqual(['a-ctr', 'b-gcm']);
    for (const [env, re] of [
      [{ FILEX_SFTP_CIPHERS: 'rot13' }, /FILEX_SFTP_CIPHERS: rot13 not supported by this client; supported: aes128-gcm@openssh.com/],
      [{ FILEX_SFTP_KEX: 'mlkem768x25519-sha256' }, /FILEX_SFTP_KEX: mlkem768x25519-sha256 not supported/],
      [{ FILEX_SFTP_MACS: '-hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512' }, /leaves no algorithm/],
      [{ FILEX_SFTP_HOST_KEY_ALGORITHMS: ',' }, /FILEX_SFTP_HOST_KEY_ALGORITHMS is empty/],
    ] as const) {
      let caught: unknown;
      try {
        sftpAlgorithmsFromEnv(env);
      } catch (err) {
        caught = err;
      }
      expect(isBatchprepError(caught) && caught.code).toBe('InvalidOption');
      expect((caught as Error).message).toMatch(re);
    }
  });
});

describe('filex --via sftp algorithms and logins against sshd', () => {
  let st: Stack;
  let modern: SshdHarness; // OpenSSH defaults for ciphers/MACs, the guide's KEX, DEBUG log, password login
  let legacy: SshdHarness; // a server that only speaks CBC + HMAC-SHA1
  beforeAll(async () => {
    [st, modern, legacy] = await Promise.all([
      startStack(),
      startSshd({ logLevel: 'DEBUG1', password: true }),
      startSshd({ logLevel: 'DEBUG1', ciphers: ['aes128-cbc'], macs: ['hmac-sha1'] }),
    ]);
  });
  afterAll(async () => {
    await modern?.close();
    await legacy?.close();
    await st?.close();
  });

  test('by default the session runs curve25519-sha256 and chacha20-poly1305 (sshd says so)', async () => {
    const before = modern.logs().length;
    const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], sftpEnv(modern));
    expect(r.code, r.stderr).toBe(0);
    const log = modern.logs().slice(before);
    expect(log).toMatch(/kex: algorithm: curve25519-sha256\b/);
    expect(log).toMatch(/kex: client->server cipher: chacha20-poly1305@openssh.com/);
  });

  test('FILEX_SFTP_KEX / FILEX_SFTP_CIPHERS / FILEX_SFTP_MACS choose what is negotiated', async () => {
    const before = modern.logs().length;
    const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], {
      ...sftpEnv(modern),
      FILEX_SFTP_KEX: 'diffie-hellman-group14-sha256',
      FILEX_SFTP_CIPHERS: 'aes256-ctr',
      FILEX_SFTP_MACS: 'hmac-sha2-512',
    });
    expect(r.code, r.stderr).toBe(0);
    const log = modern.logs().slice(before);
    expect(log).toMatch(/kex: algorithm: diffie-hellman-group14-sha256\b/);
    expect(log).toMatch(/kex: client->server cipher: aes256-ctr MAC: hmac-sha2-512 /);
  });

  test('FILEX_SFTP_HOST_KEY_ALGORITHMS without the server key type fails the handshake (exit 3, names the settings)', async () => {
    const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], { ...sftpEnv(modern), FILEX_SFTP_HOST_KEY_ALGORITHMS: 'ecdsa-sha2-nistp256' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/share no algorithm; see the README's SFTP settings/);
  });

  test('a legacy-only server is refused by the defaults and reachable by widening the lists', async () => {
    const refused = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], sftpEnv(legacy));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/NetworkError: SFTP connect to 127\.0\.0\.1:\d+: .*no matching .*cipher.*FILEX_SFTP_CIPHERS/);
    const before = legacy.logs().length;
    const ok = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], { ...sftpEnv(legacy), FILEX_SFTP_CIPHERS: '+aes128-cbc', FILEX_SFTP_MACS: '+hmac-sha1' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(legacy.logs().slice(before)).toMatch(/kex: client->server cipher: aes128-cbc MAC: hmac-sha1 /);
  });

  test('an unknown algorithm name is InvalidOption (exit 2) and nothing connects', async () => {
    await modern.waitForNoConnections(30_000);
    const before = modern.totalConnections();
    const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], { ...sftpEnv(modern), FILEX_SFTP_CIPHERS: 'aes128-ctr,blowfish-cbc' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidOption: FILEX_SFTP_CIPHERS: blowfish-cbc not supported/);
    expect(modern.totalConnections()).toBe(before);
  });

  test('password login (a real local account, PasswordAuthentication yes) uploads byte-identical; a wrong password is exit 4 and never printed', async () => {
    const { FILEX_SFTP_KEY_FILE: _k, ...noKey } = sftpEnv(modern);
    const f = await makeFile(st.dir, 'by-password.bin', 1024 * 1024 + 3);
    const before = modern.logs().length;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], { ...noKey, FILEX_SFTP_PASSWORD: modern.password! });
    expect(r.code, `${r.stderr}\n${modern.logs()}`).toBe(0);
    expect(modern.logs().slice(before)).toMatch(new RegExp(`Accepted password for ${modern.username} `));
    expect(sha256(await readFile(join(modern.dataDir, '0001', 'app1', 'in', 'by-password.bin')))).toBe(sha256(f.data));
    // FILEX_PASSWORD is the fallback when FILEX_SFTP_PASSWORD is unset.
    const viaFilex = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], { ...noKey, FILEX_PASSWORD: modern.password! });
    expect(viaFilex.code, viaFilex.stderr).toBe(0);
    const wrong = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--name', 'wrong.bin'], { ...noKey, FILEX_SFTP_PASSWORD: 'definitely-wrong-pw' });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/Unauthorized: SFTP connect/);
    expect(wrong.stderr + wrong.stdout).not.toContain('definitely-wrong-pw');
  });

  test('key login still works on the same server', async () => {
    const before = modern.logs().length;
    const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], sftpEnv(modern));
    expect(r.code, r.stderr).toBe(0);
    expect(modern.logs().slice(before)).toMatch(/Accepted publickey for /);
  });
});
