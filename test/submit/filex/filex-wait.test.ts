// Issue 10.9: tracking that closes the loop: upload --wait, the filtered 90-day list, the
// archived copy by tracking ID, and --all that notices changed files.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, startStack, type Stack } from './filex-helpers.js';

describe('tracking that closes the loop', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
  });
  afterAll(async () => {
    await st?.close();
  });

  test('upload --wait over REST waits by trackingId: ACCEPTED exits 0, REJECTED exits 1', async () => {
    const f = await makeFile(st.dir, 'w1.csv', 200);
    const ok = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--wait', '--interval', '0.05', '--json'], st.env);
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out.tracking).toMatchObject({ trackingId: out.trackingId, fileName: 'w1.csv', downstreamStatus: 'ACCEPTED' });
    st.fx.faults.autoAccept = 'REJECTED';
    try {
      const bad = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--name', 'w2.csv', '--wait', '--interval', '0.05'], st.env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/Rejected: w2\.csv was REJECTED by FINRA/);
    } finally {
      st.fx.faults.autoAccept = undefined;
    }
  });

  test('upload --wait over S3 finds the submission by name, location and time in the 90-day list', async () => {
    const f = await makeFile(st.dir, 'w3.csv', 300);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 's3', '--wait', '--interval', '0.05'], st.env);
    expect(r.code, r.stderr).toBe(0);
    const [id, status] = r.stdout.trim().split(' ');
    expect(status).toBe('ACCEPTED');
    expect(st.fx.tracking.get(id!)).toMatchObject({ fileName: 'w3.csv', uploadLocation: '0001/app1/in', downstreamStatus: 'ACCEPTED' });
  });

  test('upload --wait gives up after --timeout (exit 3 Timeout); --interval without --wait is a usage error', async () => {
    const f = await makeFile(st.dir, 'w4.csv', 100);
    st.fx.faults.pollsToFinal = 1_000_000;
    try {
      const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--wait', '--interval', '0.05', '--timeout', '0.3'], st.env);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/Timeout: tracking .* still 'RECEIVED'/);
    } finally {
      st.fx.faults.pollsToFinal = undefined;
    }
    const before = st.fx.stats.requests.length;
    const u = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--interval', '5'], st.env);
    expect(u.code).toBe(2);
    expect(st.fx.stats.requests.length).toBe(before);
  });

  test('track without an ID lists the last 90 days, filtered by --status, --name, --since and --app', async () => {
    const f = await makeFile(st.dir, 'listed.csv', 100);
    const up = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--wait', '--interval', '0.05'], st.env);
    expect(up.code, up.stderr).toBe(0);
    const list = async (...flags: string[]) => {
      const r = await runCli(['filex', 'track', '--json', ...flags], st.env);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Array<{ fileName: string; downstreamStatus: string }>).map((x) => x.fileName);
    };
    expect(await list('--name', 'listed.csv')).toEqual(['listed.csv']);
    expect(await list('--name', 'list*.csv', '--status', 'accepted')).toEqual(['listed.csv']);
    expect(await list('--name', 'listed.csv', '--status', 'REJECTED')).toEqual([]);
    expect(await list('--name', 'listed.csv', '--app', 'app1')).toEqual(['listed.csv']);
    expect(await list('--name', 'listed.csv', '--app', 'other')).toEqual([]);
    expect(await list('--name', 'listed.csv', '--since', new Date(Date.now() + 86_400_000).toISOString())).toEqual([]);
    expect((await list('--status', 'REJECTED')).length).toBeGreaterThan(0);
    const bad = await runCli(['filex', 'track', '--since', 'yesterday'], st.env);
    expect(bad.code).toBe(2);
  });

  test('download --tracking fetches the archived copy from in_arcv when tracking says it is downloadable', async () => {
    const f = await makeFile(st.dir, 'arch.csv', 4321);
    const up = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--wait', '--interval', '0.05', '--json'], st.env);
    const id = JSON.parse(up.stdout).trackingId as string;
    const dir = join(st.dir, 'arch');
    await mkdir(dir);
    const r = await runCli(['filex', 'download', '--tracking', id, '-o', dir], st.env);
    expect(r.code, r.stderr).toBe(0);
    const arcv = st.fx.tracking.get(id)!.arcvFileName!;
    expect(r.stdout).toBe(`${join(dir, arcv)}\n`);
    expect(await readFile(join(dir, arcv))).toEqual(f.data);
    // A record whose bytes never arrived has no archived copy.
    const c = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--name', 'never.csv'], st.env);
    const pendingId = c.stdout.trim();
    st.fx.setDownstream(pendingId, 'RECEIVED');
    const none = await runCli(['filex', 'download', '--tracking', pendingId, '-o', dir], st.env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/RemoteNotFound: submission .* has no downloadable archived copy/);
  });

  test('download --all fetches again a file whose lastModified changed at the same size; --force fetches all', async () => {
    const one = Buffer.from('version-1');
    const two = Buffer.from('version-2');
    await st.fx.seedFile('out', 'rolling.txt', one, new Date('2025-08-04T11:30:34Z'));
    const dir = join(st.dir, 'rolling');
    const run = async (...flags: string[]) => {
      const r = await runCli(['filex', 'download', '0001/app1/out', '--all', '-o', dir, '--json', ...flags], st.env);
      expect(r.code, r.stderr).toBe(0);
      return Object.fromEntries((JSON.parse(r.stdout) as Array<{ name: string; skipped?: string }>).map((x) => [x.name, x.skipped ?? 'fetched']));
    };
    expect((await run())['rolling.txt']).toBe('fetched');
    expect((await stat(join(dir, 'rolling.txt'))).mtime.toISOString()).toBe('2025-08-04T11:30:34.000Z');
    expect((await run())['rolling.txt']).toBe('present');
    await st.fx.seedFile('out', 'rolling.txt', two, new Date('2025-08-05T11:30:34Z'));
    expect((await run())['rolling.txt']).toBe('fetched');
    expect(await readFile(join(dir, 'rolling.txt'))).toEqual(two);
    const forced = await run('--force');
    expect(Object.values(forced).every((v) => v === 'fetched')).toBe(true);
  });
});
