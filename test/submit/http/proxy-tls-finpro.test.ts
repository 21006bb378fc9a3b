// FinPro (undici) behind a real proxy (tinyproxy) and over real TLS signed by a CA made in
// this run: the CLI reaches the HTTPS test server only through the proxy's CONNECT tunnel,
// NO_PROXY bypasses it, NODE_EXTRA_CA_CERTS and --ca-file both make the CA trusted, and
// without them the certificate is refused (verification is never switched off).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFinProServer, type FinProServer } from '../../servers/finpro-server.js';
import { startProxy, type ProxyHarness } from '../../servers/proxy.js';
import { makeTestCa, startTlsFront, type TestCa, type TlsFront } from '../../servers/tls.js';
import { finproEnv, GOOD_CSV, runCli, tempFiles } from '../finpro/finpro-helpers.js';

let ca: TestCa;
let server: FinProServer;
let front: TlsFront;
let proxy: ProxyHarness;
let files: Awaited<ReturnType<typeof tempFiles>>;

beforeAll(async () => {
  ca = await makeTestCa();
  server = await startFinProServer();
  front = await startTlsFront(ca, server.url);
  proxy = await startProxy();
  files = await tempFiles({ 'consents.csv': GOOD_CSV });
});

afterAll(async () => {
  await proxy?.close();
  await front?.close();
  await server?.close();
  await files?.cleanup();
  await ca?.close();
});

const target = () => `127.0.0.1:${front.port}`;

describe('finpro submit over HTTPS and a proxy', () => {
  it('goes through HTTPS_PROXY (a CONNECT tunnel in the proxy log) and trusts NODE_EXTRA_CA_CERTS', async () => {
    const before = (await proxy.connects()).filter((c) => c === target()).length;
    const r = await runCli(['finpro', 'submit', files.path('consents.csv'), '--json'], finproEnv(front.url, { HTTPS_PROXY: proxy.url, NO_PROXY: '', NODE_EXTRA_CA_CERTS: ca.caFile }));
    expect(r.stderr).not.toMatch(/certificate/i);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('FILE_UPLOADED');
    expect((await proxy.connects()).filter((c) => c === target()).length).toBeGreaterThan(before);
  });

  it('lower-case https_proxy works the same, with --ca-file instead of NODE_EXTRA_CA_CERTS', async () => {
    const before = (await proxy.connects()).filter((c) => c === target()).length;
    const r = await runCli(['finpro', 'submit', files.path('consents.csv'), '--ca-file', ca.caFile], finproEnv(front.url, { https_proxy: proxy.url, no_proxy: '' }));
    expect(r.code).toBe(0);
    expect((await proxy.connects()).filter((c) => c === target()).length).toBeGreaterThan(before);
  });

  it('NO_PROXY naming the host bypasses the proxy', async () => {
    const before = (await proxy.connects()).filter((c) => c === target()).length;
    const r = await runCli(['finpro', 'submit', files.path('consents.csv')], finproEnv(front.url, { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1', NODE_EXTRA_CA_CERTS: ca.caFile }));
    expect(r.code).toBe(0);
    expect((await proxy.connects()).filter((c) => c === target()).length).toBe(before);
  });

  it('refuses a certificate from an untrusted CA (exit 3), also with an unrelated --ca-file', async () => {
    for (const extra of [[], ['--ca-file', ca.otherCaFile]]) {
      const r = await runCli(['finpro', 'submit', files.path('consents.csv'), '--retries', '0', ...extra], finproEnv(front.url, { HTTPS_PROXY: proxy.url, NO_PROXY: '' }));
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/certificate|self.signed|issuer/i);
    }
    expect(server.received.length).toBeGreaterThan(0); // the accepted runs above reached it; these did not add a batch
  });

  it('a missing --ca-file is a usage error before any I/O (exit 2)', async () => {
    const r = await runCli(['finpro', 'submit', files.path('consents.csv'), '--ca-file', `${ca.dir}/nope.pem`], finproEnv(front.url));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.pem');
  });

  it('the password of a proxy URL never reaches output', async () => {
    const authProxy = await startProxy({ auth: { user: 'corp', password: 'pr0xy-Secret-77' } });
    try {
      const ok = await runCli(['finpro', 'submit', files.path('consents.csv'), '--json'], finproEnv(front.url, { HTTPS_PROXY: authProxy.url, NO_PROXY: '', NODE_EXTRA_CA_CERTS: ca.caFile }));
      expect(ok.code).toBe(0);
      expect((await authProxy.connects()).length).toBeGreaterThan(0);
      const wrong = authProxy.url.replace('pr0xy-Secret-77', 'wr0ng-Secret-88');
      const bad = await runCli(['finpro', 'submit', files.path('consents.csv'), '--retries', '0', '--debug'], finproEnv(front.url, { HTTPS_PROXY: wrong, NO_PROXY: '', NODE_EXTRA_CA_CERTS: ca.caFile }));
      expect(bad.code).not.toBe(0);
      for (const out of [ok.stdout, ok.stderr, bad.stdout, bad.stderr]) {
        expect(out).not.toContain('pr0xy-Secret-77');
        expect(out).not.toContain('wr0ng-Secret-88');
      }
    } finally {
      await authProxy.close();
    }
  });
});
