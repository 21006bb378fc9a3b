import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyOf, makeFile, runCli, sha256, startStack, startThrottle, type Stack } from './filex-helpers.js';

const MiB = 1024 * 1024;

describe('filex upload --via s3', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  test('multipart upload of 12 MiB in 5 MiB parts stores the exact bytes and leaves no multipart upload', async () => {
    const f = await makeFile(st.dir, 'multi.bin', 12 * MiB + 123);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--concurrency', '2', '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ trackingId: null, name: 'multi.bin', bytes: 12 * MiB + 123, sha256: sha256(f.data), via: 's3' });
    const stored = await st.s3.getObject(keyOf(st, 'in', 'multi.bin'));
    expect(sha256(stored!)).toBe(sha256(f.data));
    expect(await st.s3.listMultipartUploads()).toEqual([]);
  });

  test('a space that is not among the write paths is refused before any byte (exit 4)', async () => {
    const f = await makeFile(st.dir, 'nope.bin', 1000);
    const before = st.s3.stats.putBytes;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/out', '--via', 's3'], st.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/SpaceNotWritable: 0001\/app1\/out is not among the S3 write paths/);
    expect(st.s3.stats.putBytes).toBe(before);
  });

  test('a part size under 5 MiB is a usage error (exit 2)', async () => {
    const f = await makeFile(st.dir, 'small-part.bin', 1000);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--part-size', '1MiB'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidOption: --part-size/);
  });

  test('S3 failing mid-multipart: the upload is aborted, nothing remains, exit 3', async () => {
    const f = await makeFile(st.dir, 'fail.bin', 16 * MiB);
    // Create + first part pass; every later PUT/POST gets 503 (the SDK retries, then gives up).
    st.s3.faults.failAfterRequests = 2;
    try {
      const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--concurrency', '1', '--retries', '0'], st.env);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/multipart upload was aborted; nothing partial remains/);
    } finally {
      st.s3.faults.failAfterRequests = undefined;
    }
    expect(await st.s3.listMultipartUploads()).toEqual([]);
    expect(await st.s3.getObject(keyOf(st, 'in', 'fail.bin'))).toBeUndefined();
  });

  test('Ctrl-C mid-upload aborts the multipart upload (exit 130)', async () => {
    const f = await makeFile(st.dir, 'sigint.bin', 16 * MiB);
    const slow = await startThrottle(st.s3.endpoint, 4 * MiB);
    const start = st.s3.stats.putBytes;
    try {
      const r = await runCli(
        ['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--concurrency', '1'],
        { ...st.env, FILEX_S3_ENDPOINT: slow.endpoint },
        {
          onSpawn: (child) => {
            const t = setInterval(() => {
              if (st.s3.stats.putBytes - start > 6 * MiB) {
                clearInterval(t);
                child.kill('SIGINT');
              }
            }, 20);
            child.on('close', () => clearInterval(t));
          },
        },
      );
      expect(r.code, r.stderr).toBe(130);
    } finally {
      await slow.close();
    }
    expect(await st.s3.listMultipartUploads()).toEqual([]);
    expect(await st.s3.getObject(keyOf(st, 'in', 'sigint.bin'))).toBeUndefined();
  });
});

describe('STS credentials that expire during the upload', () => {
  let st: Stack;
  beforeAll(async () => {
    // FIP bearer tokens live 1 s and STS credentials 3 s: both must be renewed during the
    // upload. 3 s, not less: renewal starts with a third of the life left, and that 1 s is all
    // a loaded machine has between signing a request and the gate checking it.
    st = await startStack({ stsTtlSeconds: 3, accessTokenTtlSeconds: 1 });
  });
  afterAll(async () => {
    await st?.close();
  });

  test('the provider fetches new tokens before expiry, so a 5 s upload with 3 s tokens completes', async () => {
    const f = await makeFile(st.dir, 'long.bin', 20 * MiB);
    const slow = await startThrottle(st.s3.endpoint, 4 * MiB);
    try {
      const r = await runCli(
        ['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--concurrency', '1', '--json'],
        { ...st.env, FILEX_S3_ENDPOINT: slow.endpoint },
      );
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await slow.close();
    }
    expect(st.fx.stats.stsRequests).toBeGreaterThanOrEqual(2);
    expect(st.fx.stats.tokenRequests).toBeGreaterThanOrEqual(2);
    expect(st.s3.stats.rejectedExpired).toBe(0);
    expect(sha256((await st.s3.getObject(keyOf(st, 'in', 'long.bin')))!)).toBe(sha256(f.data));
  });
});
