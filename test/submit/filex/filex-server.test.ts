// The fileX + FIP test server, driven with plain fetch and the AWS SDK: what the fileX client
// tests rely on (token flow, directory documents, pre-signed URLs, STS credentials, tracking,
// fault switches) is pinned here against the guide's shapes.
import { createHash, randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filexTime, startFilexServer, type FilexTestServer } from '../../servers/filex-server.js';
import { startS3, type S3Harness } from '../../servers/s3-server.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let s3: S3Harness;
let fx: FilexTestServer;
let token: string;

async function getToken(server: FilexTestServer, user = server.username, pass = server.password): Promise<Response> {
  return fetch(`${server.tokenUrl}?grant_type=client_credentials`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` },
  });
}

async function api(path: string, init: RequestInit = {}, bearer = token, server = fx): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, {
    ...init,
    headers: { accept: 'application/json', authorization: `Bearer ${bearer}`, ...(init.headers as Record<string, string>) },
  });
}

beforeAll(async () => {
  s3 = await startS3();
  fx = await startFilexServer({ store: s3 });
  token = ((await (await getToken(fx)).json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await fx?.close();
  await s3?.close();
});

describe('FIP token endpoint', () => {
  it('issues a bearer token for the right Basic credentials', async () => {
    const before = fx.stats.tokenRequests;
    const res = await getToken(fx);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(fx.tokenUrl).toBe(`${fx.baseUrl}/fip/rest/ews/oauth2/access_token`);
    expect(fx.stats.tokenRequests).toBe(before + 1);
  });

  it('answers 401 to a wrong password and 400 without grant_type', async () => {
    const bad = await getToken(fx, fx.username, 'wrong');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_client' });
    const noGrant = await fetch(fx.tokenUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${fx.username}:${fx.password}`).toString('base64')}` } });
    expect(noGrant.status).toBe(400);
  });

  it('fileX answers 401 with a JSON error without a bearer or with an unknown one', async () => {
    const none = await fetch(`${fx.baseUrl}/files/0001`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/json');
    expect(await none.json()).toMatchObject({ status: 401 });
    const unknown = await api('/files/0001', {}, 'not-a-token');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('short-lived tokens expire', async () => {
    // 2 s: the one request before expiry must make it in time on a loaded machine.
    const short = await startFilexServer({ store: s3, accessTokenTtlSeconds: 2 });
    try {
      const t = ((await (await getToken(short)).json()) as { access_token: string; expires_in: number });
      expect(t.expires_in).toBe(2);
      expect((await api('/files/0001', {}, t.access_token, short)).status).toBe(200);
      await sleep(2100);
      expect((await api('/files/0001', {}, t.access_token, short)).status).toBe(401);
    } finally {
      await short.close();
    }
  });
});

describe('directory documents', () => {
  it('org and application documents match the guide', async () => {
    const org = await api('/files/0001');
    expect(org.status).toBe(200);
    expect(await org.json()).toEqual({
      name: '0001',
      type: 'DIR',
      metadata: { writable: false },
      children: [{ name: 'app1', type: 'DIR', metadata: { writable: false } }],
      _links: {
        self: [{ href: `${fx.baseUrl}/files/0001` }],
        parent: [{ href: `${fx.baseUrl}/files` }],
        children: [{ href: `${fx.baseUrl}/files/0001/app1` }],
      },
    });
    expect(await (await api('/files/0001/app1')).json()).toEqual({
      name: 'app1',
      type: 'DIR',
      metadata: { writable: false },
      children: [
        { name: 'out', type: 'DIR', metadata: { writable: false } },
        { name: 'in', type: 'DIR', metadata: { writable: true } },
        { name: 'in_arcv', type: 'DIR', metadata: { writable: false } },
      ],
      _links: {
        self: [{ href: `${fx.baseUrl}/files/0001/app1` }],
        parent: [{ href: `${fx.baseUrl}/files/0001` }],
        children: ['out', 'in', 'in_arcv'].map((s) => ({ href: `${fx.baseUrl}/files/0001/app1/${s}` })),
      },
    });
  });

  it('a space lists its files with contentLength and lastModified in the guide format', async () => {
    await fx.seedFile('out', 'Testfile.txt', Buffer.alloc(130766, 'a'), new Date('2025-08-04T11:30:34Z'));
    const res = await api('/files/0001/app1/out');
    const doc = (await res.json()) as { children: unknown[]; _links: { children: Array<{ href: string }> } };
    expect(doc).toMatchObject({ name: 'out', type: 'DIR', metadata: { writable: false } });
    expect(doc.children).toContainEqual({
      name: 'Testfile.txt',
      type: 'FILE',
      metadata: { writable: false, contentLength: 130766, lastModified: '2025-08-04T07:30:34.000-04:00' },
    });
    expect(doc._links.children).toContainEqual({ href: `${fx.baseUrl}/files/0001/app1/out/Testfile.txt` });
  });

  it('checks org and application: 400 for malformed, 403 for not entitled, 404 for an unknown space', async () => {
    expect((await api('/files/abc')).status).toBe(400);
    expect((await api('/files/9999')).status).toBe(403);
    expect((await api('/files/0001/app-1')).status).toBe(400);
    expect((await api('/files/0001/other')).status).toBe(403);
    expect((await api('/files/0001/app1/nope')).status).toBe(404);
    expect((await api('/S3TransferTokens/9999/app1')).status).toBe(403);
  });

  it('hostileNames fault adds FILE children to out, URL-encoded in links', async () => {
    fx.faults.hostileNames = ['../x', '/etc/passwd', 'a/b'];
    try {
      const doc = (await (await api('/files/0001/app1/out')).json()) as { children: Array<{ name: string }>; _links: { children: Array<{ href: string }> } };
      const names = doc.children.map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(['../x', '/etc/passwd', 'a/b']));
      expect(doc._links.children).toContainEqual({ href: `${fx.baseUrl}/files/0001/app1/out/..%2Fx` });
    } finally {
      fx.faults.hostileNames = undefined;
    }
  });
});

describe('download and upload URLs', () => {
  it('GET a file gives a pre-signed URL that downloads the bytes; absent → 404; in → 403', async () => {
    const data = randomBytes(50_000);
    await fx.seedFile('out', 'feedback,1.csv', data);
    const res = await api(`/files/0001/app1/out/${encodeURIComponent('feedback,1.csv')}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string; expirationTime: string };
    expect(Object.keys(body).sort()).toEqual(['expirationTime', 'url']);
    expect(body.expirationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-04:00$/);
    expect(Date.parse(body.expirationTime) - Date.now()).toBeGreaterThan(50_000);
    const dl = await fetch(body.url);
    expect(sha256(new Uint8Array(await dl.arrayBuffer()))).toBe(sha256(data));
    expect((await api('/files/0001/app1/out/missing.csv')).status).toBe(404);
    expect((await api('/files/0001/app1/in/anything.csv')).status).toBe(403);
  });

  it('PUT gives a pre-signed URL and a trackingId; the upload lands byte-identical with filex-* metadata kept', async () => {
    const data = randomBytes(400_000);
    const res = await api('/files/0001/app1/in/newfile.zip', { method: 'PUT', headers: { 'filex-InternalReference': 'ref-42' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string; expirationTime: string; trackingId: string };
    expect(Object.keys(body).sort()).toEqual(['expirationTime', 'trackingId', 'url']);
    expect(body.url).not.toMatch(/x-amz-checksum-/i);
    expect((await fetch(body.url, { method: 'PUT', body: data })).status).toBe(200);
    expect(sha256((await fx.readUploaded('in', 'newfile.zip'))!)).toBe(sha256(data));
    expect(fx.uploadMetadata.get(body.trackingId)).toEqual({ internalreference: 'ref-42' });
  });

  it('refuses uploads to a read-only space (403) and bad FILE_NAMEs (400)', async () => {
    expect((await api('/files/0001/app1/out/x.csv', { method: 'PUT' })).status).toBe(403);
    expect((await api('/files/0001/app1/in_arcv/x.csv', { method: 'PUT' })).status).toBe(403);
    expect((await api(`/files/0001/app1/in/${encodeURIComponent('a b.csv')}`, { method: 'PUT' })).status).toBe(400);
    expect((await api(`/files/0001/app1/in/${encodeURIComponent('a_b.csv')}`, { method: 'PUT' })).status).toBe(400);
    expect((await api('/files/0001/app1/in/x.csv', { method: 'PUT', headers: { 'filex-note': 'has space' } })).status).toBe(400);
  });

  it('presignTtlSeconds fault: the URL is refused once expired, a fresh one works', async () => {
    fx.faults.presignTtlSeconds = 1;
    try {
      const { url } = (await (await api('/files/0001/app1/in/late.csv', { method: 'PUT' })).json()) as { url: string };
      await sleep(2100);
      const res = await fetch(url, { method: 'PUT', body: 'late' });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('<Message>Request has expired</Message>');
      expect(await fx.readUploaded('in', 'late.csv')).toBeUndefined();
    } finally {
      fx.faults.presignTtlSeconds = undefined;
    }
    const { url } = (await (await api('/files/0001/app1/in/late.csv', { method: 'PUT' })).json()) as { url: string };
    expect((await fetch(url, { method: 'PUT', body: 'late' })).status).toBe(200);
  });
});

describe('S3TransferTokens', () => {
  it('returns the guide shape; the credentials upload to in/ with lib-storage and are refused for out/', async () => {
    const before = fx.stats.stsRequests;
    const res = await api('/S3TransferTokens/0001/app1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      region: string;
      sessionName: string;
      readPaths: string[];
      writePaths: string[];
      credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    };
    expect(fx.stats.stsRequests).toBe(before + 1);
    expect(body.region).toBe('us-east-1');
    expect(body.sessionName).toMatch(/^filexuser1@[0-9a-f-]{36}$/);
    expect(body.readPaths).toEqual(['filex-test/0001/app1/in_arcv/', 'filex-test/0001/app1/out/']);
    expect(body.writePaths).toEqual(['filex-test/0001/app1/in/']);
    expect(body.credentials.accessKeyId).toMatch(/^[A-Z0-9]{20}$/);
    expect(body.credentials.secretAccessKey).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(Date.parse(body.credentials.expiration) - Date.now()).toBeGreaterThan(3500_000);
    const client = new S3Client({
      region: body.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
      credentials: async () => ({ ...body.credentials, expiration: new Date(body.credentials.expiration) }),
    });
    const data = randomBytes(6 * 1024 * 1024 + 7);
    await new Upload({ client, params: { Bucket: s3.bucket, Key: '0001/app1/in/sts.bin', Body: data }, partSize: 5 * 1024 * 1024 }).done();
    expect(sha256((await fx.readUploaded('in', 'sts.bin'))!)).toBe(sha256(data));
    const denied = await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: '0001/app1/out/sts.bin', Body: 'x' })).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AccessDenied' });
  });

  it('short stsTtlSeconds: accepted, then ExpiredToken after the lifetime', async () => {
    const short = await startFilexServer({ store: s3, stsTtlSeconds: 2 });
    try {
      const t = ((await (await getToken(short)).json()) as { access_token: string }).access_token;
      const { credentials } = (await (await api('/S3TransferTokens/0001/app1', {}, t, short)).json()) as {
        credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
      };
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        maxAttempts: 1,
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
      });
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: '0001/app1/in/short1.txt', Body: 'a' }));
      await sleep(2100);
      const err = await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: '0001/app1/in/short2.txt', Body: 'b' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ExpiredToken' });
      expect(await short.readUploaded('in', 'short2.txt')).toBeUndefined();
    } finally {
      await short.close();
    }
  });
});

describe('tracking', () => {
  type Rec = Record<string, unknown> & { status: string; downstreamStatus: string | null };
  const poll = async (id: string): Promise<Rec[]> => (await (await api(`/tracking?id=${id}`)).json()) as Rec[];

  it('walks Request Received → Received by FINRA/RECEIVED → ACCEPTED after pollsToFinal polls', async () => {
    const put = (await (await api('/files/0001/app1/in/track.csv', { method: 'PUT' })).json()) as { url: string; trackingId: string };
    const [first] = await poll(put.trackingId);
    expect(Object.keys(first!)).toEqual([
      'trackingId', 'submissionTime', 'userName', 'fileName', 'status', 'downstreamStatus', 'statusUpdatedTime', 'fileSize',
      'uploadLocation', 'applicationName', 'applicationSpaceName', 'arcvFileName', 'downloadable', '_links',
    ]);
    expect(first).toMatchObject({
      trackingId: put.trackingId,
      submissionTime: null,
      userName: 'filexuser1',
      fileName: 'track.csv',
      status: 'Request Received',
      downstreamStatus: null,
      fileSize: 0,
      uploadLocation: '0001/app1/in',
      applicationName: 'app1',
      applicationSpaceName: 'in',
      arcvFileName: null,
      downloadable: false,
      _links: [
        { rel: 'self', href: `${fx.baseUrl}/tracking?id=${put.trackingId}` },
        { rel: 'parent', href: `${fx.baseUrl}/tracking` },
      ],
    });
    await fetch(put.url, { method: 'PUT', body: 'a,b\n1,2\n' });
    const [received] = await poll(put.trackingId);
    expect(received).toMatchObject({ status: 'Received by FINRA', downstreamStatus: 'RECEIVED', fileSize: 8, downloadable: true });
    expect(received!.arcvFileName).toMatch(/^\d{14}-track\.csv$/);
    expect((await s3.getObject(`0001/app1/in_arcv/${received!.arcvFileName as string}`))!.toString()).toBe('a,b\n1,2\n');
    expect((await poll(put.trackingId))[0]!.downstreamStatus).toBe('RECEIVED');
    expect((await poll(put.trackingId))[0]!.downstreamStatus).toBe('ACCEPTED');
    expect(fx.tracking.get(put.trackingId)!.downstreamStatus).toBe('ACCEPTED');
    const all = (await (await api('/tracking')).json()) as Rec[];
    expect(all.map((r) => r.trackingId)).toContain(put.trackingId);
  });

  it('autoAccept and setDownstream choose the final status; unknown ids give []', async () => {
    fx.faults.autoAccept = 'REJECTED';
    fx.faults.pollsToFinal = 0;
    try {
      const put = (await (await api('/files/0001/app1/in/bad.csv', { method: 'PUT' })).json()) as { url: string; trackingId: string };
      await fetch(put.url, { method: 'PUT', body: 'x' });
      expect((await poll(put.trackingId))[0]).toMatchObject({ status: 'Received by FINRA', downstreamStatus: 'REJECTED' });
      const put2 = (await (await api('/files/0001/app1/in/part.csv', { method: 'PUT' })).json()) as { trackingId: string };
      fx.setDownstream(put2.trackingId, 'PARTIALLY_REJECTED');
      expect((await poll(put2.trackingId))[0]!.downstreamStatus).toBe('PARTIALLY_REJECTED');
    } finally {
      fx.faults.autoAccept = undefined;
      fx.faults.pollsToFinal = undefined;
    }
    expect(await (await api('/tracking?id=00000000-0000-0000-0000-000000000000')).json()).toEqual([]);
    expect((await api('/tracking?id=bad%20id')).status).toBe(400);
  });
});

describe('fault switches', () => {
  it('expireTokensNow: the presented token gets 401 and stays revoked; a new token works', async () => {
    const t = ((await (await getToken(fx)).json()) as { access_token: string }).access_token;
    fx.faults.expireTokensNow = true;
    expect((await api('/files/0001', {}, t)).status).toBe(401);
    expect(fx.faults.expireTokensNow).toBe(false);
    expect((await api('/files/0001', {}, t)).status).toBe(401);
    const t2 = ((await (await getToken(fx)).json()) as { access_token: string }).access_token;
    expect((await api('/files/0001', {}, t2)).status).toBe(200);
  });

  it('status5xxOnce and status429Once fail exactly one request', async () => {
    fx.faults.status5xxOnce = true;
    expect((await api('/files/0001')).status).toBe(503);
    expect((await api('/files/0001')).status).toBe(200);
    fx.faults.status429Once = 2;
    const limited = await api('/files/0001');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await api('/files/0001')).status).toBe(200);
  });

  it('resetMidBodyOnce cuts one response mid-body; delayMs slows responses down', async () => {
    fx.faults.resetMidBodyOnce = true;
    const cut = await api('/files/0001/app1');
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
    expect(((await (await api('/files/0001/app1')).json()) as { name: string }).name).toBe('app1');
    fx.faults.delayMs = 300;
    try {
      const started = performance.now();
      await api('/files/0001');
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      fx.faults.delayMs = undefined;
    }
  });

  it('records requests with their headers', async () => {
    await api('/files/0001/app1', { headers: { 'x-probe': 'yes' } });
    const last = fx.stats.requests[fx.stats.requests.length - 1]!;
    expect(last).toMatchObject({ method: 'GET', path: '/files/0001/app1', headers: { 'x-probe': 'yes' } });
    expect(last.headers.authorization).toMatch(/^Bearer /);
  });

  it('filexTime prints the guide format', () => {
    expect(filexTime(new Date('2025-08-04T11:30:34Z'))).toBe('2025-08-04T07:30:34.000-04:00');
  });
});
