// The S3 test harness: s3rver behind the credential gate. These tests pin what the fileX
// client tests rely on: issued credentials work until they expire, pre-signed URLs work until
// they expire, multipart uploads arrive byte-identical, aborts leave nothing, faults bite.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  CompleteMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type CredentialScope, type S3Harness } from './s3-server.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let s3: S3Harness;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

function client(creds: { accessKeyId: string; secretAccessKey: string; sessionToken: string }, extra: Record<string, unknown> = {}): S3Client {
  return new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    // Static keys here (the SDK wants a Date for expiration; the client under test uses a provider).
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    ...extra,
  });
}

// Raw request to the gate, for the cases fetch cannot express (no Content-Length).
function rawPut(url: string, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('pre-signed URLs', () => {
  it('PUT then GET round-trips the bytes, and the URL looks like S3 SigV4 without checksum params', async () => {
    const data = randomBytes(300_000);
    const putUrl = s3.presign('PUT', '0001/app1/in/report v1.csv', 60);
    const u = new URL(putUrl);
    for (const p of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
      expect(u.searchParams.has(p)).toBe(true);
    }
    expect(putUrl).not.toMatch(/x-amz-checksum-/i);
    expect(u.pathname).toBe('/filex-test/0001/app1/in/report%20v1.csv');
    const put = await fetch(putUrl, { method: 'PUT', body: data });
    expect(put.status).toBe(200);
    expect(sha256((await s3.getObject('0001/app1/in/report v1.csv'))!)).toBe(sha256(data));
    const get = await fetch(s3.presign('GET', '0001/app1/in/report v1.csv', 60));
    expect(get.status).toBe(200);
    expect(sha256(new Uint8Array(await get.arrayBuffer()))).toBe(sha256(data));
  });

  it('refuses a URL used with another method, another key or a changed signature', async () => {
    await s3.putObject('0001/app1/out/a.txt', Buffer.from('a'));
    const getUrl = s3.presign('GET', '0001/app1/out/a.txt', 60);
    const asPut = await fetch(getUrl, { method: 'PUT', body: 'x' });
    expect(asPut.status).toBe(403);
    expect(await asPut.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const otherKey = await fetch(getUrl.replace('/a.txt?', '/b.txt?'));
    expect(otherKey.status).toBe(403);
    const u = new URL(getUrl);
    u.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    expect((await fetch(u)).status).toBe(403);
    expect((await s3.getObject('0001/app1/out/a.txt'))!.toString()).toBe('a');
  });

  it('refuses an expired URL with S3 403 AccessDenied "Request has expired"', async () => {
    await s3.putObject('0001/app1/out/exp.txt', Buffer.from('x'));
    const url = s3.presign('GET', '0001/app1/out/exp.txt', 1);
    const before = s3.stats.rejectedExpired;
    await sleep(2100);
    const res = await fetch(url);
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toMatch(/<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message><X-Amz-Expires>1<\/X-Amz-Expires><Expires>[0-9T:-]+Z<\/Expires><ServerTime>/);
    expect(s3.stats.rejectedExpired).toBe(before + 1);
  });

  it('refuses a chunked PUT without Content-Length as S3 does (411)', async () => {
    const res = await rawPut(s3.presign('PUT', '0001/app1/in/chunked.bin', 60), [Buffer.from('ab'), Buffer.from('cd')]);
    expect(res.status).toBe(411);
    expect(res.body).toContain('<Code>MissingContentLength</Code>');
    expect(await s3.getObject('0001/app1/in/chunked.bin')).toBeUndefined();
  });

  it('refuses requests with no credentials at all', async () => {
    const res = await fetch(`${s3.endpoint}/filex-test/0001/app1/out/a.txt`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  });
});

describe('issued credentials', () => {
  it('are accepted until they expire, then refused with ExpiredToken', async () => {
    const c = client(s3.issueCredentials(4));
    await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'sts/one.txt', Body: 'hello' }));
    const got = await c.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'sts/one.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
    await sleep(4100);
    const err = await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'sts/two.txt', Body: 'x' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ExpiredToken', $metadata: { httpStatusCode: 403 } });
    expect(await s3.getObject('sts/two.txt')).toBeUndefined();
  });

  it('refuses unknown keys and a wrong session token', async () => {
    const real = s3.issueCredentials(60);
    const unknown = await client({ ...real, accessKeyId: 'ASIAUNKNOWN000000000' })
      .send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'sts/x.txt', Body: 'x' }))
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ name: 'InvalidAccessKeyId' });
    const badToken = await client({ ...real, sessionToken: 'nope' })
      .send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'sts/x.txt', Body: 'x' }))
      .catch((e: unknown) => e);
    expect(badToken).toMatchObject({ name: 'InvalidToken' });
    expect(await s3.getObject('sts/x.txt')).toBeUndefined();
  });

  it('enforce the write paths they were issued for', async () => {
    const scope: CredentialScope = { readPaths: ['filex-test/0001/app1/out/'], writePaths: ['filex-test/0001/app1/in/'] };
    const c = client(s3.issueCredentials(60, scope));
    await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: '0001/app1/in/ok.txt', Body: 'ok' }));
    const denied = await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: '0001/app1/out/no.txt', Body: 'no' })).catch((e: unknown) => e);
    expect(denied).toMatchObject({ name: 'AccessDenied' });
    expect(await s3.getObject('0001/app1/out/no.txt')).toBeUndefined();
    expect((await s3.getObject('0001/app1/in/ok.txt'))!.toString()).toBe('ok');
  });

  it('refuse aws-chunked bodies (the SDK default checksum mode) instead of storing the framing', async () => {
    const c = client(s3.issueCredentials(60), { requestChecksumCalculation: 'WHEN_SUPPORTED' });
    const { Readable } = await import('node:stream');
    const err = await c
      .send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'sts/chunked.txt', Body: Readable.from([Buffer.from('abc')]), ContentLength: 3 }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NotImplemented' });
    expect(await s3.getObject('sts/chunked.txt')).toBeUndefined();
  });
});

describe('multipart through the gate', () => {
  it('lib-storage Upload arrives byte-identical and leaves no upload behind', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 123);
    const c = client(s3.issueCredentials(60));
    const before = s3.stats.putBytes;
    const up = new Upload({ client: c, params: { Bucket: s3.bucket, Key: '0001/app1/in/big.bin', Body: data }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    await up.done();
    expect(sha256((await s3.getObject('0001/app1/in/big.bin'))!)).toBe(sha256(data));
    expect(s3.stats.putBytes - before).toBeGreaterThanOrEqual(data.length);
    expect(await s3.listMultipartUploads()).toEqual([]);
  });

  it('ListMultipartUploads and AbortMultipartUpload work (s3rver lacks them; the gate answers)', async () => {
    const c = client(s3.issueCredentials(60));
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: 'mp/aborted.bin' }));
    await c.send(new UploadPartCommand({ Bucket: s3.bucket, Key: 'mp/aborted.bin', UploadId, PartNumber: 1, Body: randomBytes(1024) }));
    expect(await s3.listMultipartUploads()).toEqual([{ key: 'mp/aborted.bin', uploadId: UploadId }]);
    const listed = await c.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
    expect(listed.Uploads?.map((u) => u.UploadId)).toEqual([UploadId]);
    await c.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: 'mp/aborted.bin', UploadId }));
    expect(await s3.listMultipartUploads()).toEqual([]);
    const again = await c.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: 'mp/aborted.bin', UploadId })).catch((e: unknown) => e);
    expect(again).toMatchObject({ name: 'NoSuchUpload' });
  });
});

describe('resuming a multipart upload', () => {
  it('ListParts shows the finished parts (paginated); completing after it gives the whole object', async () => {
    const c = client(s3.issueCredentials(60));
    const Key = '0001/app1/in/resume.bin';
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key }));
    const etags: string[] = [];
    for (const [i, body] of parts.slice(0, 2).entries()) {
      etags.push((await c.send(new UploadPartCommand({ Bucket: s3.bucket, Key, UploadId, PartNumber: i + 1, Body: body }))).ETag!);
    }
    const page1 = await c.send(new ListPartsCommand({ Bucket: s3.bucket, Key, UploadId, MaxParts: 1 }));
    expect(page1.IsTruncated).toBe(true);
    expect(page1.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([[1, parts[0]!.length, etags[0]]]);
    const page2 = await c.send(new ListPartsCommand({ Bucket: s3.bucket, Key, UploadId, PartNumberMarker: page1.NextPartNumberMarker }));
    expect(page2.IsTruncated).toBe(false);
    expect(page2.Parts?.map((p) => p.PartNumber)).toEqual([2]);
    etags.push((await c.send(new UploadPartCommand({ Bucket: s3.bucket, Key, UploadId, PartNumber: 3, Body: parts[2] }))).ETag!);
    await c.send(
      new CompleteMultipartUploadCommand({ Bucket: s3.bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
    expect(sha256((await s3.getObject(Key))!)).toBe(sha256(Buffer.concat(parts)));
    const gone = await c.send(new ListPartsCommand({ Bucket: s3.bucket, Key, UploadId })).catch((e: unknown) => e);
    expect(gone).toMatchObject({ name: 'NoSuchUpload' });
  });
});

describe('faults', () => {
  it('failAfterRequests: lets N through, then 503s uploads while an abort still gets through', async () => {
    const c = client(s3.issueCredentials(60));
    const data = randomBytes(11 * 1024 * 1024);
    s3.faults.failAfterRequests = 2; // CreateMultipartUpload + first part
    try {
      const up = new Upload({ client: c, params: { Bucket: s3.bucket, Key: 'mp/fails.bin', Body: data }, partSize: 5 * 1024 * 1024, queueSize: 1, leavePartsOnError: false });
      const err = await up.done().catch((e: unknown) => e);
      expect(err).toMatchObject({ $metadata: { httpStatusCode: 503 } });
      expect(s3.stats.failed).toBeGreaterThan(0);
      // lib-storage aborted the upload itself (DELETE passes the fault).
      expect(await s3.listMultipartUploads()).toEqual([]);
      expect(await s3.getObject('mp/fails.bin')).toBeUndefined();
    } finally {
      s3.faults.failAfterRequests = undefined;
    }
  });

  it('failCount: a single 503 is absorbed by SDK retries; failMode reset cuts the connection', async () => {
    const creds = s3.issueCredentials(60);
    const failedBefore = s3.stats.failed;
    s3.faults.failCount = 1;
    s3.faults.failAfterRequests = 0;
    try {
      await client(creds, { maxAttempts: 3 }).send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'retry/once.txt', Body: 'once' }));
      expect(s3.stats.failed).toBe(failedBefore + 1);
      expect((await s3.getObject('retry/once.txt'))!.toString()).toBe('once');
      s3.faults.failMode = 'reset';
      s3.faults.failAfterRequests = 0; // assigning restarts the counters
      const err = await client(creds).send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'retry/reset.txt', Body: 'x' })).catch((e: unknown) => e);
      expect(String((err as { code?: string }).code ?? (err as Error).message)).toMatch(/ECONNRESET|socket hang up/);
      expect(await s3.getObject('retry/reset.txt')).toBeUndefined();
    } finally {
      s3.faults.failAfterRequests = undefined;
      s3.faults.failCount = undefined;
      s3.faults.failMode = undefined;
    }
  });

  it('down mid-part: the cut part is not listed, the upload can be resumed afterwards', async () => {
    const creds = s3.issueCredentials(60);
    const c = client(creds);
    const Key = '0001/app1/in/cut.bin';
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key }));
    const p1 = randomBytes(5 * 1024 * 1024);
    const e1 = (await c.send(new UploadPartCommand({ Bucket: s3.bucket, Key, UploadId, PartNumber: 1, Body: p1 }))).ETag!;
    // A hand-made part request (the gate checks the credential, not the signature) that
    // announces 1 MiB, sends 64 KiB and is cut by the fault.
    const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const cut = new Promise<unknown>((resolve) => {
      const req = http.request(`${s3.endpoint}/${s3.bucket}/${Key}?partNumber=2&uploadId=${UploadId}`, {
        method: 'PUT',
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${now.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
          'x-amz-date': now,
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
          'x-amz-security-token': creds.sessionToken,
          'content-length': String(1024 * 1024),
        },
      });
      req.on('error', resolve);
      req.on('response', (r) => resolve(r.statusCode));
      req.write(randomBytes(64 * 1024));
    });
    // Cut it only once the gate is forwarding its body: the part is in flight, not queued.
    const bytesBefore = s3.stats.putBytes;
    while (s3.stats.putBytes === bytesBefore) await new Promise((r) => setImmediate(r));
    s3.faults.down = true;
    expect(await cut).toBeInstanceOf(Error);
    s3.faults.down = false;
    await s3.faults.settled();
    // Resuming is a new run with new connections (the outage dropped the old client's pool).
    const resumed = client(creds);
    const listed = await resumed.send(new ListPartsCommand({ Bucket: s3.bucket, Key, UploadId }));
    expect(listed.Parts?.map((p) => p.PartNumber)).toEqual([1]);
    const p2 = randomBytes(2000);
    const e2 = (await resumed.send(new UploadPartCommand({ Bucket: s3.bucket, Key, UploadId, PartNumber: 2, Body: p2 }))).ETag!;
    await resumed.send(new CompleteMultipartUploadCommand({ Bucket: s3.bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: e1, PartNumber: 1 }, { ETag: e2, PartNumber: 2 }] } }));
    expect(sha256((await s3.getObject(Key))!)).toBe(sha256(Buffer.concat([p1, p2])));
  });

  it('down: connections are refused until it is switched back', async () => {
    const c = client(s3.issueCredentials(60));
    await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'down/before.txt', Body: 'a' }));
    s3.faults.down = true;
    try {
      await s3.faults.settled();
      const err = await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'down/during.txt', Body: 'b' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(String((err as { code?: string }).code ?? (err as Error).message)).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
      const direct = await fetch(`${s3.endpoint}/filex-test/x`).catch((e: unknown) => e);
      expect(direct).toBeInstanceOf(Error);
    } finally {
      s3.faults.down = false;
    }
    await s3.faults.settled();
    await c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'down/after.txt', Body: 'c' }));
    expect((await s3.getObject('down/after.txt'))!.toString()).toBe('c');
    expect(await s3.getObject('down/during.txt')).toBeUndefined();
  });
});
