import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HEADER, U1, U2, check, rowsOf, toBytes } from '../../helpers/validate.js';
import { createValidateTransform, openSized, validateFile, validateStream } from '../../../src/validate/faces.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bp-entry-'));
});
const sockets: Server[] = [];
afterAll(async () => {
  for (const s of sockets) s.close();
  await rm(dir, { recursive: true, force: true });
});

const TEXT = `${HEADER}\n${U1},,,a\nbad,,,b\n${U2},,,c\n`;

describe('the engine faces agree', () => {
  it('validateFile takes the name and format from the path', async () => {
    const path = join(dir, 'consents.CSV');
    await writeFile(path, TEXT);
    const report = await validateFile(path);
    expect(report.file).toBe(path);
    expect(report.format).toBe('csv');
    expect(report.bytes).toBe(Buffer.byteLength(TEXT));
    expect(report).toEqual({ ...(await check(TEXT, { fileName: path })) });
  });

  it('validateFile on a missing path rejects with FileNotFound', async () => {
    const err = await validateFile(join(dir, 'nope.csv')).then(
      () => null,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code).toBe('FileNotFound');
  });

  it.each([
    ['a directory', async () => dir, 'IoError'],
    ['a dangling link (vanished file)', async () => {
      const link = join(dir, 'vanished.csv');
      await symlink(join(dir, 'gone.csv'), link).catch(() => {});
      return link;
    }, 'FileNotFound'],
    ['a path through a file', async () => {
      await writeFile(join(dir, 'plain.csv'), TEXT);
      return join(dir, 'plain.csv', 'x.csv');
    }, 'IoError'],
    ['a socket (cannot be opened)', async () => {
      const path = join(dir, 'sock');
      const server = createServer();
      await new Promise<void>((r) => server.listen(path, r));
      sockets.push(server);
      return path;
    }, 'IoError'],
  ])('validateFile on %s rejects with a coded BatchprepError', async (_what, make, code) => {
    const err = await validateFile(await make()).then(
      () => null,
      (e: unknown) => e as { name?: string; code?: string },
    );
    expect(err?.name).toBe('BatchprepError');
    expect(err?.code).toBe(code);
  });

  it('a file removed after openSized is still read whole (opened before the stream exists)', async () => {
    const path = join(dir, 'removed.csv');
    await writeFile(path, TEXT);
    const { stream, size } = await openSized(path);
    await unlink(path);
    const report = await validateStream(stream, { fileName: 'removed.csv', sizeHint: size });
    expect(report.bytes).toBe(Buffer.byteLength(TEXT));
    expect(report.rows).toBe(3);
  });

  it('validateRows yields every row with its issues and returns the same report', async () => {
    const { rows, report } = await rowsOf(TEXT, { fileName: 'x.csv' });
    expect(rows.map((r) => [r.row, r.line, r.valid])).toEqual([
      [1, 2, true],
      [2, 3, false],
      [3, 4, true],
    ]);
    expect(rows[1]!.issues.map((i) => i.code)).toEqual(['InvalidConsentId']);
    expect(rows[0]!.values).toEqual({ consentId: U1, configId: 'a' });
    expect(rows[0]!.fields).toEqual([U1, '', '', 'a']);
    expect(report).toEqual(await check(TEXT, { fileName: 'x.csv' }));
  });

  it('createValidateTransform takes bytes in, gives RowResults out and resolves the report', async () => {
    const t = createValidateTransform({ fileName: 'x.csv' });
    const out: unknown[] = [];
    const bytes = toBytes(TEXT);
    await pipeline(Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]), t, async function* (src) {
      for await (const r of src) out.push(r);
    });
    const { rows } = await rowsOf(TEXT, { fileName: 'x.csv' });
    expect(out).toEqual(rows);
    expect(await t.report).toEqual(await check(TEXT, { fileName: 'x.csv' }));
  });

  it('reads from an async iterable as well as a Readable', async () => {
    async function* gen() {
      yield toBytes(TEXT);
    }
    const { validateStream } = await import('../../../src/validate/faces.js');
    expect(await validateStream(gen(), { fileName: 'x.csv' })).toEqual(await check(TEXT, { fileName: 'x.csv' }));
  });
});
