/**
 * prepareFile / prepareStream through the public library: coded errors for inputs that cannot
 * be read, the engine's format decision (not a second sniffer), success from the engine's
 * counts (not from the listed issues), and no new out-dir left behind by a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { prepareFile, prepareStream } from '../../src/prepare/prepare.js';
import { HEADER, U1, U2 } from '../helpers/validate.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bp-prep-lib-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<{ name?: string; code?: string; message?: string } | null> {
  return p.then(
    () => null,
    (e: unknown) => e as { name?: string; code?: string; message?: string },
  );
}

describe('prepareFile: inputs that cannot be read reject with a coded BatchprepError', () => {
  it.each([
    ['a missing file', 'missing.csv', 'FileNotFound'],
    ['a vanished file (dangling link)', 'vanished.csv', 'FileNotFound'],
    ['a directory', 'adir', 'IoError'],
    ['a path through a file', 'plain.csv/x.csv', 'IoError'],
  ])('%s', async (_what, name, code) => {
    await mkdir(join(dir, 'adir'), { recursive: true });
    await writeFile(join(dir, 'plain.csv'), `${HEADER}\n${U1},,,\n`);
    await symlink(join(dir, 'gone.csv'), join(dir, 'vanished.csv')).catch(() => {});
    const out = join(dir, `out-${code}-${name.replace(/\W/g, '')}`);
    const err = await failure(prepareFile(join(dir, name), { outDir: out }));
    expect(err?.name).toBe('BatchprepError');
    expect(err?.code).toBe(code);
    // Nothing was created: the input is checked before the out-dir.
    expect(await readdir(out).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  });
});

describe('prepare: one format decision, success from the engine counts', () => {
  it('JSON on stdin after more than 64 leading blanks is prepared as JSON (the engine decides, 4 KiB head)', async () => {
    const text = `${' '.repeat(100)}\n[{"consentId": "${U1}"}, {"consentId": "${U2}"}]\n`;
    const out = join(dir, 'o-json-blanks');
    const r = await prepareStream(Readable.from([Buffer.from(text)]), { outDir: out });
    expect(r.ok).toBe(true);
    expect(r.report.format).toBe('json');
    expect(r.manifest!.parts.map((p) => p.file)).toEqual(['stdin-0001.json']);
    expect(JSON.parse(await readFile(join(out, 'stdin-0001.json'), 'utf8'))).toEqual([{ consentId: U1 }, { consentId: U2 }]);
  });

  it('a BOM CSV prepares alike whatever maxErrors (0 lists nothing, the counts still decide)', async () => {
    const text = `\uFEFF${HEADER}\n${U1},,,\n${U2},,,\n`;
    for (const maxErrors of [undefined, 0, 1]) {
      const out = join(dir, `o-bom-${maxErrors}`);
      const r = await prepareFile(await writeTemp('bom.csv', text), { outDir: out, maxErrors });
      expect(r.ok).toBe(true);
      expect(r.rowsWritten).toBe(2);
      expect(r.report.counts?.BomNotAllowed).toBe(1);
      expect(await readFile(join(out, 'bom-0001.csv'), 'utf8')).toBe(`${HEADER}\n${U1},,,\n${U2},,,\n`);
    }
  });

  it('a file-level error fails whatever maxErrors, and a failure leaves no new out-dir', async () => {
    const text = `${HEADER}\n${U1},,,\n${U2},,,"never closed\n`;
    for (const maxErrors of [undefined, 0]) {
      const out = join(dir, `new-parent-${maxErrors}`, 'sub', 'out');
      const r = await prepareFile(await writeTemp('open-quote.csv', text), { outDir: out, maxErrors });
      expect(r.ok).toBe(false);
      expect(r.report.counts?.MalformedCsv).toBe(1);
      expect(await readdir(join(dir, `new-parent-${maxErrors}`)).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
    }
  });

  it('an out-dir that existed before a failure stays (only what prepare created is removed)', async () => {
    const out = join(dir, 'existing-out');
    await mkdir(out);
    const r = await prepareStream(Readable.from([Buffer.from(`${HEADER}\nbad,,,\n`)]), { outDir: out });
    expect(r.ok).toBe(false);
    expect(await readdir(out)).toEqual([]);
  });
});

async function writeTemp(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
