// Issue 11.5: one FilexTransport interface, one registry; the CLI goes through the library.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createFilexClient, listFilex } from '../../../src/index.js';
import { loadTransport, TRANSPORTS } from '../../../src/submit/filex/transports/registry.js';
import { runCli, startStack, type Stack } from './filex-helpers.js';

const SRC = resolve(import.meta.dirname, '..', '..', '..', 'src');

describe('fileX transport registry', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
    await st.fx.seedFile('out', 'r.txt', Buffer.from('r'));
  });
  afterAll(async () => {
    await st?.close();
  });

  test('every registered transport implements the interface; an unknown one is InvalidOption', async () => {
    expect(TRANSPORTS).toEqual(['rest', 's3', 'sftp']);
    for (const via of TRANSPORTS) {
      const t = await loadTransport(via);
      expect(t.via).toBe(via);
      for (const fn of [t.upload, t.withSpace, t.list]) expect(typeof fn).toBe('function');
    }
    await expect(loadTransport('ftp')).rejects.toMatchObject({ code: 'InvalidOption' });
  });

  test('listFilex goes through the registry for REST and S3 alike', async () => {
    const c = createFilexClient({ username: st.fx.username, password: st.fx.password, baseUrl: st.fx.baseUrl, tokenUrl: st.fx.tokenUrl });
    const rest = await listFilex(c, '0001/app1/out');
    const s3 = await listFilex(c, '0001/app1/out', { via: 's3', endpoint: st.s3.endpoint });
    expect(rest.children!.map((x) => x.name)).toEqual(['r.txt']);
    expect(s3.children!.map((x) => x.name)).toEqual(['r.txt']);
    await expect(listFilex(c, '0001/app1', { via: 's3', endpoint: st.s3.endpoint })).rejects.toMatchObject({ code: 'UsageError' });
  });

  test('--via takes the registry names; anything else is a usage error before any request', async () => {
    const before = st.fx.stats.requests.length;
    const r = await runCli(['filex', 'ls', '0001', '--via', 'ftp'], st.env);
    expect(r.code).toBe(2);
    expect(st.fx.stats.requests.length).toBe(before);
  });

  test('the CLI commands do not repeat the dispatch: no transport modules, no via branches, no `as never`', async () => {
    for (const f of ['filex-upload.ts', 'filex-download.ts', 'filex-ls.ts']) {
      const text = await readFile(join(SRC, 'cli', 'commands', f), 'utf8');
      expect(text, f).not.toMatch(/transports\/(rest|s3|sftp)\.js|remote-spaces\.js|as never/);
      expect(text, f).not.toMatch(/via === 's3'|via === 'rest'/);
    }
  });
});
