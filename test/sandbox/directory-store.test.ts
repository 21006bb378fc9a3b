// The sandbox's object store: files in a directory and pre-signed URLs it serves itself, with
// S3's answers for a bad signature, an expired URL, a missing object and a missing length.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDirectoryStore } from '../../src/sandbox/directory-store.js';
import type { ServingStore } from '../../src/sandbox/object-store.js';

let dir: string;
let server: http.Server;
let store: ServingStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dir-store-'));
  server = http.createServer((req, res) => {
    if (!store.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  store = await createDirectoryStore({ dir, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
afterEach(async () => {
  vi.useRealTimers();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** A raw request (fetch would add a body length we want to control). */
function request(url: string, method: string, body?: Buffer, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

describe('directory store', () => {
  it('a pre-signed PUT stores the object, a pre-signed GET returns it, listings and copies see it', async () => {
    const put = await request(store.presign('PUT', '0001/app1/in/a.zip', 60), 'PUT', Buffer.from('hello'), { 'content-length': 5 });
    expect(put.status).toBe(200);
    expect((await store.getObject('0001/app1/in/a.zip'))?.toString()).toBe('hello');
    const get = await request(store.presign('GET', '0001/app1/in/a.zip', 60), 'GET');
    expect(get).toEqual({ status: 200, body: 'hello' });
    await store.copyObject('0001/app1/in/a.zip', '0001/app1/in_arcv/x-a.zip');
    expect((await store.listObjects('0001/app1/')).map((o) => [o.key, o.size])).toEqual([
      ['0001/app1/in/a.zip', 5],
      ['0001/app1/in_arcv/x-a.zip', 5],
    ]);
    expect(await store.headObject('0001/app1/out/none')).toBeUndefined();
  });

  it('refuses a URL signed for another method or key, and a tampered signature', async () => {
    await store.putObject('k/a', Buffer.from('a'));
    const getUrl = store.presign('GET', 'k/a', 60);
    expect((await request(getUrl, 'PUT', Buffer.from('x'), { 'content-length': 1 })).body).toMatch(/SignatureDoesNotMatch/);
    expect((await request(getUrl.replace('/k/a?', '/k/b?'), 'GET')).status).toBe(403);
    const tampered = getUrl.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    expect(await request(tampered, 'GET')).toMatchObject({ status: 403, body: expect.stringMatching(/SignatureDoesNotMatch/) });
    expect((await store.getObject('k/a'))?.toString()).toBe('a');
  });

  it('answers 403 "Request has expired" once the URL lifetime is past (S3 works in whole seconds)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
    await store.putObject('k/a', Buffer.from('a'));
    const url = store.presign('GET', 'k/a', 5);
    vi.setSystemTime(new Date('2026-01-01T00:00:05.999Z'));
    expect((await request(url, 'GET')).status).toBe(200);
    vi.setSystemTime(new Date('2026-01-01T00:00:06.000Z'));
    expect(await request(url, 'GET')).toMatchObject({ status: 403, body: expect.stringMatching(/<Code>AccessDenied<\/Code><Message>Request has expired/) });
  });

  it('needs Content-Length on PUT (411), keeps nothing of a cut upload, and 404s a missing key', async () => {
    const url = store.presign('PUT', 'k/b', 60);
    const chunked = await request(url, 'PUT', Buffer.from('abc'), { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(411);
    const cut = await new Promise<string>((resolve) => {
      const r = http.request(url, { method: 'PUT', headers: { 'content-length': 100 } });
      r.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
      r.on('response', () => resolve('answered'));
      r.write('only part of it', () => r.destroy());
    });
    expect(cut).not.toBe('answered');
    await vi.waitFor(async () => expect(await readdir(join(dir, 'tmp'))).toEqual([]), { timeout: 15_000, interval: 20 });
    expect(await store.getObject('k/b')).toBeUndefined();
    expect((await request(store.presign('GET', 'k/none', 60), 'GET')).body).toMatch(/NoSuchKey/);
  });

  it('keys cannot leave the objects directory: "..", "." and "" segments are names, not paths', async () => {
    await store.putObject('0001/app1/out/.hostile/..', Buffer.from('h'));
    await store.putObject('0001/app1/out/.hostile/.', Buffer.from('d'));
    expect((await store.getObject('0001/app1/out/.hostile/..'))?.toString()).toBe('h');
    expect((await store.listObjects('0001/app1/out/')).map((o) => o.key).sort()).toEqual(['0001/app1/out/.hostile/.', '0001/app1/out/.hostile/..']);
    expect((await readdir(dir)).sort()).toEqual(['objects', 'tmp']);
    expect(await store.listObjects('0001/app1/in/')).toEqual([]);
    await store.putObject('e//x', Buffer.from('e'));
    expect((await store.getObject('e//x'))?.toString()).toBe('e');
    expect((await store.listObjects('e/')).map((o) => o.key)).toEqual(['e//x']);
  });
});
