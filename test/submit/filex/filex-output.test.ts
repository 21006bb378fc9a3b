// Issue 8.6 (download targets: stdout, missing parents, an existing directory) and 8.2 (the
// upload file is checked readable before fileX is asked for anything).
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFilexClient, downloadFromFilex } from '../../../src/index.js';
import { runCli, startStack, type Stack } from './filex-helpers.js';

describe('download targets and upload input checks', () => {
  let st: Stack;
  const text = Buffer.from('line one\nline two\n'.repeat(5000));
  beforeAll(async () => {
    st = await startStack();
    await st.fx.seedFile('out', 'report.txt', text);
  });
  afterAll(async () => {
    await st?.close();
  });

  test('-o - writes the bytes to stdout and nothing else there; no file is left behind', async () => {
    const r = await runCli(['filex', 'download', '0001/app1/out/report.txt', '-o', '-'], { ...st.env }, { cwd: st.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(text.toString());
    expect(r.stderr).toMatch(/to stdout/);
    expect((await readdir(st.dir)).filter((n) => n.includes('report'))).toEqual([]);
  });

  test('-o dir/sub/name creates the missing parents', async () => {
    const target = join(st.dir, 'a', 'b', 'c', 'saved.txt');
    const r = await runCli(['filex', 'download', '0001/app1/out/report.txt', '-o', target], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${target}\n`);
    expect(await readFile(target)).toEqual(text);
  });

  test('-o an existing directory puts the file inside it (CLI and library)', async () => {
    const dir = join(st.dir, 'existing');
    await mkdir(dir);
    const r = await runCli(['filex', 'download', '0001/app1/out/report.txt', '-o', dir], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(dir, 'report.txt'))).toEqual(text);
    const lib = join(st.dir, 'lib-existing');
    await mkdir(lib);
    const c = createFilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl });
    const [got] = await downloadFromFilex(c, '0001/app1/out/report.txt', lib);
    expect(got!.file).toBe(join(lib, 'report.txt'));
    expect(await readFile(join(lib, 'report.txt'))).toEqual(text);
  });

  test('8.2 an unreadable upload file fails (exit 2 IoError) before any request to fileX or FIP', async () => {
    // /proc/self/mem stats as a regular file but its first byte cannot be read (EIO), even as root.
    const before = st.fx.stats.requests.length;
    const r = await runCli(['filex', 'upload', '/proc/self/mem', '0001/app1/in', '--name', 'mem.bin'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/IoError|FileNotFound/);
    expect(r.stderr).toMatch(/\/proc\/self\/mem/);
    expect(st.fx.stats.requests.length).toBe(before);
    expect(st.fx.tracking.size).toBe(0);
  });
});
