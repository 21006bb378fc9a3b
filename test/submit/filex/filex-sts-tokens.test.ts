// Issue 10.7: S3TransferTokens in both of the guide's shapes; a missing or unreadable
// `expiration` means "valid 1 hour from receipt" (the guide), renewed a margin before.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFilexClient } from '../../../src/index.js';
import { stsCredentialProvider } from '../../../src/submit/filex/transports/s3-common.js';
import { keyOf, makeFile, runCli, sha256, startStack, type Stack } from './filex-helpers.js';

describe.each([
  ['top-level', 'missing'],
  ['nested', 'unreadable'],
] as const)('S3TransferTokens %s, expiration %s', (shape, expiration) => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack({ stsShape: shape, stsExpiration: expiration });
  });
  afterAll(async () => {
    await st?.close();
  });

  test('upload and download --via s3 work with these tokens', async () => {
    const f = await makeFile(st.dir, 'sts.bin', 70_000);
    const up = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3'], st.env);
    expect(up.code, up.stderr).toBe(0);
    expect(sha256((await st.s3.getObject(keyOf(st, 'in', 'sts.bin')))!)).toBe(sha256(f.data));
    await st.fx.seedFile('out', 'back.bin', f.data);
    const down = await runCli(['filex', 'download', '0001/app1/out/back.bin', '--via', 's3', '-o', `${st.dir}/`], st.env);
    expect(down.code, down.stderr).toBe(0);
  });

  test('the credentials are taken to live 1 hour from receipt and are renewed 5 minutes before', async () => {
    const c = createFilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl });
    let now = Date.parse('2026-01-01T00:00:00Z');
    const first = await c.s3Tokens('0001', 'app1');
    expect(first.credentials.accessKeyId).toMatch(/\S/);
    const sts = stsCredentialProvider(c, '0001', 'app1', first, undefined, { now: () => now });
    const before = st.fx.stats.stsRequests;
    const a = await sts.provider();
    expect(a.expiration.getTime()).toBe(now + 3_600_000);
    now += 54 * 60_000;
    await sts.provider();
    expect(st.fx.stats.stsRequests).toBe(before);
    now += 2 * 60_000; // 56 minutes after receipt: inside the 5-minute margin
    const b = await sts.provider();
    expect(st.fx.stats.stsRequests).toBe(before + 1);
    expect(sts.refreshes()).toBe(1);
    expect(b.accessKeyId).not.toBe(a.accessKeyId);
    expect(b.expiration.getTime()).toBe(now + 3_600_000);
  });
});
