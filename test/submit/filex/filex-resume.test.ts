import { readFile, stat, utimes } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyOf, makeFile, runCli, sha256, startStack, startThrottle, type Stack } from './filex-helpers.js';

const MiB = 1024 * 1024;
const exists = (p: string) => stat(p).then(() => true, () => false);

describe('filex upload --via s3 --resume', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  const args = (file: string) => ['filex', 'upload', file, '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--concurrency', '1', '--resume', '--retries', '0'];

  test('a failed run keeps the upload and its journal; the re-run sends only the missing parts', async () => {
    const f = await makeFile(st.dir, 'resume-fail.bin', 18 * MiB + 7);
    const journal = `${f.path}.filex-upload.json`;
    st.s3.faults.failAfterRequests = 3; // create + 2 parts pass
    let r;
    try {
      r = await runCli(args(f.path), st.env);
    } finally {
      st.s3.faults.failAfterRequests = undefined;
    }
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/2 of 4 parts are stored; run the same command with --resume/);
    const j = JSON.parse(await readFile(journal, 'utf8'));
    expect(Object.keys(j.parts).sort()).toEqual(['1', '2']);
    expect((await st.s3.listMultipartUploads()).map((u) => u.uploadId)).toEqual([j.uploadId]);

    const before = st.s3.stats.putBytes;
    const again = await runCli([...args(f.path), '--json'], st.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming multipart upload: 2 part\(s\) already stored/);
    // Only parts 3 and 4 travelled the second time (plus the small CompleteMultipartUpload body).
    const sent = st.s3.stats.putBytes - before;
    expect(sent).toBeGreaterThanOrEqual(8 * MiB + 7);
    expect(sent).toBeLessThan(8 * MiB + 7 + 4096);
    expect(JSON.parse(again.stdout).sha256).toBe(sha256(f.data));
    expect(sha256((await st.s3.getObject(keyOf(st, 'in', 'resume-fail.bin')))!)).toBe(sha256(f.data));
    expect(await exists(journal)).toBe(false);
    expect(await st.s3.listMultipartUploads()).toEqual([]);
  });

  test('a crash (SIGKILL) mid-upload, then --resume: the stored object is byte-identical to the source', async () => {
    const f = await makeFile(st.dir, 'resume-crash.bin', 17 * MiB);
    const journal = `${f.path}.filex-upload.json`;
    const slow = await startThrottle(st.s3.endpoint, 6 * MiB);
    try {
      const r = await runCli(args(f.path), { ...st.env, FILEX_S3_ENDPOINT: slow.endpoint }, {
        onSpawn: (child) => {
          // Kill once the journal records a part: a real crash, no clean-up code runs.
          // The journal may be absent, mid-rename or the `{}` writability probe: only a
          // journal that lists a part counts, and a poll never throws.
          const t = setInterval(async () => {
            const j = (await readFile(journal, 'utf8').then(JSON.parse, () => undefined).catch(() => undefined)) as
              | { parts?: Record<string, string> }
              | undefined;
            if (j?.parts && typeof j.parts === 'object' && Object.keys(j.parts).length >= 1) {
              clearInterval(t);
              child.kill('SIGKILL');
            }
          }, 20);
          child.on('close', () => clearInterval(t));
        },
      });
      expect(r.signal).toBe('SIGKILL');
    } finally {
      await slow.close();
    }
    expect(await exists(journal)).toBe(true);
    expect(await st.s3.listMultipartUploads()).toHaveLength(1);
    const again = await runCli(args(f.path), st.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming multipart upload: \d part\(s\) already stored/);
    expect(sha256((await st.s3.getObject(keyOf(st, 'in', 'resume-crash.bin')))!)).toBe(sha256(f.data));
    expect(await exists(journal)).toBe(false);
    expect(await st.s3.listMultipartUploads()).toEqual([]);
  });

  test('a journal for a file that changed since is not trusted: the upload starts over', async () => {
    const f = await makeFile(st.dir, 'resume-changed.bin', 11 * MiB);
    st.s3.faults.failAfterRequests = 2;
    try {
      expect((await runCli(args(f.path), st.env)).code).toBe(3);
    } finally {
      st.s3.faults.failAfterRequests = undefined;
    }
    await utimes(f.path, new Date(), new Date(Date.now() + 5000));
    const again = await runCli(args(f.path), st.env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/is for another file, target or part size; starting a new upload/);
    expect(sha256((await st.s3.getObject(keyOf(st, 'in', 'resume-changed.bin')))!)).toBe(sha256(f.data));
    // The stale upload was aborted, not left behind.
    expect(await st.s3.listMultipartUploads()).toEqual([]);
  });
});
