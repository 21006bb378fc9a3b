// Issue 10.8: limits are checked before any byte (sparse files stand in for huge ones), and
// a PUT /files (which opens a tracking record) is repeated only when fileX says so.
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFilexClient, uploadToFilex } from '../../../src/index.js';
import { makeFile, runCli, startStack, type Stack } from './filex-helpers.js';

const GiB = 1024 ** 3;

async function sparse(path: string, size: number): Promise<string> {
  await writeFile(path, '');
  await truncate(path, size);
  return path;
}

describe('limits before bytes', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  test('--via rest refuses a file over 5 GiB before any request, pointing at --via s3 (exit 2)', async () => {
    const f = await sparse(join(st.dir, 'huge.zip'), 5 * GiB + 1);
    const requests = st.fx.stats.requests.length;
    const r = await runCli(['filex', 'upload', f, '0001/app1/in'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InputTooLarge: .*huge\.zip is 5368709121 bytes, over the 5 GiB \(5368709120 bytes\).*use --via s3/);
    expect(st.fx.stats.requests.length).toBe(requests);
  });

  test('--via s3 refuses a file over S3\'s 5 TiB object limit before any request (exit 2)', async () => {
    const f = await sparse(join(st.dir, 'enormous.zip'), 5 * 1024 * GiB + 1);
    const requests = st.fx.stats.requests.length;
    const r = await runCli(['filex', 'upload', f, '0001/app1/in', '--via', 's3'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InputTooLarge: .*over S3's object limit of 5 TiB/);
    expect(st.fx.stats.requests.length).toBe(requests);
  });

  test('--via s3 raises the part size so the file fits in 10,000 parts, and says so before any request', async () => {
    const f = await sparse(join(st.dir, 'large.zip'), 8 * 1024 * 1024 * 10_000 + 1);
    const c = createFilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl });
    const ac = new AbortController();
    const notices: string[] = [];
    const requests = st.fx.stats.requests.length;
    const putBytes = st.s3.stats.putBytes;
    await expect(
      uploadToFilex(c, f, '0001/app1/in', {
        via: 's3',
        endpoint: st.s3.endpoint,
        signal: ac.signal,
        onNotice: (m) => {
          notices.push(m);
          ac.abort(); // the notice is what we test; the 78 GiB upload is not
        },
      }),
    ).rejects.toMatchObject({ code: 'Aborted' });
    expect(notices).toEqual([`part size raised from 8388608 to 9437184 bytes (9 MiB) so ${8 * 1024 * 1024 * 10_000 + 1} bytes fit in S3's 10000 parts`]);
    expect(st.fx.stats.requests.length).toBe(requests);
    expect(st.s3.stats.putBytes).toBe(putBytes);
  });

  test('a PUT /files answered 500 after it opened a tracking record is not repeated (one record, exit 3)', async () => {
    const f = await makeFile(st.dir, 'once.csv', 100);
    const records = st.fx.tracking.size;
    st.fx.faults.putStatusOnce = 500;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in'], st.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not retried: the request may have opened a tracking record/);
    expect(st.fx.stats.requests.filter((x) => x.method === 'PUT' && x.path.endsWith('/once.csv'))).toHaveLength(1);
    expect(st.fx.tracking.size).toBe(records + 1);
  });

  test.each([503, 429])('a PUT /files refused with %i is repeated and the upload lands with one record', async (status) => {
    const f = await makeFile(st.dir, `again${status}.csv`, 100);
    const records = st.fx.tracking.size;
    st.fx.faults.putStatusOnce = status;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in'], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(st.fx.stats.requests.filter((x) => x.method === 'PUT' && x.path.endsWith(`/again${status}.csv`))).toHaveLength(2);
    expect(st.fx.tracking.size).toBe(records + 1);
  });

  test('a PUT /files whose connection is refused is repeated (it cannot have reached fileX)', async () => {
    const port = 9; // discard: nothing listens there (a freed ephemeral port may be taken again)
    const c = createFilexClient({
      username: st.fx.username,
      password: st.fx.password,
      baseUrl: `http://127.0.0.1:${port}`,
      tokenUrl: st.fx.tokenUrl,
      retry: { retries: 2, baseDelayMs: 1, maxTimeMs: 10_000 },
    });
    const err = await c.requestUpload({ org: '0001', app: 'app1', space: 'in', name: 'x.csv' }, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NetworkError', attempts: 3 });
  });

  test('a PUT /files whose answer is cut mid-body is not repeated (fileX may have opened the record)', async () => {
    const c = createFilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl, retry: { retries: 3, baseDelayMs: 1 } });
    await c.auth.getToken();
    const records = st.fx.tracking.size;
    st.fx.faults.resetMidBodyOnce = true;
    const err = await c.requestUpload({ org: '0001', app: 'app1', space: 'in', name: 'cut.csv' }, {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NetworkError', attempts: 1 });
    expect(st.fx.stats.requests.filter((x) => x.method === 'PUT' && x.path.endsWith('/cut.csv'))).toHaveLength(1);
    expect(st.fx.tracking.size).toBe(records + 1);
  });
});
