// `batchprep sandbox --s3-endpoint --s3-bucket` as users run it: the fileX files live in a bucket
// of an S3-compatible server (the tests' s3rver behind its credential gate, which accepts only
// the keys it issued, given to the sandbox as AWS_* variables), S3 Direct is served with those
// keys, and REST uploads and downloads go through URLs pre-signed for that server.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedCredentials } from '../../src/sandbox/object-store.js';
import { type S3Harness, startS3 } from '../servers/s3-server.js';
import { baseEnv, bin, root, type Started, useSandboxCli } from './cli-harness.js';

const sb = useSandboxCli('sandbox-s3-');
const { cli } = sb;

let s3: S3Harness;
let keys: IssuedCredentials;
beforeAll(async () => {
  s3 = await startS3({ bucket: 'sandbox-bucket' });
  keys = s3.issueCredentials(3600);
});
afterAll(async () => {
  await s3?.close();
});

const awsEnv = () => ({ AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_SESSION_TOKEN: keys.sessionToken });
const s3Flags = () => ['--s3-endpoint', s3.endpoint, '--s3-bucket', s3.bucket];
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Starts the sandbox on the harness's bucket with the issued keys. */
function startWithS3(args: string[] = []): Promise<Started> {
  return sb.startCli([...s3Flags(), ...args], awsEnv());
}

/** Stops the sandbox (exit 0) and checks that neither the AWS secret nor the session token reached its output. */
async function stopAndCheckOutput(s: Started): Promise<void> {
  s.child.kill('SIGTERM');
  expect(await s.exited).toBe(0);
  const printed = s.stdout() + s.stderr();
  expect(printed).not.toContain(keys.secretAccessKey);
  expect(printed).not.toContain(keys.sessionToken);
}

/** A fileX call straight to the sandbox with a fresh FIP token (for what the CLI does not show). */
async function filexGet(env: Record<string, string>, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const basic = Buffer.from(`${env.FILEX_USERNAME}:${env.FILEX_PASSWORD}`).toString('base64');
  const tok = await fetch(`${env.FIP_TOKEN_URL}?grant_type=client_credentials`, { method: 'POST', headers: { authorization: `Basic ${basic}` } });
  const { access_token } = (await tok.json()) as { access_token: string };
  const res = await fetch(`${env.FILEX_BASE_URL}${path}`, { method: path.startsWith('/files/0001/app1/in/') ? 'PUT' : 'GET', headers: { authorization: `Bearer ${access_token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('batchprep sandbox with an S3-compatible server', () => {
  it('prints FILEX_S3_ENDPOINT with the rest of the environment (export lines and --json), never the AWS keys', async () => {
    const child = sb.track(spawn(process.execPath, [bin, 'sandbox', '--dir', join(sb.work, 'state'), ...s3Flags()], { cwd: sb.work, env: { ...baseEnv, ...awsEnv() } }));
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('FILEX_PASSWORD') && resolve()));
    expect(out).toContain(`export FILEX_S3_ENDPOINT='${s3.endpoint}'\n`);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toContain(`objects in bucket ${s3.bucket} at ${s3.endpoint}`);
    for (const secret of [keys.secretAccessKey, keys.sessionToken]) expect(out + err).not.toContain(secret);
    // With S3 the objects are in the bucket: --dir holds the state only.
    expect(existsSync(join(sb.work, 'state', 'objects'))).toBe(false);

    const s = await startWithS3();
    expect(s.info.env.FILEX_S3_ENDPOINT).toBe(s3.endpoint);
    expect(s.info.s3).toEqual({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1' });
    await stopAndCheckOutput(s);
  });

  it('S3TransferTokens hands out the configured keys for the bucket, expiring one hour ahead', async () => {
    const s = await startWithS3(['--s3-region', 'eu-west-1']);
    const before = Date.now();
    const t = await filexGet(s.info.env, '/S3TransferTokens/0001/app1');
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({
      region: 'eu-west-1',
      readPaths: [`${s3.bucket}/0001/app1/in_arcv/`, `${s3.bucket}/0001/app1/out/`],
      writePaths: [`${s3.bucket}/0001/app1/in/`],
      credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken },
    });
    const expiresIn = Date.parse((t.body.credentials as { expiration: string }).expiration) - before;
    expect(expiresIn).toBeGreaterThan(3_590_000);
    expect(expiresIn).toBeLessThanOrEqual(3_601_000);
    await stopAndCheckOutput(s);
  });

  it('filex upload --via s3 of a multipart file lands byte-identical in the bucket under org/app/in/name', async () => {
    const s = await startWithS3();
    const data = randomBytes(11 * 1024 * 1024);
    await writeFile(join(sb.work, 'big.bin'), data);
    const putBytesBefore = s3.stats.putBytes;
    const up = await cli(['filex', 'upload', join(sb.work, 'big.bin'), '0001/app1/in', '--via', 's3', '--part-size', '5MiB', '--json'], s.info.env);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ via: 's3', bytes: data.length, sha256: sha256(data), path: '0001/app1/in/big.bin' });
    const landed = await s3.getObject('0001/app1/in/big.bin');
    expect(landed && sha256(landed)).toBe(sha256(data));
    // The bytes went to the S3 server (through the gate), in parts that were all completed.
    expect(s3.stats.putBytes - putBytesBefore).toBeGreaterThanOrEqual(data.length);
    expect(await s3.listMultipartUploads()).toEqual([]);
    await stopAndCheckOutput(s);
  });

  it('filex upload --via s3 --wait reaches ACCEPTED: the sandbox tracks what S3 Direct put in in/', async () => {
    const s = await startWithS3(['--faults', 'polls=1']);
    const up = await cli(['filex', 'upload', join(root, 'examples', 'consents.csv'), '0001/app1/in', '--name', 'direct.csv', '--via', 's3', '--wait', '--interval', '1', '--json'], s.info.env);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).tracking).toMatchObject({ fileName: 'direct.csv', downstreamStatus: 'ACCEPTED' });
    // The archived copy and the feedback file were written into the bucket too.
    const arcv = (await s3.listObjects('0001/app1/in_arcv/')).map((o) => o.key);
    expect(arcv).toContainEqual(expect.stringMatching(/^0001\/app1\/in_arcv\/\d{14}-direct\.csv$/));
    const out = (await s3.listObjects('0001/app1/out/')).map((o) => o.key);
    expect(out).toContainEqual(expect.stringMatching(/^0001\/app1\/out\/FEEDBACK_\d{14}_direct\.csv\.txt$/));
    // ...and S3 Direct reads it back from the out read path (README's worked example).
    const down = await cli(['filex', 'download', '0001/app1/out', '--all', '--via', 's3', '-o', join(sb.work, 'feedback/')], s.info.env);
    expect(down.code, down.stderr).toBe(0);
    const feedback = out.find((k) => k.endsWith('_direct.csv.txt'))!;
    expect(await readFile(join(sb.work, 'feedback', feedback.split('/').at(-1)!), 'utf8')).toMatch(/direct\.csv: ACCEPTED/);
    await stopAndCheckOutput(s);
  });

  it('plain static keys (no AWS_SESSION_TOKEN): the token document carries sessionToken "" and batchprep signs without one', async () => {
    // s3rver itself (no gate) takes its own static key and no session token, like MinIO's root keys.
    const s = await sb.startCli(['--s3-endpoint', s3.directEndpoint, '--s3-bucket', s3.bucket], { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    const t = await filexGet(s.info.env, '/S3TransferTokens/0001/app1');
    expect(t.body.credentials).toMatchObject({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: '' });
    const csv = join(root, 'examples', 'consents.csv');
    const up = await cli(['filex', 'upload', csv, '0001/app1/in', '--name', 'static.csv', '--via', 's3'], s.info.env);
    expect(up.code, up.stderr).toBe(0);
    expect((await s3.getObject('0001/app1/in/static.csv'))?.equals(await readFile(csv))).toBe(true);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('REST upload and download go through URLs pre-signed for the S3 server', async () => {
    const s = await startWithS3();
    const put = await filexGet(s.info.env, '/files/0001/app1/in/probe.csv');
    expect(put.status).toBe(200);
    expect(String(put.body.url).startsWith(`${s3.endpoint}/${s3.bucket}/0001/app1/in/probe.csv?`)).toBe(true);
    expect(String(put.body.url)).not.toMatch(/x-amz-checksum-/i);
    // Signed for the host only, with one payload parameter (not also the transport's PUT header).
    expect(String(put.body.url)).toMatch(/[?&]X-Amz-SignedHeaders=host(&|$)/);
    expect(String(put.body.url).match(/x-amz-content-sha256=/gi)?.length ?? 0).toBeLessThanOrEqual(1);

    const csv = join(root, 'examples', 'consents.csv');
    const up = await cli(['filex', 'upload', csv, '0001/app1/in', '--json'], s.info.env);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).via).toBe('rest');
    const landed = await s3.getObject('0001/app1/in/consents.csv');
    expect(landed && sha256(landed)).toBe(JSON.parse(up.stdout).sha256);

    const report = randomBytes(4096);
    await s3.putObject('0001/app1/out/report.bin', report);
    const get = await filexGet(s.info.env, '/files/0001/app1/out/report.bin');
    expect(String(get.body.url).startsWith(`${s3.endpoint}/${s3.bucket}/0001/app1/out/report.bin?`)).toBe(true);
    const down = await cli(['filex', 'download', '0001/app1/out/report.bin', '-o', join(sb.work, 'report.bin')], s.info.env);
    expect(down.code, down.stderr).toBe(0);
    expect(sha256(await readFile(join(sb.work, 'report.bin')))).toBe(sha256(report));
    await stopAndCheckOutput(s);
  });

  it('a half S3 configuration, missing keys or an unusable bucket start nothing and exit 2', async () => {
    const never = join(sb.work, 'never');
    const cases: Array<{ args: string[]; env: Record<string, string>; message: RegExp }> = [
      { args: ['--s3-bucket', s3.bucket], env: awsEnv(), message: /--s3-bucket needs --s3-endpoint/ },
      { args: ['--s3-endpoint', s3.endpoint], env: awsEnv(), message: /--s3-endpoint needs --s3-bucket/ },
      { args: ['--s3-region', 'eu-west-1'], env: awsEnv(), message: /--s3-region applies with --s3-endpoint and --s3-bucket only/ },
      { args: s3Flags(), env: { AWS_ACCESS_KEY_ID: keys.accessKeyId }, message: /needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/ },
      { args: ['--s3-endpoint', 'http://s3.example.com', '--s3-bucket', s3.bucket], env: awsEnv(), message: /--s3-endpoint: http:\/\/s3\.example\.com is not allowed/ },
    ];
    for (const c of cases) {
      const r = await cli(['sandbox', '--dir', never, ...c.args], c.env);
      expect(r.code, `${c.args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(c.message);
      expect(r.stdout).toBe('');
      expect(existsSync(never)).toBe(false);
    }
    // The bucket is probed before the environment is printed: a wrong one or a wrong key ends it (exit 2).
    const state = join(sb.work, 'state');
    const noBucket = await cli(['sandbox', '--dir', state, '--s3-endpoint', s3.endpoint, '--s3-bucket', 'no-such-bucket'], awsEnv());
    expect(noBucket.code, noBucket.stderr).toBe(2);
    expect(noBucket.stderr).toMatch(/bucket no-such-bucket at .*: no such bucket \(HTTP 404\): check --s3-endpoint/);
    expect(noBucket.stdout).toBe('');
    expect(existsSync(state), 'a sandbox that never started leaves no --dir it created').toBe(false);
    const wrongSecret = await cli(['sandbox', '--dir', state, ...s3Flags()], { ...awsEnv(), AWS_SESSION_TOKEN: 'not-the-issued-token' });
    expect(wrongSecret.code, wrongSecret.stderr).toBe(2);
    expect(wrongSecret.stderr).toMatch(/the keys were refused \(HTTP 403\)/);
    expect(wrongSecret.stdout).toBe('');
    // A message that would carry the secret (here pasted into the endpoint's path) shows it masked.
    const pasted = await cli(['sandbox', '--dir', state, '--s3-endpoint', `http://127.0.0.1:1/${keys.secretAccessKey}`, '--s3-bucket', s3.bucket], awsEnv());
    expect(pasted.code, pasted.stderr).toBe(2);
    expect(pasted.stderr).toMatch(/http:\/\/127\.0\.0\.1:1\/\*\*\*/);
    for (const r of [noBucket, wrongSecret, pasted]) expect(r.stderr + r.stdout).not.toContain(keys.secretAccessKey);
  });

  it('--help says what is emulated with and without S3', async () => {
    const r = await cli(['sandbox', '--help'], {});
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--s3-endpoint/);
    expect(help).toMatch(/AWS_SECRET_ACCESS_KEY/);
    expect(help).toMatch(/readPaths\/writePaths are not enforced/);
    expect(help).toMatch(/Not emulated: S3 Direct without an S3 server/);
  });
});
