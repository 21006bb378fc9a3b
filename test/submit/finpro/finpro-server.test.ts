// Conformance of the FinPro test server with the API document: the client tests are only as
// good as the server they run against, so it is checked directly here (undici fetch + FormData).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { fetch, FormData } from 'undici';
import { startFinProServer, TEST_CREDENTIALS, UPLOAD_PATH, type FinProServer } from '../../servers/finpro-server.js';
import { GOOD_CSV, GOOD_JSON } from './finpro-helpers.js';

let server: FinProServer;
let small: FinProServer;
beforeAll(async () => {
  server = await startFinProServer();
  small = await startFinProServer({ maxBytes: 300 });
});
afterAll(async () => {
  await server.close();
  await small.close();
});
beforeEach(() => {
  server.reset();
  small.reset();
});

const AUTH = {
  client_id: TEST_CREDENTIALS.clientId,
  client_secret: TEST_CREDENTIALS.clientSecret,
  appIdentifier: TEST_CREDENTIALS.appId,
  organisationId: TEST_CREDENTIALS.orgId,
};

function form(content: string | Buffer, name = 'consents.csv', type = 'text/csv', fields: Record<string, string> = {}): FormData {
  const f = new FormData();
  f.set('file', new Blob([content], { type }), name);
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

async function post(s: FinProServer, body: FormData | string, headers: Record<string, string> = AUTH) {
  const res = await fetch(`${s.url}${UPLOAD_PATH}`, { method: 'POST', headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

describe('FinPro test server: documented behaviour', () => {
  test('accepts the documented CSV example with the documented success shape', async () => {
    const r = await post(server, form(GOOD_CSV, 'consents.csv', 'text/csv', { reference_id: 'batch-20251110-002' }));
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(['ver', 'timestamp', 'txnid', 'status', 'message', 'data']);
    expect(r.json).toMatchObject({ ver: '1.0', status: 'success', message: 'File uploaded successfully' });
    expect(r.json.data).toMatchObject({ reference_id: 'batch-20251110-002', storage_type: 'database', status: 'FILE_UPLOADED' });
    expect(r.json.data.batch_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.json.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(server.batches.get('batch-20251110-002')?.rows).toBe(3);
  });

  test('accepts the JSON example, array or consents_list, and generates a reference ID when none is given', async () => {
    const a = await post(server, form(GOOD_JSON, 'c.json', 'application/json'));
    expect(a.status).toBe(200);
    expect(a.json.data.reference_id).toMatch(/^[A-Za-z0-9_-]{5,60}$/);
    const b = await post(server, form(JSON.stringify({ consents_list: JSON.parse(GOOD_JSON) }), 'c.json', 'application/json'));
    expect(b.status).toBe(200);
  });

  test('a missing or wrong identity header is 401, a wrong organisation 403', async () => {
    for (const drop of Object.keys(AUTH)) {
      const headers = { ...AUTH } as Record<string, string>;
      delete headers[drop];
      const r = await post(server, form(GOOD_CSV), headers);
      expect(r.status, drop).toBe(401);
      expect(r.json.errorMsg).toContain(drop);
    }
    expect((await post(server, form(GOOD_CSV), { ...AUTH, client_secret: 'wrong-secret' })).status).toBe(401);
    const forbidden = await post(server, form(GOOD_CSV), { ...AUTH, organisationId: 'org-other' });
    expect(forbidden.status).toBe(403);
    expect(server.batches.size).toBe(0);
  });

  test('a body that is not multipart/form-data is 400', async () => {
    const r = await post(server, GOOD_CSV, { ...AUTH, 'content-type': 'text/csv' });
    expect(r.status).toBe(400);
    expect(r.json.errorCode).toBe('InvalidRequest');
  });

  test('a multipart body that ends inside the file part is 400 InvalidRequest, and the server lives on', async () => {
    const boundary = 'cut-boundary-123';
    const body = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="consents.csv"\r\ncontent-type: text/csv\r\n\r\n${GOOD_CSV}`;
    const r = await post(server, body, { ...AUTH, 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ errorCode: 'InvalidRequest' });
    expect(r.json.errorMsg).toMatch(/malformed multipart body/);
    expect((await post(server, form(GOOD_CSV))).status).toBe(200);
  });

  test('a PDF is 400 UnsupportedFileType with the documented errorDetails', async () => {
    const r = await post(server, form('%PDF-1.4 ...', 'consents.pdf', 'application/pdf'));
    expect(r.status).toBe(400);
    expect(Object.keys(r.json)).toEqual(['ver', 'timestamp', 'txnid', 'errorCode', 'errorMsg', 'errorDetails']);
    expect(r.json).toMatchObject({
      errorCode: 'UnsupportedFileType',
      errorMsg: 'Only JSON or CSV files are accepted',
      errorDetails: { providedType: 'application/pdf', acceptedTypes: ['application/json', 'text/csv'] },
    });
  });

  test('a file over the cap is 413 FileTooLarge with its size; exactly the cap is accepted', async () => {
    const header = 'consentId\n';
    const row = '54450ac0-8bcb-4b9c-ad74-29b4fabe18f7\n';
    let exact = header;
    while (exact.length + row.length <= 300) exact += row;
    exact = exact.padEnd(300, '\n');
    expect(Buffer.byteLength(exact)).toBe(300);
    expect((await post(small, form(exact))).status).toBe(200);
    const big = await post(small, form(`${exact}\n`));
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ errorCode: 'FileTooLarge', errorDetails: { providedSize: 301, maxSize: 300 } });
  });

  test('a reused reference ID is 409 DuplicateReferenceId in the documented words', async () => {
    expect((await post(server, form(GOOD_CSV, 'a.csv', 'text/csv', { reference_id: 'batch-1' }))).status).toBe(200);
    const again = await post(server, form(GOOD_CSV, 'a.csv', 'text/csv', { reference_id: 'batch-1' }));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ errorCode: 'DuplicateReferenceId', errorMsg: "reference_id 'batch-1' already exists" });
    expect(again.json.txnid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a reference ID outside 5-60 [A-Za-z0-9_-] is 400', async () => {
    for (const bad of ['abcd', 'a'.repeat(61), 'has space', 'semi;colon']) {
      const r = await post(server, form(GOOD_CSV, 'a.csv', 'text/csv', { reference_id: bad }));
      expect(r.status, bad).toBe(400);
      expect(r.json.errorCode).toBe('InvalidReferenceId');
    }
  });

  test('aliases: tracking_id and globalConfig are accepted, the primary names win', async () => {
    const r = await post(server, form(GOOD_CSV, 'a.csv', 'text/csv', { tracking_id: 'alias-ref', globalConfig: '{"configId":"from-alias"}' }));
    expect(r.json.data.reference_id).toBe('alias-ref');
    expect(server.batches.get('alias-ref')?.globalConfig).toEqual({ configId: 'from-alias' });
    const both = await post(
      server,
      form(GOOD_CSV, 'a.csv', 'text/csv', { reference_id: 'primary-ref', tracking_id: 'alias-ref2', global_config: '{"configId":"primary"}', globalConfig: '{"configId":"alias"}' }),
    );
    expect(both.json.data.reference_id).toBe('primary-ref');
    expect(server.batches.get('primary-ref')?.globalConfig).toEqual({ configId: 'primary' });
  });

  test('malformed content is 400 InvalidFileContent', async () => {
    const cases: Array<[string, string, string]> = [
      ['id,name\nx,y\n', 'a.csv', 'text/csv'],
      ['\uFEFFconsentId\n54450ac0-8bcb-4b9c-ad74-29b4fabe18f7\n', 'a.csv', 'text/csv'],
      ['[{"consentId": "x"', 'a.json', 'application/json'],
      ['{"rows": []}', 'a.json', 'application/json'],
    ];
    for (const [content, name, type] of cases) {
      const r = await post(server, form(content, name, type));
      expect(r.status, content).toBe(400);
      expect(r.json.errorCode).toBe('InvalidFileContent');
    }
  });
});

describe('FinPro test server: injected faults', () => {
  test('status faults answer 500/503 with JSON, 429 with Retry-After, 502 with HTML; each is consumed once', async () => {
    server.faults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 503, retryAfter: '2' }, { kind: 'rateLimit', retryAfter: '7' }, { kind: 'badGateway' });
    const a = await post(server, form(GOOD_CSV));
    expect([a.status, a.json.errorCode]).toEqual([500, 'InternalServerError']);
    const b = await post(server, form(GOOD_CSV));
    expect([b.status, b.headers.get('retry-after')]).toEqual([503, '2']);
    const c = await post(server, form(GOOD_CSV));
    expect([c.status, c.headers.get('retry-after')]).toEqual([429, '7']);
    const d = await post(server, form(GOOD_CSV));
    expect(d.status).toBe(502);
    expect(d.json).toBeUndefined();
    expect(d.text).toContain('Bad Gateway');
    expect((await post(server, form(GOOD_CSV))).status).toBe(200);
    expect(server.received.map((r) => r.fault)).toEqual(['status', 'status', 'rateLimit', 'badGateway', undefined]);
    expect(server.batches.size).toBe(1);
  });

  test('reset drops the connection mid-body and nothing lands', async () => {
    server.faults.push({ kind: 'reset', afterBytes: 10 });
    await expect(post(server, form(GOOD_CSV.repeat(50)))).rejects.toThrow();
    expect(server.batches.size).toBe(0);
  });

  test('dropReply stores the batch and closes the connection without a reply', async () => {
    server.faults.push({ kind: 'dropReply' });
    await expect(post(server, form(GOOD_CSV, 'a.csv', 'text/csv', { reference_id: 'lost-reply' }))).rejects.toThrow();
    expect(server.batches.has('lost-reply')).toBe(true);
  });

  test('slow stores the batch and replies only after the delay', async () => {
    // Held back far longer than any test may take; the client gives up once the batch is stored.
    server.faults.push({ kind: 'slow', delayMs: 60_000 });
    const f = form(GOOD_CSV, 'a.csv', 'text/csv', { reference_id: 'slow-one' });
    const ac = new AbortController();
    let settled = false;
    const reply = fetch(`${server.url}${UPLOAD_PATH}`, { method: 'POST', headers: AUTH, body: f, signal: ac.signal }).finally(() => (settled = true));
    reply.catch(() => {});
    // Readiness, not a timer: wait (however long it takes) for the batch to land.
    while (!server.batches.has('slow-one')) {
      expect(settled, 'the request ended before its batch was stored').toBe(false);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(settled).toBe(false); // stored, but no reply yet
    ac.abort();
    await expect(reply).rejects.toThrow();
  });
});
