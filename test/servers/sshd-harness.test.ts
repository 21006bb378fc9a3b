// The OpenSSH sshd harness: it must start (no skipping: a missing sshd fails with the fix),
// accept the client key, serve SFTP from the fileX-shaped data dir, and refuse key exchange
// outside the guide's list so the client's restriction is really exercised.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILEX_CIPHERS, FILEX_KEX, sshdAvailable, startSshd, type SshdHarness } from './sshd.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let sshd: SshdHarness;
beforeAll(async () => {
  if (!sshdAvailable()) throw new Error('/usr/sbin/sshd is missing: run `apt-get install -y openssh-server`');
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.close();
});

// Connect over our own no-delay socket (TESTING.md: without it put() is ~80x slower).
async function connect(extra: Record<string, unknown> = {}): Promise<SftpClient> {
  const sock = net.connect(sshd.port, sshd.host);
  sock.setNoDelay(true);
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  const sftp = new SftpClient();
  try {
    await sftp.connect({
      sock,
      username: sshd.username,
      privateKey: sshd.privateKey,
      readyTimeout: 10_000,
      algorithms: { kex: FILEX_KEX as never, cipher: FILEX_CIPHERS as never },
      ...extra,
    });
  } catch (err) {
    sock.destroy();
    throw err;
  }
  return sftp;
}

describe('sshd harness', () => {
  it('accepts the client key, starts in the data dir and shows the fileX layout', async () => {
    const sftp = await connect();
    try {
      expect(await sftp.cwd()).toBe(sshd.dataDir);
      expect((await sftp.list('.')).map((e) => e.name)).toEqual(['0001']);
      expect((await sftp.list('0001/app1')).map((e) => e.name).sort()).toEqual(['in', 'in_arcv', 'out']);
    } finally {
      await sftp.end();
    }
  });

  it('put() writes the bytes into the data dir and get() reads seeded files back', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 5);
    await writeFile(join(sshd.dataDir, '0001/app1/out/feedback.csv'), 'a,b\n');
    const sftp = await connect();
    try {
      await sftp.put(data, '0001/app1/in/upload.bin');
      expect(((await sftp.get('0001/app1/out/feedback.csv')) as Buffer).toString()).toBe('a,b\n');
    } finally {
      await sftp.end();
    }
    expect(sha256(await readFile(join(sshd.dataDir, '0001/app1/in/upload.bin')))).toBe(sha256(data));
  });

  it('pins the host key: the offered key matches hostKeySha256', async () => {
    let seen = '';
    const sftp = await connect({
      hostVerifier: (key: Buffer) => {
        seen = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
        return true;
      },
    });
    await sftp.end();
    expect(seen).toBe(sshd.hostKeySha256);
    expect(sshd.hostPublicKey).toMatch(/^ssh-ed25519 /);
  });

  it('refuses key exchange outside the guide list and a key not in authorized_keys', async () => {
    await expect(connect({ algorithms: { kex: ['diffie-hellman-group14-sha1'] } })).rejects.toThrow(/handshake|algorithm|kex/i);
    const { generateKeyPairSync } = await import('node:crypto');
    // ssh2 reads PKCS#1 RSA PEM; any key not in authorized_keys will do.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' });
    await expect(connect({ privateKey: other })).rejects.toThrow(/authentication|auth/i);
    expect(sshd.logs()).toMatch(/no matching key exchange method|Unable to negotiate/i);
  });

  it('counts open connections so tests can catch leaked sessions', async () => {
    await sshd.waitForNoConnections();
    const total = sshd.totalConnections();
    const sftp = await connect();
    expect(sshd.openConnections()).toBe(1);
    await sftp.end();
    await sshd.waitForNoConnections();
    expect(sshd.totalConnections()).toBe(total + 1);
  });

  it('readOnlySpaces: out and in_arcv refuse writes (permission denied), in accepts them', async () => {
    const ro = await startSshd({ readOnlySpaces: true });
    const sock = net.connect(ro.port, ro.host);
    sock.setNoDelay(true);
    const sftp = new SftpClient();
    try {
      await sftp.connect({ sock, username: ro.username, privateKey: ro.privateKey, readyTimeout: 10_000 });
      expect(ro.username).toBe('nobody');
      await sftp.put(Buffer.from('ok'), '0001/app1/in/ok.csv');
      await expect(sftp.put(Buffer.from('no'), '0001/app1/out/no.csv')).rejects.toThrow(/permission denied/i);
      await expect(sftp.put(Buffer.from('no'), '0001/app1/in_arcv/no.csv')).rejects.toThrow(/permission denied/i);
      expect((await readFile(join(ro.dataDir, '0001/app1/in/ok.csv'))).toString()).toBe('ok');
    } finally {
      await sftp.end().catch(() => undefined);
      await ro.close();
    }
  });

  it('sshdAvailable() reports the installed server', () => {
    expect(sshdAvailable()).toBe(true);
  });
});
