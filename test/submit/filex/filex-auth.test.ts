import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FilexClient } from '../../../src/submit/filex/client.js';
import { makeFile, runCli, startStack, type Stack } from './filex-helpers.js';

describe('FIP auth', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  const client = () => new FilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl });

  test('client credentials: HTTP Basic and grant_type=client_credentials; the token is cached across calls', async () => {
    const c = client();
    const before = st.fx.stats.tokenRequests;
    await c.list({ org: '0001' });
    await c.list({ org: '0001', app: 'app1' });
    await c.tracking(undefined);
    expect(st.fx.stats.tokenRequests - before).toBe(1);
    const bearer = st.fx.stats.requests.at(-1)!.headers.authorization;
    expect(bearer).toMatch(/^Bearer \S+$/);
  });

  test('a 401 on a fileX call (token revoked) refreshes the token once and the call succeeds', async () => {
    const c = client();
    await c.list({ org: '0001' });
    const before = st.fx.stats.tokenRequests;
    st.fx.faults.expireTokensNow = true;
    const doc = await c.list({ org: '0001', app: 'app1' });
    expect(doc.name).toBe('app1');
    expect(st.fx.stats.tokenRequests - before).toBe(1);
  });

  test('a token past its expires_in is renewed before use', async () => {
    // 2 s tokens (cached 1.8 s by the client): the first call has ample time to use its token
    // on a loaded machine; the wait outlives the token at the server too.
    const short = await startStack({ accessTokenTtlSeconds: 2 });
    try {
      const c = new FilexClient({ username: short.fx.username, password: short.fx.password, baseUrl: short.fx.baseUrl, tokenUrl: short.fx.tokenUrl });
      await c.list({ org: '0001' });
      await new Promise((r) => setTimeout(r, 2100));
      await c.list({ org: '0001' });
      expect(short.fx.stats.tokenRequests).toBe(2);
      // Renewed ahead of time: fileX never had to answer 401.
      expect(short.fx.stats.requests.filter((r) => r.path.startsWith('/files')).length).toBe(2);
    } finally {
      await short.close();
    }
  });

  test('wrong credentials: exit 4 Unauthorized, and the password is not printed', async () => {
    const r = await runCli(['filex', 'ls', '0001'], { ...st.env, FILEX_PASSWORD: 'wrong-password-123' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Unauthorized: FIP refused the credentials \(401: invalid_client: Bad credentials\); check FILEX_USERNAME and FILEX_PASSWORD/);
    expect(r.stdout + r.stderr).not.toContain('wrong-password-123');
  });

  test('a missing credential is exit 2 MissingCredential, before any request', async () => {
    const before = st.fx.stats.tokenRequests;
    const { FILEX_PASSWORD: _omit, ...env } = st.env;
    const r = await runCli(['filex', 'ls', '0001'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MissingCredential: FILEX_PASSWORD is not set/);
    expect(st.fx.stats.tokenRequests).toBe(before);
  });

  test('plain http to a non-loopback host is refused (exit 2 InsecureEndpoint)', async () => {
    const r = await runCli(['filex', 'ls', '0001'], { ...st.env, FILEX_BASE_URL: 'http://filex.example.com' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InsecureEndpoint: FILEX_BASE_URL/);
    const f = await makeFile(st.dir, 'x.bin', 10);
    const r2 = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--s3-endpoint', 'http://10.1.2.3:9000'], st.env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/InsecureEndpoint: FILEX_S3_ENDPOINT/);
  });

  test('an org the account is not entitled to is exit 4 Forbidden', async () => {
    const r = await runCli(['filex', 'ls', '0002'], st.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Forbidden: listing 0002 \(403 from http:\/\/127\.0\.0\.1:\d+\/files\/0002\): User is not entitled to org 0002/);
  });

  test('fileX unreachable: exit 3 NetworkError after the retries', async () => {
    const r = await runCli(['filex', 'ls', '0001', '--retries', '1'], { ...st.env, FILEX_BASE_URL: 'http://127.0.0.1:9', FIP_TOKEN_URL: 'http://127.0.0.1:9/token' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/NetworkError: .*ECONNREFUSED/);
  });
});
