import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, startStack, type RunResult, type Stack } from './filex-helpers.js';

/**
 * Runs every fileX command, in success and in failure, with --debug (stacks shown), and
 * checks that no password, bearer token, STS key or pre-signed URL signature reached the
 * output. The fileX server records every bearer it was sent; STS key IDs and signatures
 * are recognised by shape.
 */
describe('fileX never prints secrets', () => {
  let st: Stack;
  const outputs: RunResult[] = [];
  beforeAll(async () => {
    // 3 s, not less: a loaded machine needs the renewal margin (see filex-upload-s3.test.ts).
    st = await startStack({ stsTtlSeconds: 3 });
    await st.fx.seedFile('out', 'fb.txt', Buffer.from('x'));
  });
  afterAll(async () => {
    await st?.close();
  });

  const run = async (args: string[], env = st.env) => {
    const r = await runCli([...args, '--debug'], env);
    outputs.push(r);
    return r;
  };

  test('success and failure paths across ls, upload (rest, s3), download and track', async () => {
    const f = await makeFile(st.dir, 'sec.bin', 6 * 1024 * 1024);
    expect((await run(['filex', 'ls', '0001/app1/out'])).code).toBe(0);
    const up = await run(['filex', 'upload', f.path, '0001/app1/in', '--json']);
    expect(up.code).toBe(0);
    expect((await run(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--part-size', '5MiB'])).code).toBe(0);
    expect((await run(['filex', 'download', '0001/app1/out/fb.txt', '-o', `${st.dir}/`])).code).toBe(0);
    expect((await run(['filex', 'track', JSON.parse(up.stdout).trackingId])).code).toBe(0);
    // Failures, whose messages carry URLs and server words.
    st.s3.faults.failAfterRequests = 0;
    expect((await run(['filex', 'upload', f.path, '0001/app1/in', '--retries', '0'])).code).toBe(3);
    expect((await run(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--retries', '0'])).code).toBe(3);
    st.s3.faults.failAllMethods = true;
    expect((await run(['filex', 'download', '0001/app1/out/fb.txt', '-o', `${st.dir}/x`, '--retries', '0'])).code).toBe(3);
    st.s3.faults.failAfterRequests = undefined;
    st.s3.faults.failAllMethods = undefined;
    st.fx.faults.presignTtlSeconds = 0;
    await run(['filex', 'download', '0001/app1/out/fb.txt', '-o', `${st.dir}/y`, '--retries', '0']);
    st.fx.faults.presignTtlSeconds = undefined;
    expect((await run(['filex', 'ls', '0001'], { ...st.env, FILEX_PASSWORD: `${st.fx.password}-wrong` })).code).toBe(4);

    const text = outputs.map((o) => o.stdout + o.stderr).join('\n');
    const bearers = [...new Set(st.fx.stats.requests.map((r) => /^Bearer (\S+)$/.exec(r.headers.authorization ?? '')?.[1]).filter(Boolean))] as string[];
    expect(bearers.length).toBeGreaterThan(0);
    expect(text).not.toContain(st.fx.password);
    expect(text).not.toContain(Buffer.from(`${st.fx.username}:${st.fx.password}`).toString('base64'));
    for (const b of bearers) expect(text).not.toContain(b);
    expect(text).not.toMatch(/ASIA[A-Z0-9]{16}/);
    expect(text).not.toMatch(/X-Amz-(Signature|Security-Token|Credential)=(?!\*\*\*)/i);
    expect(text).not.toMatch(/FwoGZXIvYXdz/);
    // The failures did say something useful.
    expect(text).toMatch(/ServerError/);
  });
});
