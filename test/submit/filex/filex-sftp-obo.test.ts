// Issue 10.10, SFTP half. The guide: after logging in "you can see the profile org IDs that
// you are entitled to submit through OBO, and you can upload and download files with that
// profile org". The test server lays out the login directory that way: the account's own
// org and an OBO profile org side by side, each with org/app/{in,out,in_arcv}.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, sftpEnv, sha256, startStack, type Stack } from './filex-helpers.js';
import { startSshd, type SshdHarness } from '../../servers/sshd.js';

describe('filex over SFTP on behalf of (OBO) a profile org', () => {
  let sshd: SshdHarness;
  let st: Stack;
  beforeAll(async () => {
    [sshd, st] = await Promise.all([startSshd({ orgId: '0001', oboOrgs: ['7777'] }), startStack()]);
  });
  afterAll(async () => {
    await sshd?.close();
    await st?.close();
  });

  test('ls at the login directory shows the own org and every OBO profile org', async () => {
    const r = await runCli(['filex', 'ls', '--via', 'sftp', '--json'], sftpEnv(sshd));
    expect(r.code, r.stderr).toBe(0);
    const names = (JSON.parse(r.stdout).children as { name: string; type: string }[]).map((c) => `${c.name}:${c.type}`).sort();
    expect(names).toEqual(['0001:DIR', '7777:DIR']);
  });

  test('upload to the OBO org lands in 7777/app1/in, not in the own org', async () => {
    const f = await makeFile(st.dir, 'obo-upload.zip', 300_000);
    const r = await runCli(['filex', 'upload', f.path, '7777/app1/in', '--via', 'sftp', '--json'], sftpEnv(sshd));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ path: '7777/app1/in/obo-upload.zip', sha256: sha256(f.data), via: 'sftp' });
    expect(sha256(await readFile(join(sshd.dataDir, '7777', 'app1', 'in', 'obo-upload.zip')))).toBe(sha256(f.data));
    await expect(readFile(join(sshd.dataDir, '0001', 'app1', 'in', 'obo-upload.zip'))).rejects.toThrow();
  });

  test('ls and download from the OBO org', async () => {
    const data = Buffer.from('feedback for the OBO org\n');
    await writeFile(join(sshd.dataDir, '7777', 'app1', 'out', 'feedback.txt'), data);
    const ls = await runCli(['filex', 'ls', '7777/app1/out', '--via', 'sftp', '--json'], sftpEnv(sshd));
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).children.map((c: { name: string }) => c.name)).toEqual(['feedback.txt']);
    const out = join(st.dir, 'obo-dl');
    const dl = await runCli(['filex', 'download', '7777/app1/out/feedback.txt', '--via', 'sftp', '-o', `${out}/`], sftpEnv(sshd));
    expect(dl.code, dl.stderr).toBe(0);
    expect(await readFile(join(out, 'feedback.txt'))).toEqual(data);
  });
});
