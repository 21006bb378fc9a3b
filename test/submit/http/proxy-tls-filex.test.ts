// fileX behind a real proxy (tinyproxy) and over real TLS from a CA made in this run: FIP and
// the fileX REST API, pre-signed S3 URLs (upload and download), S3 Direct through the AWS SDK
// and SFTP through FILEX_SFTP_PROXY. Each transport's traffic is proved to have gone through
// the proxy by the proxy's own `CONNECT 127.0.0.1:PORT` log lines; NO_PROXY bypasses it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFilexServer, type FilexTestServer } from '../../servers/filex-server.js';
import { startProxy, type ProxyHarness } from '../../servers/proxy.js';
import { startS3, type S3Harness } from '../../servers/s3-server.js';
import { startSshd, type SshdHarness } from '../../servers/sshd.js';
import { makeTestCa, startTlsFront, viaFront, type TestCa, type TlsFront } from '../../servers/tls.js';
import { makeFile, runCli, sftpEnv, sha256 } from '../filex/filex-helpers.js';

let ca: TestCa;
let s3: S3Harness;
let s3Front: TlsFront;
let fx: FilexTestServer;
let fxFront: TlsFront;
let proxy: ProxyHarness;
let sshd: SshdHarness;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  ca = await makeTestCa();
  [s3, proxy, sshd] = await Promise.all([startS3(), startProxy(), startSshd()]);
  s3Front = await startTlsFront(ca, s3.endpoint);
  // The fileX server hands out pre-signed URLs on the S3 server's HTTPS front.
  const httpsS3: S3Harness = { ...s3, endpoint: s3Front.url, presign: (m, k, t) => viaFront(s3.presign(m, k, t), s3Front) };
  fx = await startFilexServer({ store: httpsS3 });
  fxFront = await startTlsFront(ca, fx.baseUrl);
  dir = ca.dir;
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    FILEX_USERNAME: fx.username,
    FILEX_PASSWORD: fx.password,
    FILEX_BASE_URL: fxFront.url,
    FIP_TOKEN_URL: viaFront(fx.tokenUrl, fxFront),
    FILEX_S3_ENDPOINT: s3Front.url,
    HTTPS_PROXY: proxy.url,
    NO_PROXY: '',
    NODE_EXTRA_CA_CERTS: ca.caFile,
  };
});

afterAll(async () => {
  await proxy?.close();
  await sshd?.close();
  await fxFront?.close();
  await fx?.close();
  await s3Front?.close();
  await s3?.close();
  await ca?.close();
});

/** Counts of CONNECT lines per front since `before` was taken. */
async function tunnelsSince(before: string[]): Promise<{ fx: number; s3: number; all: number }> {
  const now = (await proxy.connects()).slice(before.length);
  return { fx: now.filter((c) => c === `127.0.0.1:${fxFront.port}`).length, s3: now.filter((c) => c === `127.0.0.1:${s3Front.port}`).length, all: now.length };
}

describe('fileX over HTTPS through HTTPS_PROXY', () => {
  test('upload --via rest: FIP, fileX REST and the pre-signed PUT all go through the proxy; bytes land intact', async () => {
    const before = await proxy.connects();
    const f = await makeFile(dir, 'proxied-rest.bin', 256 * 1024 + 3);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256((await fx.readUploaded('in', 'proxied-rest.bin'))!)).toBe(sha256(f.data));
    const t = await tunnelsSince(before);
    expect(t.fx).toBeGreaterThan(0);
    expect(t.s3).toBeGreaterThan(0);
  });

  test('download (pre-signed GET) and ls, trusting the CA by --ca-file, go through the proxy', async () => {
    await fx.seedFile('out', 'feedback-proxied.txt', Buffer.from('feedback body\n'));
    const before = await proxy.connects();
    const { NODE_EXTRA_CA_CERTS: _unused, ...noExtra } = env;
    const ls = await runCli(['filex', 'ls', '0001/app1/out', '--ca-file', ca.caFile], noExtra);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain('feedback-proxied.txt');
    const out = join(dir, 'got.txt');
    const dl = await runCli(['filex', 'download', '0001/app1/out/feedback-proxied.txt', '-o', out, '--ca-file', ca.caFile], noExtra);
    expect(dl.code, dl.stderr).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('feedback body\n');
    const t = await tunnelsSince(before);
    expect(t.fx).toBeGreaterThan(0);
    expect(t.s3).toBeGreaterThan(0);
  });

  test('upload --via s3: the AWS SDK (S3 Direct) goes through the proxy and trusts the CA given by --ca-file', async () => {
    const before = await proxy.connects();
    const f = await makeFile(dir, 'proxied-s3.bin', 64 * 1024);
    const { NODE_EXTRA_CA_CERTS: _unused, ...noExtra } = env;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--json', '--ca-file', ca.caFile], noExtra);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256((await s3.getObject(`${fx.orgId}/${fx.application}/in/proxied-s3.bin`))!)).toBe(sha256(f.data));
    expect((await tunnelsSince(before)).s3).toBeGreaterThan(0);
  });

  test('track goes through the proxy', async () => {
    const before = await proxy.connects();
    const r = await runCli(['filex', 'track', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect((await tunnelsSince(before)).fx).toBeGreaterThan(0);
  });

  test('NO_PROXY=127.0.0.1 bypasses the proxy for REST, pre-signed URLs and S3 Direct', async () => {
    const before = await proxy.connects();
    const f = await makeFile(dir, 'direct.bin', 10_000);
    const rest = await runCli(['filex', 'upload', f.path, '0001/app1/in'], { ...env, NO_PROXY: '127.0.0.1' });
    expect(rest.code, rest.stderr).toBe(0);
    const viaS3 = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--name', 'direct-s3.bin'], { ...env, no_proxy: 'localhost, 127.0.0.1' });
    expect(viaS3.code, viaS3.stderr).toBe(0);
    expect((await tunnelsSince(before)).all).toBe(0);
  });

  test('without the CA the fileX certificate is refused (exit 3), never silently accepted', async () => {
    const { NODE_EXTRA_CA_CERTS: _unused, ...noCa } = env;
    const r = await runCli(['filex', 'ls', '0001/app1', '--retries', '0'], noCa);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/certificate|issuer/i);
  });
});

describe('SFTP through FILEX_SFTP_PROXY', () => {
  test('the SSH connection is tunnelled with CONNECT through the proxy; the file lands intact', async () => {
    const before = await proxy.connects();
    const f = await makeFile(dir, 'proxied-sftp.bin', 128 * 1024);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp', '--json'], {
      ...sftpEnv(sshd),
      FILEX_SFTP_HOST_FINGERPRINT: sshd.hostKeySha256,
      FILEX_SFTP_PROXY: proxy.url,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(await readFile(join(sshd.dataDir, '0001', 'app1', 'in', 'proxied-sftp.bin')))).toBe(sha256(f.data));
    const now = (await proxy.connects()).slice(before.length);
    expect(now).toContain(`127.0.0.1:${sshd.port}`);
  });

  test('without FILEX_SFTP_PROXY, HTTPS_PROXY does not capture SFTP (direct connection)', async () => {
    const before = await proxy.connects();
    const f = await makeFile(dir, 'direct-sftp.bin', 1000);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], {
      ...sftpEnv(sshd),
      FILEX_SFTP_HOST_FINGERPRINT: sshd.hostKeySha256,
      HTTPS_PROXY: proxy.url,
      NO_PROXY: '',
    });
    expect(r.code, r.stderr).toBe(0);
    expect((await proxy.connects()).slice(before.length)).not.toContain(`127.0.0.1:${sshd.port}`);
  });
});
