// Issue 9.2: SFTP host keys are checked the way OpenSSH users expect, against real sshd,
// and no credential reaches a server whose key was not verified (proved from sshd's own
// DEBUG log: a refused connection never gets to "userauth-request").
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, sftpEnv, startStack, type Stack } from './filex-helpers.js';
import { startSshd, type SshdHarness } from '../../servers/sshd.js';

const run = promisify(execFile);
const exists = (p: string) => stat(p).then(() => true, () => false);

/** Log lines sshd writes (DEBUG1) once a client starts authenticating. */
const AUTH_LINES = /userauth-request|Failed password|Failed publickey|Accepted password|Accepted publickey|Postponed/;

describe('filex --via sftp host-key verification', () => {
  let a: SshdHarness; // the "real" server, key login
  let b: SshdHarness; // a second server with another host key, password login, DEBUG log
  let st: Stack;
  beforeAll(async () => {
    [a, b, st] = await Promise.all([startSshd(), startSshd({ password: true, logLevel: 'DEBUG1' }), startStack()]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await st?.close();
  });

  // An environment with an empty HOME and no extra known_hosts file.
  const bare = (s: SshdHarness, home: string): Record<string, string> => {
    const { FILEX_SFTP_KNOWN_HOSTS: _k, ...env } = sftpEnv(s);
    return { ...env, HOME: home };
  };
  const passwordEnv = (home: string) => {
    const { FILEX_SFTP_KEY_FILE: _k, ...env } = bare(b, home);
    return { ...env, FILEX_SFTP_PASSWORD: b.password! };
  };
  const newHome = async (name: string) => {
    const home = join(st.dir, name);
    await mkdir(home, { recursive: true });
    return home;
  };

  test('the fingerprint we print is the one ssh-keygen -lf prints for the host key', async () => {
    const pub = join(st.dir, 'a-host.pub');
    await writeFile(pub, `${a.hostPublicKey}\n`);
    const { stdout } = await run('ssh-keygen', ['-lf', pub]);
    expect(stdout.split(/\s+/)[1]).toBe(a.hostKeySha256);
  });

  test('an unknown host is refused (exit 4 UnknownHostKey) with its SHA256 fingerprint and how to trust it; no password reached it', async () => {
    const home = await newHome('home-unknown');
    const f = await makeFile(st.dir, 'unknown-host.txt', 100);
    const logBefore = b.logs().length;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], passwordEnv(home));
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(`UnknownHostKey: SFTP [127.0.0.1]:${b.port}: the host is not in known_hosts`);
    expect(r.stderr).toContain(`ED25519 key fingerprint is ${b.hostKeySha256}`);
    expect(r.stderr).toContain('--accept-new-host-key');
    expect(r.stderr).toContain(`ssh-keyscan -p ${b.port} 127.0.0.1 >> ${join(home, '.ssh', 'known_hosts')}`);
    expect(r.stderr).toContain(`FILEX_SFTP_HOST_FINGERPRINT=${b.hostKeySha256}`);
    expect(r.stderr).not.toContain(b.password!);
    await b.waitForNoConnections(30_000);
    const log = b.logs().slice(logBefore);
    expect(log).toMatch(/Connection from 127\.0\.0\.1/); // it did reach the server
    expect(log).toMatch(/kex: host key algorithm: ssh-ed25519/); // the key exchange ran
    expect(log).not.toMatch(AUTH_LINES); // but no authentication was attempted
    expect(await exists(join(b.dataDir, '0001', 'app1', 'in', 'unknown-host.txt'))).toBe(false);
    expect(await exists(join(home, '.ssh', 'known_hosts'))).toBe(false);
  });

  test('a changed key is refused loudly (exit 4 HostKeyChanged), even with --accept-new-host-key; no credential was sent', async () => {
    // known_hosts says [127.0.0.1]:<b's port> has A's key: B is the man in the middle.
    const home = await newHome('home-changed');
    await mkdir(join(home, '.ssh'));
    const kh = join(home, '.ssh', 'known_hosts');
    const line = `[127.0.0.1]:${b.port} ${a.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`;
    await writeFile(kh, line);
    const f = await makeFile(st.dir, 'changed.txt', 100);
    for (const env of [passwordEnv(home), { ...bare(b, home), FILEX_SFTP_USER: b.username }]) {
      const logBefore = b.logs().length;
      const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--accept-new-host-key'], env);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toContain('HostKeyChanged: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!');
      expect(r.stderr).toContain(`differs from the one in ${kh}:1 (${a.hostKeySha256})`);
      expect(r.stderr).toContain(`ED25519 key fingerprint is ${b.hostKeySha256}`);
      expect(r.stderr).toContain(`ssh-keygen -R '[127.0.0.1]:${b.port}'`);
      await b.waitForNoConnections(30_000);
      const log = b.logs().slice(logBefore);
      expect(log).toMatch(/kex: host key algorithm: ssh-ed25519/);
      expect(log).not.toMatch(AUTH_LINES);
    }
    expect(await readFile(kh, 'utf8')).toBe(line);
    expect(await exists(join(b.dataDir, '0001', 'app1', 'in', 'changed.txt'))).toBe(false);
  });

  test('the control: once B is trusted the same password login does authenticate, and sshd logs it', async () => {
    const home = await newHome('home-control');
    const kh = join(home, 'kh');
    await writeFile(kh, `[127.0.0.1]:${b.port} ${b.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`);
    const f = await makeFile(st.dir, 'control.txt', 100);
    const logBefore = b.logs().length;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], { ...passwordEnv(home), FILEX_SFTP_KNOWN_HOSTS: kh });
    expect(r.code, `${r.stderr}\n${b.logs()}`).toBe(0);
    expect(b.logs().slice(logBefore)).toMatch(/userauth-request for user \S+ service ssh-connection method password/);
    expect(b.logs().slice(logBefore)).toMatch(/Accepted password for/);
  });

  test('--accept-new-host-key trusts and records a first-seen key in ~/.ssh/known_hosts (OpenSSH reads it back); later runs need no flag', async () => {
    const home = await newHome('home-accept');
    const f = await makeFile(st.dir, 'accept-new.txt', 100);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--accept-new-host-key'], bare(a, home));
    expect(r.code, r.stderr).toBe(0);
    const kh = join(home, '.ssh', 'known_hosts');
    expect(await readFile(kh, 'utf8')).toBe(`[127.0.0.1]:${a.port} ${a.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`);
    expect((await stat(join(home, '.ssh'))).mode & 0o777).toBe(0o700);
    const { stdout } = await run('ssh-keygen', ['-F', `[127.0.0.1]:${a.port}`, '-f', kh]);
    expect(stdout).toContain('ssh-ed25519');
    const again = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--name', 'accept-new2.txt'], bare(a, home));
    expect(again.code, again.stderr).toBe(0);
  });

  test('with FILEX_SFTP_KNOWN_HOSTS set, an accepted key is recorded there, not in HOME', async () => {
    const home = await newHome('home-accept-env');
    const kh = join(st.dir, 'accept-env-known_hosts');
    const f = await makeFile(st.dir, 'accept-env.txt', 100);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--accept-new-host-key'], { ...bare(a, home), FILEX_SFTP_KNOWN_HOSTS: kh });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(kh, 'utf8')).toContain(`[127.0.0.1]:${a.port} ssh-ed25519 `);
    expect(await exists(join(home, '.ssh', 'known_hosts'))).toBe(false);
  });

  test('--accept-new-host-key that cannot record the key does not trust it (NotWritable, exit 2) and sends nothing', async () => {
    const home = await newHome('home-unrecordable');
    const blocker = join(st.dir, 'a-plain-file');
    await writeFile(blocker, 'not a directory');
    const logBefore = b.logs().length;
    const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp', '--accept-new-host-key'], { ...passwordEnv(home), FILEX_SFTP_KNOWN_HOSTS: join(blocker, 'known_hosts') });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/NotWritable: could not record the host key of \[127\.0\.0\.1\]:\d+ in .*a-plain-file\/known_hosts: .*; the key was not trusted and nothing was sent/);
    await b.waitForNoConnections(30_000);
    expect(b.logs().slice(logBefore)).not.toMatch(AUTH_LINES);
  });

  test('hashed known_hosts entries (ssh-keyscan | ssh-keygen -H) in HOME are honoured', async () => {
    const home = await newHome('home-hashed');
    await mkdir(join(home, '.ssh'));
    const kh = join(home, '.ssh', 'known_hosts');
    const { stdout } = await run('ssh-keyscan', ['-p', String(a.port), '-t', 'ed25519', '127.0.0.1']);
    await writeFile(kh, stdout);
    await run('ssh-keygen', ['-H', '-f', kh]);
    const hashed = await readFile(kh, 'utf8');
    expect(hashed).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /m);
    expect(hashed).not.toContain('127.0.0.1');
    const f = await makeFile(st.dir, 'hashed.txt', 100);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], bare(a, home));
    expect(r.code, r.stderr).toBe(0);
  });

  test('a key in known_hosts for port 22 only does not vouch for another port ([host]:port entries are distinct)', async () => {
    const home = await newHome('home-port');
    await mkdir(join(home, '.ssh'));
    await writeFile(join(home, '.ssh', 'known_hosts'), `127.0.0.1 ${a.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`);
    const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], bare(a, home));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/UnknownHostKey/);
  });

  test('a server with several host keys shows the type known_hosts has (ECDSA on record, ED25519 preferred by default)', async () => {
    const ecdsaKey = join(st.dir, 'c_host_ecdsa');
    await run('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', ecdsaKey]);
    const c = await startSshd({ extraConfig: `HostKey ${ecdsaKey}` });
    try {
      const home = await newHome('home-types');
      await mkdir(join(home, '.ssh'));
      const pub = (await readFile(`${ecdsaKey}.pub`, 'utf8')).split(/\s+/).slice(0, 2).join(' ');
      await writeFile(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${c.port} ${pub}\n`);
      const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], bare(c, home));
      expect(r.code, r.stderr).toBe(0);
      // Without that preference the server would show its ED25519 key, which is not on record.
      const pinned = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], { ...bare(c, home), FILEX_SFTP_HOST_KEY_ALGORITHMS: 'ssh-ed25519' });
      expect(pinned.code).toBe(4);
      expect(pinned.stderr).toMatch(/HostKeyChanged: SFTP \[127\.0\.0\.1\]:\d+: known_hosts has ECDSA key\(s\) for this host, but it offered another type; the server's ED25519 key fingerprint is SHA256:/);
    } finally {
      await c.close();
    }
  });

  test('the FILEX_SFTP_HOST_FINGERPRINT pin: a match connects without known_hosts, a mismatch is HostKeyChanged (exit 4), a malformed pin is InvalidOption (exit 2) before connecting', async () => {
    const home = await newHome('home-pin');
    const ok = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], { ...bare(a, home), FILEX_SFTP_HOST_FINGERPRINT: a.hostKeySha256 });
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], { ...bare(a, home), FILEX_SFTP_HOST_FINGERPRINT: b.hostKeySha256 });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain(`HostKeyChanged: SFTP [127.0.0.1]:${a.port}: the host key does not match FILEX_SFTP_HOST_FINGERPRINT (${b.hostKeySha256})`);
    await a.waitForNoConnections(30_000);
    const before = a.totalConnections();
    for (const pin of ['SHA256:tooshort', 'MD5:aa:bb:cc', a.hostKeySha256.slice('SHA256:'.length)]) {
      const r = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp'], { ...bare(a, home), FILEX_SFTP_HOST_FINGERPRINT: pin });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/InvalidOption: FILEX_SFTP_HOST_FINGERPRINT '.*' is not a SHA256 fingerprint/);
    }
    expect(a.totalConnections()).toBe(before);
  });
});
