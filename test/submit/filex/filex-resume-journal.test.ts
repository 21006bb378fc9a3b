// Issue 9.5, S3 half: --resume never leaves an upload it cannot continue, and a later
// non-resume upload does not leave the earlier run's multipart upload open.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyOf, makeFile, runCli, sha256, startStack, type Stack } from './filex-helpers.js';

const MiB = 1024 * 1024;
const exists = (p: string) => stat(p).then(() => true, () => false);

describe('filex upload --via s3: the --resume journal', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  const base = (file: string) => ['filex', 'upload', file, '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--concurrency', '1', '--retries', '0'];

  test('--resume refuses before sending anything when its journal cannot be written (exit 2, no token, no multipart upload)', async () => {
    const f = await makeFile(st.dir, 'journal-blocked.bin', 6 * MiB);
    // A directory where the journal must go: the atomic rename onto it fails, even for root.
    await mkdir(`${f.path}.filex-upload.json`);
    const tokensBefore = st.fx.stats.stsRequests;
    const s3Before = st.s3.stats.requests;
    const r = await runCli([...base(f.path), '--resume'], st.env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/NotWritable: --resume keeps its journal at .*journal-blocked\.bin\.filex-upload\.json, which cannot be written .*nothing was sent/);
    expect(st.fx.stats.stsRequests).toBe(tokensBefore);
    expect(st.s3.stats.requests).toBe(s3Before);
    expect(await st.s3.listMultipartUploads()).toEqual([]);
  });

  test('a later upload without --resume aborts the open multipart upload of the stale journal and removes the journal', async () => {
    const f = await makeFile(st.dir, 'stale.bin', 12 * MiB);
    const journal = `${f.path}.filex-upload.json`;
    st.s3.faults.failAfterRequests = 2; // create + 1 part pass, then the upload fails
    try {
      expect((await runCli([...base(f.path), '--resume'], st.env)).code).toBe(3);
    } finally {
      st.s3.faults.failAfterRequests = undefined;
    }
    const j = JSON.parse(await readFile(journal, 'utf8'));
    expect((await st.s3.listMultipartUploads()).map((u) => u.uploadId)).toEqual([j.uploadId]);

    const r = await runCli(base(f.path), st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`its multipart upload ${j.uploadId} was aborted and the journal removed`);
    expect(await exists(journal)).toBe(false);
    expect(await st.s3.listMultipartUploads()).toEqual([]);
    expect(sha256((await st.s3.getObject(keyOf(st, 'in', 'stale.bin')))!)).toBe(sha256(f.data));
  });
});
