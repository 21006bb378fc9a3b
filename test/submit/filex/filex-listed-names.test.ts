// Issue 10.6: names fileX makes (feedback files, archive copies, names with spaces or '_') are
// downloaded byte-exact under the same name; the FILE_NAME rule applies only to names we send.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFilexClient, downloadFromFilex } from '../../../src/index.js';
import { makeFile, runCli, startStack, type Stack } from './filex-helpers.js';

describe('names the service made', () => {
  let st: Stack;
  const spaced = Buffer.from('feedback with a space in its name\n');
  beforeAll(async () => {
    // Non-default feedback naming (the guide names none): a space and no FILE_NAME conformity.
    st = await startStack({ feedbackName: (f) => `Feedback for ${f}` });
    await st.fx.seedFile('out', 'Test file.txt', spaced);
  });
  afterAll(async () => {
    await st?.close();
  });

  test('a feedback file fileX writes after the verdict (FEEDBACK_yyyymmdd.txt by default) is listed and downloaded byte-exact', async () => {
    const def = await startStack();
    try {
      const f = await makeFile(def.dir, 'report.csv', 500);
      const up = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--wait', '--interval', '0.05'], def.env);
      expect(up.code, up.stderr).toBe(0);
      const ls = await runCli(['filex', 'ls', '0001/app1/out', '--json'], def.env);
      const names = (JSON.parse(ls.stdout) as { children: Array<{ name: string }> }).children.map((c) => c.name);
      const feedback = names.find((n) => /^FEEDBACK_\d{8}\.txt$/.test(n))!;
      expect(feedback).toBeDefined();
      const out = join(def.dir, 'fb');
      await mkdir(out);
      const dl = await runCli(['filex', 'download', `0001/app1/out/${feedback}`, '-o', out], def.env);
      expect(dl.code, dl.stderr).toBe(0);
      expect(dl.stdout).toBe(`${join(out, feedback)}\n`);
      expect(await readFile(join(out, feedback), 'utf8')).toMatch(/ report\.csv: ACCEPTED\n$/);
    } finally {
      await def.close();
    }
  });

  test("'Test file.txt' downloads under the same name over REST and S3, alone and with --all", async () => {
    const one = join(st.dir, 'one');
    await mkdir(one);
    const r = await runCli(['filex', 'download', '0001/app1/out/Test file.txt', '-o', one], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(one, 'Test file.txt'))).toEqual(spaced);
    const viaS3 = join(st.dir, 's3');
    const r2 = await runCli(['filex', 'download', '0001/app1/out', '--all', '--via', 's3', '-o', viaS3], st.env);
    expect(r2.code, r2.stderr).toBe(0);
    expect(await readFile(join(viaS3, 'Test file.txt'))).toEqual(spaced);
    expect(r2.stderr).not.toMatch(/warning/);
  });

  test('a non-default feedback name ("Feedback for <file>") is mirrored by --all through the library', async () => {
    const c = createFilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl });
    const f = await makeFile(st.dir, 'q3.csv', 300);
    const up = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--wait', '--interval', '0.05'], st.env);
    expect(up.code, up.stderr).toBe(0);
    const dir = join(st.dir, 'lib-all');
    const results = await downloadFromFilex(c, '0001/app1/out', dir, { all: true });
    expect(results.filter((x) => x.failed)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['Feedback for q3.csv', 'Test file.txt']);
    expect(await readFile(join(dir, 'Feedback for q3.csv'), 'utf8')).toMatch(/ q3\.csv: ACCEPTED\n$/);
  });

  test('a name we send still follows FILE_NAME: uploading "Test file.txt" is refused locally (exit 2)', async () => {
    const f = await makeFile(st.dir, 'Test file.txt', 10);
    const before = st.fx.stats.requests.length;
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidFileName/);
    expect(st.fx.stats.requests.length).toBe(before);
  });
});
