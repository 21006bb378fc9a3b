// Issue 10.10: On Behalf Of. The guide: after login "you can see the profile org IDs that you are
// entitled to submit through OBO, and you can upload and download files with that profile org".
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, sha256, startStack, type Stack } from './filex-helpers.js';

describe('OBO profile orgs over REST', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack({ oboOrgs: ['606', '888888'] });
  });
  afterAll(async () => {
    await st?.close();
  });

  test('ls without a path shows every org the user may act for: its own and the OBO profile orgs', async () => {
    const r = await runCli(['filex', 'ls', '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { children: Array<{ name: string }> }).children.map((c) => c.name)).toEqual(['0001', '606', '888888']);
  });

  test('upload, track, list and download with an OBO org in the path', async () => {
    const f = await makeFile(st.dir, 'obo.csv', 1234);
    const up = await runCli(['filex', 'upload', f.path, '606/app1/in', '--wait', '--interval', '0.05', '--json'], st.env);
    expect(up.code, up.stderr).toBe(0);
    const out = JSON.parse(up.stdout);
    expect(out.path).toBe('606/app1/in/obo.csv');
    expect(sha256((await st.fx.readUploaded('in', 'obo.csv', '606'))!)).toBe(sha256(f.data));
    expect(await st.fx.readUploaded('in', 'obo.csv')).toBeUndefined();
    expect(out.tracking).toMatchObject({ uploadLocation: '606/app1/in', downstreamStatus: 'ACCEPTED' });
    await st.fx.seedFile('out', 'obo-feedback.txt', Buffer.from('for 606\n'), undefined, '606');
    const ls = await runCli(['filex', 'ls', '606/app1/out'], st.env);
    expect(ls.stdout).toMatch(/obo-feedback\.txt/);
    const dir = join(st.dir, 'obo');
    await mkdir(dir);
    const dl = await runCli(['filex', 'download', '606/app1/out/obo-feedback.txt', '-o', dir], st.env);
    expect(dl.code, dl.stderr).toBe(0);
    expect(await readFile(join(dir, 'obo-feedback.txt'), 'utf8')).toBe('for 606\n');
    const s3 = await runCli(['filex', 'download', '606/app1/out', '--all', '--via', 's3', '-o', join(dir, 's3')], st.env);
    expect(s3.code, s3.stderr).toBe(0);
    expect(await readFile(join(dir, 's3', 'obo-feedback.txt'), 'utf8')).toBe('for 606\n');
  });

  test('an org the user is not entitled to is Forbidden (exit 4)', async () => {
    const r = await runCli(['filex', 'ls', '7777/app1'], st.env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Forbidden/);
  });
});
