// Issue 9 fault suite: S3 Direct resets the connection on every part upload after the first
// one (the project's S3 gate, failMode 'reset'). The CLI fails as exit 3 and aborts the
// multipart upload: no open multipart upload, no object and no local file are left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyOf, makeFile, startStack, type Stack } from '../submit/filex/filex-helpers.js';
import { filesUnder, record, runCli, secretsIn } from './fault-kit.js';

const MiB = 1024 * 1024;
let st: Stack;

beforeAll(async () => {
  st = await startStack();
});
afterAll(async () => {
  await st?.close();
});

describe('S3 Direct resets every part upload after the first', () => {
  it('filex upload --via s3: exit 3, the multipart upload is aborted, nothing is left', async () => {
    const f = await makeFile(st.dir, 'reset.bin', 12 * MiB);
    const before = await filesUnder(st.dir);
    st.s3.faults.failMode = 'reset';
    st.s3.faults.failAfterRequests = 2; // create + first part pass
    let r;
    try {
      r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--concurrency', '1', '--retries', '1'], st.env, st.dir);
    } finally {
      st.s3.faults.failAfterRequests = undefined;
      st.s3.faults.failMode = undefined;
    }
    const open = await st.s3.listMultipartUploads();
    const object = await st.s3.getObject(keyOf(st, 'in', 'reset.bin'));
    const after = await filesUnder(st.dir);
    record({ scenario: 'reset mid-body: S3 multipart part uploads', command: 'filex upload reset.bin 0001/app1/in --via s3 --part-size 5MiB --concurrency 1 --retries 1', left: `${open.length} open multipart uploads, ${object ? 'an' : 'no'} object, ${after.length - before.length} new local files` }, r);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr, r.stderr).toMatch(/aborted/);
    expect(r.stderr).toMatch(/NetworkError: .*(ECONNRESET|EPIPE|socket hang up)/); // a reset, not "raise --timeout"
    expect(r.stderr).not.toMatch(/raise --timeout/);
    expect(open).toEqual([]);
    expect(object).toBeUndefined();
    expect(after).toEqual(before);
    expect(secretsIn(r)).toEqual([]);
  });
});
