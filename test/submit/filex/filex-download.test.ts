import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FilexClient, type PresignedUrl } from '../../../src/submit/filex/client.js';
import { downloadFile, localFileName, safeJoin } from '../../../src/submit/filex/download.js';
import type { FilexPath } from '../../../src/submit/filex/names.js';
import { runCli, sha256, startStack, type Stack } from './filex-helpers.js';

describe('filex download', () => {
  let st: Stack;
  const a = Buffer.alloc(200_000, 'a');
  const b = Buffer.from('feedback for Q3\n');
  beforeAll(async () => {
    st = await startStack();
    await st.fx.seedFile('out', 'a.bin', a);
    await st.fx.seedFile('out', 'feedback.txt', b);
  });
  afterAll(async () => {
    await st?.close();
  });

  test('one file: pre-signed URL, streamed to a temp file, renamed into the target directory', async () => {
    const dir = join(st.dir, 'one');
    await mkdir(dir);
    const r = await runCli(['filex', 'download', '0001/app1/out/a.bin', '-o', dir, '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'a.bin', file: join(dir, 'a.bin'), bytes: a.length, sha256: sha256(a) });
    expect(await readdir(dir)).toEqual(['a.bin']);
    const explicit = join(st.dir, 'renamed.txt');
    const r2 = await runCli(['filex', 'download', '0001/app1/out/feedback.txt', '-o', explicit], st.env);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toBe(`${explicit}\n`);
    expect((await readFile(explicit)).equals(b)).toBe(true);
  });

  test('--all mirrors the space and skips files already present with the same size', async () => {
    const dir = join(st.dir, 'mirror');
    const r = await runCli(['filex', 'download', '0001/app1/out', '--all', '-o', dir, '--json'], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['a.bin', 'feedback.txt']);
    const before = st.s3.stats.requests;
    const again = await runCli(['filex', 'download', '0001/app1/out', '--all', '-o', dir, '--json'], st.env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).map((x: { skipped?: string }) => x.skipped)).toEqual(['present', 'present']);
    expect(st.s3.stats.requests).toBe(before);
    // A file of another size is fetched again.
    await writeFile(join(dir, 'feedback.txt'), 'stale');
    const third = await runCli(['filex', 'download', '0001/app1/out', '--all', '-o', dir], st.env);
    expect(third.code).toBe(0);
    expect(third.stdout).toBe(`${join(dir, 'feedback.txt')}\n`);
    expect((await readFile(join(dir, 'feedback.txt'))).equals(b)).toBe(true);
  });

  test('10.6 hostile names are downloaded byte-exact under a reported mapping, never outside the target', async () => {
    const dir = join(st.dir, 'hostile', 'inner');
    st.fx.faults.hostileNames = ['../x', '/etc/passwd-x', 'a/b', '..'];
    try {
      const r = await runCli(['filex', 'download', '0001/app1/out', '--all', '-o', dir], st.env);
      // '..' cannot travel in a URL: that entry fails (UnexpectedResponse, exit 3), the others are written.
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/warning: "\.\.\/x" listed in 0001\/app1\/out is saved as '\.\.%2Fx'/);
      expect(r.stderr).toMatch(/UnexpectedResponse: 1 of the 6 files listed in 0001\/app1\/out failed \("\.\.": UnexpectedResponse\)/);
    } finally {
      st.fx.faults.hostileNames = undefined;
    }
    expect((await readdir(dir)).sort()).toEqual(['%2Fetc%2Fpasswd-x', '..%2Fx', 'a%2Fb', 'a.bin', 'feedback.txt']);
    expect(await readFile(join(dir, '..%2Fx'), 'utf8')).toBe('hostile:../x');
    expect(await readFile(join(dir, 'a%2Fb'), 'utf8')).toBe('hostile:a/b');
    expect(await readdir(join(st.dir, 'hostile'))).toEqual(['inner']);
  });

  test('9.6 a listed name that is not a string is UnexpectedResponse for that entry; the others are downloaded (exit 3)', async () => {
    const dir = join(st.dir, 'nonstring');
    st.fx.faults.nonStringNames = [{ evil: true }, 42];
    try {
      const r = await runCli(['filex', 'download', '0001/app1/out', '--all', '-o', dir, '--json'], st.env);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).not.toMatch(/internal error/i);
      expect(r.stderr).toMatch(/UnexpectedResponse: 2 of the 4 files listed/);
      const rows = JSON.parse(r.stdout) as Array<{ name: string; failed?: { code: string } }>;
      expect(rows.filter((x) => x.failed).map((x) => x.failed!.code)).toEqual(['UnexpectedResponse', 'UnexpectedResponse']);
    } finally {
      st.fx.faults.nonStringNames = undefined;
    }
    expect((await readdir(dir)).sort()).toEqual(['a.bin', 'feedback.txt']);
  });

  test('a length that does not match the listing leaves no file behind (exit 3 IntegrityError)', async () => {
    const dir = join(st.dir, 'lie');
    st.fx.faults.lieAboutContentLength = 7;
    try {
      const r = await runCli(['filex', 'download', '0001/app1/out', '--all', '-o', dir], st.env);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/IntegrityError: 0001\/app1\/out\/a\.bin: got 200000 bytes, the listing says 7/);
    } finally {
      st.fx.faults.lieAboutContentLength = undefined;
    }
    expect(await readdir(dir)).toEqual([]);
  });

  test('a file that does not exist is RemoteNotFound (exit 2); an upload-only space is Forbidden (exit 4)', async () => {
    const r = await runCli(['filex', 'download', '0001/app1/out/missing.txt', '-o', st.dir], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RemoteNotFound/);
    const r2 = await runCli(['filex', 'download', '0001/app1/in/x.txt', '-o', st.dir], st.env);
    expect(r2.code).toBe(4);
  });

  // A client that holds on to its first pre-signed URL past its life, as a slow caller would.
  class StaleFirst extends FilexClient {
    calls = 0;
    constructor(
      private readonly stack: Stack,
      private readonly hideExpiry: boolean,
    ) {
      super({ username: stack.fx.username, password: stack.fx.password, baseUrl: stack.fx.baseUrl, tokenUrl: stack.fx.tokenUrl });
    }
    override async requestDownload(path: Required<FilexPath>, signal?: AbortSignal): Promise<PresignedUrl> {
      const p = await super.requestDownload(path, signal);
      if (this.calls++ > 0) return p;
      // Only this first URL is short-lived: the one asked for again keeps the default life, so
      // a loaded machine cannot let it expire too before it is used.
      this.stack.fx.faults.presignTtlSeconds = undefined;
      // Waiting out a real 1 s expiry (S3 counts whole seconds, hence 2.1 s).
      await new Promise((r) => setTimeout(r, 2100));
      // With the expiry hidden the client cannot know: only S3's 403 tells it.
      return this.hideExpiry ? { url: p.url } : p;
    }
  }

  test('an expired pre-signed URL is noticed from expirationTime and asked for again before use', async () => {
    st.fx.faults.presignTtlSeconds = 1;
    try {
      const c = new StaleFirst(st, false);
      const rejected = st.s3.stats.rejectedExpired;
      const r = await downloadFile(c, { org: '0001', app: 'app1', space: 'out', name: 'feedback.txt' }, join(st.dir, 'fresh.txt'));
      expect(r.sha256).toBe(sha256(b));
      expect(c.calls).toBe(2);
      expect(st.s3.stats.rejectedExpired).toBe(rejected);
    } finally {
      st.fx.faults.presignTtlSeconds = undefined;
    }
  });

  test('an expired pre-signed URL refused by S3 (403 Request has expired) is asked for again', async () => {
    st.fx.faults.presignTtlSeconds = 1;
    try {
      const c = new StaleFirst(st, true);
      const rejected = st.s3.stats.rejectedExpired;
      const r = await downloadFile(c, { org: '0001', app: 'app1', space: 'out', name: 'feedback.txt' }, join(st.dir, 'fresh2.txt'));
      expect(r.sha256).toBe(sha256(b));
      expect(c.calls).toBe(2);
      expect(st.s3.stats.rejectedExpired).toBe(rejected + 1);
      expect((await stat(join(st.dir, 'fresh2.txt'))).size).toBe(b.length);
    } finally {
      st.fx.faults.presignTtlSeconds = undefined;
    }
  });
});

describe('download name safety (properties)', () => {
  test('every listed name maps to one file inside the target, unchanged when the file system allows it, reversibly otherwise', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (name) => {
        const { local, mapped } = localFileName(name);
        const full = safeJoin('/tmp/target', local);
        expect(full).toBe(`/tmp/target/${local}`);
        if (mapped) expect(decodeURIComponent(local)).toBe(name);
        else expect(local).toBe(name);
      }),
    );
  });

  test('names the service makes are kept; only separators, NUL, . and .. are mapped', () => {
    for (const n of ['FEEDBACK_20250101.txt', 'Test file.txt', "a!@,&-='.b", '.hidden', '100%.txt', 'a\\b']) expect(localFileName(n)).toEqual({ local: n, mapped: false });
    expect(localFileName('../x').local).toBe('..%2Fx');
    expect(localFileName('x\0y%').local).toBe('x%00y%25');
    expect(localFileName('..').local).toBe('%2E%2E');
    for (const bad of ['', 42, { a: 1 }, null]) expect(() => localFileName(bad)).toThrow(/not a file name/);
  });
});
