import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, sftpEnv as sftpEnvFor, sha256, startStack, type Stack } from './filex-helpers.js';
import { startSshd, type SshdHarness } from '../../servers/sshd.js';

// ls and download over S3 Direct and SFTP (upload over each transport has its own file).
describe('ls and download over s3 and sftp', () => {
  let st: Stack;
  let sshd: SshdHarness;
  let sftpEnv: Record<string, string>;
  const big = Buffer.alloc(1_500_000, 7);
  const small = Buffer.from('feedback\n');
  beforeAll(async () => {
    [st, sshd] = await Promise.all([startStack(), startSshd()]);
    await st.fx.seedFile('out', 'big.bin', big);
    await st.fx.seedFile('out', 'small.txt', small);
    await writeFile(join(sshd.dataDir, '0001', 'app1', 'out', 'big.bin'), big);
    await writeFile(join(sshd.dataDir, '0001', 'app1', 'out', 'small.txt'), small);
    sftpEnv = sftpEnvFor(sshd);
  });
  afterAll(async () => {
    await sshd?.close();
    await st?.close();
  });

  test('ls --via s3 lists the objects of a space with sizes', async () => {
    const r = await runCli(['filex', 'ls', '0001/app1/out', '--via', 's3', '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.children.map((c: { name: string; metadata: { contentLength: number } }) => [c.name, c.metadata.contentLength])).toEqual([
      ['big.bin', big.length],
      ['small.txt', small.length],
    ]);
  });

  test('download --via s3: one file and --all, byte-identical; a write-only space is refused (exit 4)', async () => {
    const dir = join(st.dir, 's3-one');
    const r = await runCli(['filex', 'download', '0001/app1/out/big.bin', '--via', 's3', '-o', `${dir}/`, '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(await readFile(join(dir, 'big.bin')))).toBe(sha256(big));
    const all = join(st.dir, 's3-all');
    const r2 = await runCli(['filex', 'download', '0001/app1/out', '--all', '--via', 's3', '-o', all], st.env);
    expect(r2.code, r2.stderr).toBe(0);
    expect((await readdir(all)).sort()).toEqual(['big.bin', 'small.txt']);
    expect((await readFile(join(all, 'small.txt'))).equals(small)).toBe(true);
    const r3 = await runCli(['filex', 'download', '0001/app1/nope/x.txt', '--via', 's3', '-o', `${dir}/`], st.env);
    expect(r3.code).toBe(4);
    const r4 = await runCli(['filex', 'download', '0001/app1/out/missing.txt', '--via', 's3', '-o', `${dir}/`, '--retries', '0'], st.env);
    expect(r4.code).toBe(2);
    expect(await readdir(dir)).toEqual(['big.bin']);
  });

  test('ls --via sftp lists any level; download --via sftp one file and --all (skips present files)', async () => {
    const ls = await runCli(['filex', 'ls', '0001/app1', '--via', 'sftp', '--json'], sftpEnv);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).children.map((c: { name: string }) => c.name).sort()).toEqual(['in', 'in_arcv', 'out']);
    const dir = join(st.dir, 'sftp-one');
    const r = await runCli(['filex', 'download', '0001/app1/out/big.bin', '--via', 'sftp', '-o', `${dir}/`], sftpEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(await readFile(join(dir, 'big.bin')))).toBe(sha256(big));
    const all = join(st.dir, 'sftp-all');
    const r2 = await runCli(['filex', 'download', '0001/app1/out', '--all', '--via', 'sftp', '-o', all, '--json'], sftpEnv);
    expect(r2.code, r2.stderr).toBe(0);
    expect((await readdir(all)).sort()).toEqual(['big.bin', 'small.txt']);
    const again = await runCli(['filex', 'download', '0001/app1/out', '--all', '--via', 'sftp', '-o', all, '--json'], sftpEnv);
    expect(JSON.parse(again.stdout).map((x: { skipped?: string }) => x.skipped)).toEqual(['present', 'present']);
    const missing = await runCli(['filex', 'download', '0001/app1/out/none.txt', '--via', 'sftp', '-o', `${dir}/`], sftpEnv);
    expect(missing.code).toBe(2);
    expect(await readdir(dir)).toEqual(['big.bin']);
  });
});
