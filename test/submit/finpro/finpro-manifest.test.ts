// finpro submit of a `prepare` output: parts in order with their own reference IDs, checked
// against their sha256, recorded in submitted.json, skipped on a re-run, stopping at the first
// rejection.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startFinProServer, type FinProServer } from '../../servers/finpro-server.js';
import { finproEnv, GOOD_CSV, IDS, runCli, tempFiles } from './finpro-helpers.js';

let server: FinProServer;
beforeAll(async () => {
  server = await startFinProServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/** A prepare-like output dir: three one-row CSV parts and their manifest. */
async function preparedDir(base = 'batch-a') {
  const parts = IDS.map((id, i) => ({ name: `part-${String(i + 1).padStart(4, '0')}.csv`, content: `consentId,fiDataRangeFrom,fiDataRangeTo,configId\n${id},,,cfg\n` }));
  const t = await tempFiles(Object.fromEntries(parts.map((p) => [p.name, p.content])));
  cleanups.push(t.cleanup);
  const manifest = {
    input: { name: 'consents.csv', sha256: '0'.repeat(64), bytes: 0, rows: 3 },
    parts: parts.map((p, i) => ({
      file: p.name,
      rows: 1,
      bytes: Buffer.byteLength(p.content),
      sha256: createHash('sha256').update(p.content).digest('hex'),
      referenceId: `${base}-${String(i + 1).padStart(4, '0')}`,
      firstRow: i + 1,
      lastRow: i + 1,
    })),
  };
  await writeFile(t.path('manifest.json'), JSON.stringify(manifest, null, 2));
  return { ...t, manifest };
}

const submit = (target: string, ...extra: string[]) => runCli(['finpro', 'submit', target, '--retry-base-delay', '20', ...extra], finproEnv(server.url));

describe('manifest mode', () => {
  test('submits every part in order with its reference ID and records them; a re-run sends nothing', async () => {
    const d = await preparedDir();
    const r = await submit(d.dir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['parts', 'submitted', 'skipped']);
    expect(json).toMatchObject({ submitted: 3, skipped: 0 });
    expect(json.parts.map((p: any) => [p.file, p.outcome, p.referenceId])).toEqual([
      ['part-0001.csv', 'submitted', 'batch-a-0001'],
      ['part-0002.csv', 'submitted', 'batch-a-0002'],
      ['part-0003.csv', 'submitted', 'batch-a-0003'],
    ]);
    expect(Object.keys(json.parts[0])).toEqual(['file', 'outcome', 'referenceId', 'batchId', 'status', 'storageType', 'txnid', 'attempts', 'duplicateOnRetry']);
    expect(server.received.map((x) => [x.file?.name, x.fields.reference_id])).toEqual([
      ['part-0001.csv', 'batch-a-0001'],
      ['part-0002.csv', 'batch-a-0002'],
      ['part-0003.csv', 'batch-a-0003'],
    ]);
    const record = JSON.parse(await readFile(d.path('submitted.json'), 'utf8'));
    expect(Object.keys(record.parts)).toEqual(['part-0001.csv', 'part-0002.csv', 'part-0003.csv']);
    expect(record.parts['part-0002.csv']).toMatchObject({ referenceId: 'batch-a-0002', batchId: server.batches.get('batch-a-0002')!.batchId, sha256: d.manifest.parts[1]!.sha256 });
    expect(r.stderr).toMatch(/\[1\/3\] submitted part-0001\.csv as batch-a-0001/);
    expect(r.stderr).toMatch(/all 3 parts landed/);

    const again = await submit(join(d.dir, 'manifest.json'), '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ submitted: 0, skipped: 3 });
    expect(server.received).toHaveLength(3);
    expect(again.stderr).toMatch(/part-0001\.csv: already submitted as batch-a-0001/);
  });

  test('stops at the first rejection, says what landed, and resumes on a re-run', async () => {
    const d = await preparedDir('batch-b');
    server.batches.set('batch-b-0002', { referenceId: 'batch-b-0002', batchId: 'x', fileName: 'x', bytes: 0, sha256: '', rows: 0, single: {} });
    const r = await submit(d.dir, '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.parts.map((p: any) => p.outcome)).toEqual(['submitted', 'failed', 'notSent']);
    expect(json.parts[1].error).toMatchObject({ code: 'DuplicateReferenceId', status: 409, retryable: false });
    expect(json).toMatchObject({ submitted: 1, skipped: 0 });
    expect(server.received).toHaveLength(2);
    expect(r.stderr).toMatch(/batchprep: DuplicateReferenceId: /);
    expect(r.stderr).toMatch(/stopped at part-0002\.csv \(reference ID batch-b-0002\); landed 1 of 3 parts: part-0001\.csv \(batch-b-0001\)/);

    server.batches.delete('batch-b-0002');
    const resumed = await submit(d.dir, '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).parts.map((p: any) => p.outcome)).toEqual(['skipped', 'submitted', 'submitted']);
    expect(server.received.slice(2).map((x) => x.fields.reference_id)).toEqual(['batch-b-0002', 'batch-b-0003']);
  });

  test('a lost reply on a part is reported as landed (duplicateOnRetry) and the run goes on', async () => {
    const d = await preparedDir('batch-c');
    server.faults.push({ kind: 'status', status: 503 });
    server.faults.push({ kind: 'dropReply' });
    const r = await submit(d.dir, '--json');
    expect(r.code).toBe(0);
    const parts = JSON.parse(r.stdout).parts;
    expect(parts[0]).toMatchObject({ outcome: 'submitted', duplicateOnRetry: true, attempts: 3 });
    expect(parts[1]).toMatchObject({ outcome: 'submitted', duplicateOnRetry: false, attempts: 1 });
    const record = JSON.parse(await readFile(d.path('submitted.json'), 'utf8'));
    expect(record.parts['part-0001.csv'].duplicateOnRetry).toBe(true);
  });

  test('a part that does not match its sha256 stops the run before it is sent (exit 2)', async () => {
    const d = await preparedDir('batch-d');
    await writeFile(d.path('part-0002.csv'), `consentId\n${IDS[0]}\n`);
    const r = await submit(d.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/batchprep: ManifestMismatch: part-0002\.csv does not match the manifest/);
    expect(server.received.map((x) => x.fields.reference_id)).toEqual(['batch-d-0001']);
  });

  test('a broken manifest or record is InvalidManifest (exit 2), nothing sent', async () => {
    const d = await preparedDir('batch-e');
    const cases: Array<[unknown, RegExp]> = [
      [{ parts: 'x' }, /no "parts" array/],
      [{ parts: [{ ...d.manifest.parts[0], file: '../escape.csv' }] }, /relative to the manifest/],
      [{ parts: [{ ...d.manifest.parts[0], referenceId: 'x' }] }, /referenceId/],
      [{ parts: [d.manifest.parts[0], d.manifest.parts[0]] }, /used twice/],
    ];
    for (const [doc, message] of cases) {
      await writeFile(d.path('manifest.json'), JSON.stringify(doc));
      const r = await submit(d.dir, '--json');
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe('InvalidManifest');
      expect(r.stderr).toMatch(message);
    }
    await writeFile(d.path('manifest.json'), JSON.stringify(d.manifest));
    await writeFile(d.path('submitted.json'), '{"parts": [');
    const broken = await submit(d.dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/cannot read the record of submitted parts/);
    expect(server.received).toHaveLength(0);
  });

  test('--reference-id does not apply to a manifest (usage error)', async () => {
    const d = await preparedDir('batch-f');
    const r = await submit(d.dir, '--reference-id', 'other-ref');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UsageError: --reference-id and --name do not apply to a manifest/);
  });
});

test('interop: the output of batchprep prepare submits as it is', async () => {
  const t = await tempFiles({ 'consents.csv': GOOD_CSV });
  cleanups.push(t.cleanup);
  const out = join(t.dir, 'out');
  const prep = await runCli(['prepare', t.path('consents.csv'), '--out-dir', out, '--max-rows', '2', '--reference-id', 'interop-batch'], finproEnv(server.url));
  expect(prep.code, prep.stderr).toBe(0);
  const r = await submit(out, '--json');
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(r.stdout);
  expect(json.submitted).toBe(2);
  expect(server.received.map((x) => x.fields.reference_id)).toEqual(json.parts.map((p: any) => p.referenceId));
  expect([...server.batches.values()].reduce((n, b) => n + b.rows, 0)).toBe(3);
});
