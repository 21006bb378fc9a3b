import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, sha256, startStack, type Stack } from './filex-helpers.js';

describe('filex upload --via rest', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  const fileRequests = (method: string) => st.fx.stats.requests.filter((r) => r.method === method && r.path.startsWith('/files/'));

  test('PUT /files → pre-signed URL → streamed bytes; prints the trackingId, stores the exact bytes', async () => {
    const f = await makeFile(st.dir, 'report.zip', 3 * 1024 * 1024 + 5);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in'], st.env);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(st.fx.tracking.get(id)?.fileName).toBe('report.zip');
    expect(sha256((await st.fx.readUploaded('in', 'report.zip'))!)).toBe(sha256(f.data));
    expect(r.stderr).toMatch(/uploaded 0001\/app1\/in\/report\.zip \(3\.0 MiB\) via rest; trackingId /);
  });

  test('--json prints {trackingId, name, bytes, sha256}; --name renames', async () => {
    const f = await makeFile(st.dir, 'local.csv', 4096);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--name', "Q3-report@2025,v=1'a.csv", '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ name: "Q3-report@2025,v=1'a.csv", bytes: 4096, sha256: sha256(f.data), via: 'rest' });
    expect(st.fx.tracking.has(out.trackingId)).toBe(true);
    // The name travelled URL-encoded in the path and was decoded back by the server.
    expect(sha256((await st.fx.readUploaded('in', "Q3-report@2025,v=1'a.csv"))!)).toBe(sha256(f.data));
  });

  test('--meta key=value sends filex-<key> headers; without --meta none are sent', async () => {
    const f = await makeFile(st.dir, 'meta.txt', 10);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--meta', 'InternalReference=ABC-123', '--meta', 'batch=7', '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(st.fx.uploadMetadata.get(JSON.parse(r.stdout).trackingId)).toEqual({ internalreference: 'ABC-123', batch: '7' });
    const plain = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--name', 'meta2.txt', '--json'], st.env);
    expect(plain.code).toBe(0);
    const put = fileRequests('PUT').find((q) => q.path.endsWith('/meta2.txt'))!;
    expect(Object.keys(put.headers).filter((h) => h.startsWith('filex-'))).toEqual([]);
  });

  test('a --meta value outside the FILE_NAME characters is refused locally (exit 2)', async () => {
    const f = await makeFile(st.dir, 'meta3.txt', 10);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--meta', 'note=has space'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidOption: --meta note/);
  });

  test('a non-writable space is refused from its listing before any upload request (exit 4)', async () => {
    const f = await makeFile(st.dir, 'ro.txt', 10);
    const puts = fileRequests('PUT').length;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/out'], st.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/SpaceNotWritable: 0001\/app1\/out is not writable \(writable spaces: in\)/);
    expect(fileRequests('PUT').length).toBe(puts);
  });

  test('a file name outside the FILE_NAME rule is refused locally (exit 2)', async () => {
    const f = await makeFile(st.dir, 'bad name.txt', 10);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidFileName: local file name 'bad name\.txt' is not a valid fileX name: it contains space/);
    const r2 = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--name', '../x'], st.env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/InvalidFileName: --name '\.\.\/x'/);
  });

  test('stdin with --name is spooled and uploaded; stdin without --name is a usage error', async () => {
    const data = Buffer.from('consentId\nabc\n');
    const r = await runCli(['filex', 'upload', '-', '0001/app1/in', '--name', 'from-stdin.csv', '--json'], st.env, { input: data });
    expect(r.code, r.stderr).toBe(0);
    expect((await st.fx.readUploaded('in', 'from-stdin.csv'))!.equals(data)).toBe(true);
    const r2 = await runCli(['filex', 'upload', '-', '0001/app1/in'], st.env, { input: data });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/needs --name/);
  });

  test('a missing local file is exit 2; a bad target path is exit 2', async () => {
    const r = await runCli(['filex', 'upload', `${st.dir}/nope.bin`, '0001/app1/in'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FileNotFound/);
    const r2 = await runCli(['filex', 'upload', `${st.dir}/nope.bin`, 'org1/app1/in'], st.env);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/org 'org1' must be digits/);
  });

  test('a 503 from fileX is retried; the upload still succeeds once', async () => {
    const f = await makeFile(st.dir, 'retry.txt', 100);
    st.fx.faults.status5xxOnce = true;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(st.fx.faults.status5xxOnce).toBe(false);
    expect((await st.fx.readUploaded('in', 'retry.txt'))!.equals(f.data)).toBe(true);
  });

  test('S3 refusing the pre-signed PUT with 503 every time ends in exit 3 after retries', async () => {
    const f = await makeFile(st.dir, 'down.txt', 100);
    st.s3.faults.failAfterRequests = 0;
    try {
      const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--retries', '1'], st.env);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/ServerError: S3 answered 503/);
    } finally {
      st.s3.faults.failAfterRequests = undefined;
    }
  });
});
