// The manifests (issue 11 item 7): one zod schema each for the prepare manifest, the pack
// manifest and submitted.json, used by the writers' types and by every reader. The writers'
// real output must parse with the same schemas; the readers reject with placed messages.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRelativeInside, packManifestSchema, parseDocument, prepareManifestSchema, submittedFileSchema } from '../../src/core/manifests.js';
import { prepareFile } from '../../src/prepare/prepare.js';
import { pack } from '../../src/pack/pack.js';
import { readManifest, readSubmitted } from '../../src/submit/finpro/manifest-submit.js';

const U = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bp-manifests-'));
  await writeFile(join(dir, 'in.csv'), `consentId,fiDataRangeFrom,fiDataRangeTo,configId\n${Array.from({ length: 5 }, (_, i) => `${U(i + 1)},,,cfg`).join('\n')}\n`);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('what the writers write, the readers read', () => {
  test('a prepare manifest parses with its schema and readManifest returns its parts', async () => {
    const out = join(dir, 'prep');
    const r = await prepareFile(join(dir, 'in.csv'), { outDir: out, maxRows: 2, referenceId: 'BATCH_A' });
    expect(r.ok).toBe(true);
    const text = await readFile(join(out, 'manifest.json'), 'utf8');
    const doc = prepareManifestSchema.parse(JSON.parse(text));
    expect(doc).toEqual(r.manifest);
    expect(doc.parts.map((p) => p.referenceId)).toEqual(['BATCH_A-0001', 'BATCH_A-0002', 'BATCH_A-0003']);
    expect(await readManifest(join(out, 'manifest.json'))).toEqual(doc.parts);
  });

  test('a pack manifest parses with its schema', async () => {
    const out = join(dir, 'pack');
    const m = await pack([join(dir, 'in.csv')], { outDir: out, name: 'arch' });
    const doc = packManifestSchema.parse(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
    expect(doc).toEqual(m);
    expect(doc.archives[0]!.entries[0]).toMatchObject({ name: 'in.csv', rows: 5 });
  });
});

describe('readers reject with one placed message', () => {
  const part = { file: 'p-0001.csv', rows: 1, bytes: 10, sha256: 'A'.repeat(64), referenceId: 'REF_1' };
  const cases: Array<[string, unknown, RegExp]> = [
    ['no parts', { input: {} }, /^no "parts" array$/],
    ['empty', { parts: [] }, /^the manifest lists no parts$/],
    ['absolute file', { parts: [{ ...part, file: '/etc/passwd' }] }, /^part 1: "file" must be a path relative/],
    ['dot-dot', { parts: [part, { ...part, referenceId: 'REF_2', file: 'a/../../x' }] }, /^part 2: "file" must be a path relative/],
    ['bad reference ID', { parts: [{ ...part, referenceId: 'x' }] }, /^part 1: "referenceId" must be 5-60/],
    ['reference ID twice', { parts: [part, part] }, /^part 2: reference ID REF_1 is used twice$/],
    ['bad sha256', { parts: [{ ...part, sha256: 'abc' }] }, /^part 1: "sha256" must be 64 hex digits$/],
    ['fractional bytes', { parts: [{ ...part, bytes: 1.5 }] }, /^part 1: "bytes" must be a whole number$/],
  ];
  for (const [label, doc, why] of cases) {
    test(label, async () => {
      const r = parseDocument(prepareManifestSchema.pick({ parts: true }), JSON.stringify(doc));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.why).toMatch(why);
      const path = join(dir, `bad-${label.replace(/\W/g, '_')}.json`);
      await writeFile(path, JSON.stringify(doc));
      await expect(readManifest(path)).rejects.toMatchObject({ code: 'InvalidManifest', message: expect.stringMatching(/was it written by 'batchprep prepare'/) });
    });
  }

  test('readManifest lowercases sha256; not JSON says so', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(path, JSON.stringify({ parts: [part] }));
    expect((await readManifest(path))[0]!.sha256).toBe('a'.repeat(64));
    expect(parseDocument(prepareManifestSchema, '{"parts": [')).toMatchObject({ ok: false, why: expect.stringMatching(/^not valid JSON/) });
  });

  test('submitted.json: a record with a wrong field type is refused, a missing file is empty', async () => {
    const rec = { referenceId: 'REF_1', sha256: 'a'.repeat(64), batchId: 'b', txnid: null, status: null, storageType: null, duplicateOnRetry: false, submittedAt: '2026-01-01T00:00:00Z' };
    expect(submittedFileSchema.parse({ manifest: 'manifest.json', parts: { 'p.csv': rec } }).parts['p.csv']).toEqual(rec);
    const path = join(dir, 'submitted.json');
    await writeFile(path, JSON.stringify({ parts: { 'p.csv': { ...rec, duplicateOnRetry: 'no' } } }));
    await expect(readSubmitted(path)).rejects.toMatchObject({ code: 'InvalidManifest' });
    expect(await readSubmitted(join(dir, 'absent.json'))).toEqual({});
  });

  test('isRelativeInside', () => {
    for (const ok of ['a.csv', 'sub/a.csv', 'a..b.csv']) expect(isRelativeInside(ok), ok).toBe(true);
    for (const bad of ['', '/a', '\\a', 'C:x', '..', 'a/../b', 'a\\..\\b']) expect(isRelativeInside(bad), bad).toBe(false);
  });
});
