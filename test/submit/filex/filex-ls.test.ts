import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, startStack, type Stack } from './filex-helpers.js';

describe('filex ls', () => {
  let st: Stack;
  beforeAll(async () => {
    st = await startStack();
    await st.fx.seedFile('out', 'Testfile.txt', Buffer.alloc(130766, 1), new Date('2025-08-04T11:30:34Z'));
    await st.fx.seedFile('out', 'Testfile2.txt', Buffer.alloc(42, 2), new Date('2025-08-05T11:29:18Z'));
  });
  afterAll(async () => {
    await st?.close();
  });

  test('a space prints a table: name, type, writable, size, last modified', async () => {
    const r = await runCli(['filex', 'ls', '0001/app1/out'], st.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'NAME           TYPE  WRITABLE  SIZE    LAST MODIFIED\n' +
        'Testfile.txt   FILE  false     130766  2025-08-04T07:30:34.000-04:00\n' +
        'Testfile2.txt  FILE  false     42      2025-08-05T07:29:18.000-04:00\n',
    );
    expect(r.stderr).toBe('out (DIR, read-only): 2 entries\n');
  });

  test('an application lists its sub-spaces with writability', async () => {
    const r = await runCli(['filex', 'ls', '0001/app1'], st.env);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(1, 4).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual(['out DIR false', 'in DIR true', 'in_arcv DIR false']);
  });

  test('--json prints the directory document as the service sent it', async () => {
    const r = await runCli(['filex', 'ls', '0001/app1/out', '--json'], st.env);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ name: 'out', type: 'DIR', metadata: { writable: false } });
    expect(doc.children[0]).toEqual({
      name: 'Testfile.txt',
      type: 'FILE',
      metadata: { writable: false, contentLength: 130766, lastModified: '2025-08-04T07:30:34.000-04:00' },
    });
    expect(doc._links.self[0].href).toMatch(/\/files\/0001\/app1\/out$/);
  });

  test('no path lists the orgs; org lists its applications', async () => {
    const root = await runCli(['filex', 'ls', '--json'], st.env);
    expect(root.code).toBe(0);
    expect(JSON.parse(root.stdout).children.map((c: { name: string }) => c.name)).toEqual(['0001']);
    const org = await runCli(['filex', 'ls', '0001', '--json'], st.env);
    expect(JSON.parse(org.stdout).children.map((c: { name: string }) => c.name)).toEqual(['app1']);
  });

  test('a hostile name in a listing is shown quoted, never interpreted', async () => {
    st.fx.faults.hostileNames = ['../x', 'a b'];
    try {
      const r = await runCli(['filex', 'ls', '0001/app1/out'], st.env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('../x ');
      expect(r.stdout).toContain('"a b"');
    } finally {
      st.fx.faults.hostileNames = undefined;
    }
  });

  test('bad paths are usage errors (exit 2); an unknown space is RemoteNotFound (exit 2)', async () => {
    expect((await runCli(['filex', 'ls', '0001/app-1'], st.env)).stderr).toMatch(/application 'app-1' must be letters and digits/);
    expect((await runCli(['filex', 'ls', '0001/app1/in/x/y'], st.env)).code).toBe(2);
    const r = await runCli(['filex', 'ls', '0001/app1/nospace'], st.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RemoteNotFound: listing 0001\/app1\/nospace \(404/);
  });
});
