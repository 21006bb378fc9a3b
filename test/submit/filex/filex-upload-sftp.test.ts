import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, sftpEnv, sha256, startStack, type Stack } from './filex-helpers.js';
import { startSshd, type SshdHarness } from '../../servers/sshd.js';

describe('filex upload --via sftp', () => {
  let sshd: SshdHarness;
  let st: Stack;
  let env: Record<string, string>;
  beforeAll(async () => {
    [sshd, st] = await Promise.all([startSshd(), startStack()]);
    env = sftpEnv(sshd);
  });
  afterAll(async () => {
    await sshd?.close();
    await st?.close();
  });

  test('a key-authenticated upload lands in org/app/space under the login directory, byte-identical', async () => {
    const f = await makeFile(st.dir, 'sftp-report.zip', 3 * 1024 * 1024 + 1);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--json'], env);
    expect(r.code, `${r.stderr}\n${sshd.logs()}`).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'sftp-report.zip', bytes: f.data.length, sha256: sha256(f.data), via: 'sftp', trackingId: null });
    const landed = await readFile(join(sshd.dataDir, '0001', 'app1', 'in', 'sftp-report.zip'));
    expect(sha256(landed)).toBe(sha256(f.data));
    // Only our one session was opened and it was closed (sshd logs the disconnect).
    expect(sshd.logs()).toMatch(/(Disconnected from|Received disconnect from|Connection closed by)/);
  });

  test('host key pinning: a matching fingerprint connects, another one is refused (exit 4)', async () => {
    const f = await makeFile(st.dir, 'pinned.txt', 100);
    const ok = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], { ...env, FILEX_SFTP_HOST_FINGERPRINT: sshd.hostKeySha256 });
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--name', 'pinned2.txt'], {
      ...env,
      FILEX_SFTP_HOST_FINGERPRINT: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(bad.code).toBe(4);
    expect(await stat(join(sshd.dataDir, '0001', 'app1', 'in', 'pinned2.txt')).catch(() => undefined)).toBeUndefined();
  });

  test('with REST credentials too, a non-writable space is refused from the listing before connecting (exit 4)', async () => {
    const f = await makeFile(st.dir, 'ro-sftp.txt', 100);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/out', '--via', 'sftp'], { ...st.env, ...env });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/SpaceNotWritable: 0001\/app1\/out is not writable/);
    expect(await stat(join(sshd.dataDir, '0001', 'app1', 'out', 'ro-sftp.txt')).catch(() => undefined)).toBeUndefined();
  });

  test('a key the server does not know is exit 4 Unauthorized', async () => {
    const r = await runCli(['filex', 'upload', __filename, '0001/app1/in', '--via', 'sftp', '--name', 'x.ts'], {
      ...env,
      FILEX_SFTP_KEY_FILE: '',
      FILEX_SFTP_PASSWORD: 'not-the-password',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Unauthorized: SFTP connect/);
    expect(r.stderr).not.toContain('not-the-password');
  });

  test('a space that does not exist over SFTP is RemoteNotFound (exit 2); no host is MissingCredential (exit 2)', async () => {
    const f = await makeFile(st.dir, 'nospace.txt', 10);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/nope', '--via', 'sftp'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RemoteNotFound: SFTP: no directory 0001\/app1\/nope/);
    const { FILEX_SFTP_HOST: _h, ...noHost } = env;
    const r2 = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], noHost);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/MissingCredential: no SFTP host/);
  });
});

describe('filex upload --via sftp to a space the SFTP server will not let us write', () => {
  test('permission denied from the server is SpaceNotWritable (exit 4), and the session is closed', async () => {
    const sshd = await startSshd({ readOnlySpaces: true });
    const st = await startStack();
    try {
      const f = await makeFile(st.dir, 'denied.txt', 100);
      const env = sftpEnv(sshd);
      const r = await runCli(['filex', 'upload', f.path, '0001/app1/out', '--via', 'sftp'], env);
      expect(r.code, `${r.stderr}\n${sshd.logs()}`).toBe(4);
      expect(r.stderr).toMatch(/SpaceNotWritable: SFTP upload to 0001\/app1\/out\/denied\.txt/);
      const ok = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], env);
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      await sshd.close();
      await st.close();
    }
  });
});
