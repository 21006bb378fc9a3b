// Issue 10.5: the FIP token request exactly as the guide's samples, and FIP's own words on a 400.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFilexClient } from '../../../src/index.js';
import { runCli, startStack, type Stack } from './filex-helpers.js';

// A raw request to the test FIP, to prove it refuses what deviates from the guide.
function post(url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, string> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('FIP token request (guide samples)', () => {
  let st: Stack;
  let basic: string;
  beforeAll(async () => {
    st = await startStack();
    basic = `Basic ${Buffer.from(`${st.fx.username}:${st.fx.password}`).toString('base64')}`;
  });
  afterAll(async () => {
    await st?.close();
  });

  test('the test FIP refuses a form body, a repeated grant_type and a missing one (400, RFC 6749 error)', async () => {
    const form = await post(`${st.fx.tokenUrl}?grant_type=client_credentials`, { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials');
    expect(form.status).toBe(400);
    expect(form.json.error).toBe('invalid_request');
    const twice = await post(`${st.fx.tokenUrl}?grant_type=client_credentials&grant_type=client_credentials`, { authorization: basic });
    expect(twice).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
    const none = await post(st.fx.tokenUrl, { authorization: basic });
    expect(none).toMatchObject({ status: 400, json: { error: 'unsupported_grant_type' } });
    const ok = await post(`${st.fx.tokenUrl}?grant_type=client_credentials`, { authorization: basic });
    expect(ok.status).toBe(200);
  });

  test('the client sends POST ?grant_type=client_credentials with HTTP Basic and no body, which the test FIP accepts', async () => {
    const before = st.fx.stats.requests.length;
    const refused = st.fx.stats.tokenRequestsRefused;
    const c = createFilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl });
    await c.list({ org: '0001' });
    const tokenReq = st.fx.stats.requests.slice(before).find((r) => r.path.startsWith('/fip/'))!;
    expect(tokenReq.method).toBe('POST');
    expect(tokenReq.path).toBe('/fip/rest/ews/oauth2/access_token?grant_type=client_credentials');
    expect(tokenReq.headers.authorization).toBe(basic);
    expect(tokenReq.headers['content-type']).toBeUndefined();
    expect(tokenReq.headers['transfer-encoding']).toBeUndefined();
    expect(Number(tokenReq.headers['content-length'] ?? 0)).toBe(0);
    expect(st.fx.stats.tokenRequestsRefused).toBe(refused);
  });

  test('a 400 from FIP is reported with its own error and error_description, not as a credentials problem', async () => {
    st.fx.faults.fipErrorOnce = { status: 400, error: 'invalid_scope', error_description: 'Scope not allowed for this client' };
    const r = await runCli(['filex', 'ls', '0001'], st.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/UnexpectedResponse: FIP refused the token request \(400: invalid_scope: Scope not allowed for this client\)/);
    expect(r.stderr).not.toMatch(/check FILEX_USERNAME/);
  });

  test('a 400 invalid_client from FIP is an auth failure (exit 4) carrying FIP\'s description', async () => {
    st.fx.faults.fipErrorOnce = { status: 400, error: 'invalid_client', error_description: 'Client account locked' };
    const r = await runCli(['filex', 'ls', '0001'], st.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Unauthorized: FIP refused the token request \(400: invalid_client: Client account locked\)/);
  });
});
