import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFilexClient, downloadFromFilex, trackFilex, uploadToFilex } from '../../../src/index.js';
import { keyOf, makeFile, sha256, startStack, type Stack } from './filex-helpers.js';

describe('fileX library API (src/index.ts)', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  const client = () => createFilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl });

  test('uploadToFilex (rest, s3) → trackFilex wait → downloadFromFilex of the archived copy', async () => {
    st.fx.faults.pollsToFinal = 1;
    const c = client();
    const f = await makeFile(st.dir, 'lib.csv', 50_000);
    const up = await uploadToFilex(c, f.path, '0001/app1/in');
    expect(up).toMatchObject({ name: 'lib.csv', bytes: 50_000, sha256: sha256(f.data), via: 'rest' });
    const s3 = await uploadToFilex(c, f.path, '0001/app1/in', { via: 's3', name: 'lib-s3.csv', endpoint: st.s3.endpoint });
    expect(sha256((await st.s3.getObject(keyOf(st, 'in', 'lib-s3.csv')))!)).toBe(s3.sha256);
    const rec = await trackFilex(c, up.trackingId!, { wait: true, intervalMs: 20, timeoutMs: 10_000 });
    expect(rec.downstreamStatus).toBe('ACCEPTED');
    expect(rec.arcvFileName).toMatch(/lib\.csv$/);
    const [got] = await downloadFromFilex(c, `0001/app1/in_arcv/${rec.arcvFileName}`, join(st.dir, 'back.csv'));
    expect(got!.sha256).toBe(sha256(f.data));
    expect((await readFile(join(st.dir, 'back.csv'))).equals(f.data)).toBe(true);
  });

  test('options are checked when the client is built', () => {
    expect(() => createFilexClient({ username: 'u', password: '' })).toThrow(expect.objectContaining({ code: 'MissingCredential' }));
    expect(() => createFilexClient({ username: 'u', password: 'p', baseUrl: 'http://filex.example' })).toThrow(expect.objectContaining({ code: 'InsecureEndpoint' }));
  });
});
