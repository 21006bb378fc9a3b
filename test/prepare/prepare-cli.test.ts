import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('dist/cli/bin.js');
const HEADER = 'consentId,fiDataRangeFrom,fiDataRangeTo,configId';
const id = (i: number) => `9a8b7c6d-5e4f-3a2b-1c0d-${i.toString(16).padStart(12, '0')}`;

let dir: string;
beforeAll(async () => {
  // Runs dist/: build first (`npm run build`; `npm test` does). Rebuilding here would rewrite
  // dist/ while other test files run the CLI from it, and they could load a half-written file.
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
  dir = await mkdtemp(join(tmpdir(), 'bp-prep-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], input?: string) {
  const r = spawnSync('node', [BIN, ...args], { cwd: dir, input: input ?? '', encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function visible(d: string): Promise<string[]> {
  try {
    return (await readdir(d)).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return [];
  }
}

describe('batchprep prepare', () => {
  it('writes parts and a manifest from a file, with defaults materialised and duplicates dropped', async () => {
    const rows = [id(1), id(2), id(1), id(3)].map((c) => `${c},,,`);
    await writeFile(join(dir, 'good.csv'), `${HEADER}\n${rows.join('\n')}\n`);
    const r = run(['prepare', 'good.csv', '--out-dir', 'o1', '--dedupe', '--config-id', 'cfg-1', '--max-rows', '2', '--reference-id', 'ACME_1', '--json']);
    expect(r.stderr).toContain('prepared 3 of 4 rows into 2 parts');
    expect(r.stderr).toContain('1 duplicate dropped');
    expect(r.code).toBe(0);
    expect(await visible(join(dir, 'o1'))).toEqual(['good-0001.csv', 'good-0002.csv', 'manifest.json']);
    expect(await readFile(join(dir, 'o1', 'good-0001.csv'), 'utf8')).toBe(`${HEADER}\n${id(1)},,,cfg-1\n${id(2)},,,cfg-1\n`);
    const m = JSON.parse(r.stdout);
    expect(m.parts.map((p: { referenceId: string; firstRow: number; lastRow: number }) => [p.referenceId, p.firstRow, p.lastRow])).toEqual([
      ['ACME_1-0001', 1, 2],
      ['ACME_1-0002', 4, 4],
    ]);
  });

  it('reads stdin and converts to JSON', async () => {
    const r = run(['prepare', '-', '--out-dir', 'o2', '--to', 'json'], `${HEADER}\r\n${id(7)},2024-01-01T00:00:00Z,,x\r\n`);
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'o2', 'stdin-0001.json'), 'utf8')).toBe(`[\n{"consentId":"${id(7)}","fiDataRangeFrom":"2024-01-01T00:00:00Z","configId":"x"}\n]\n`);
    const m = JSON.parse(await readFile(join(dir, 'o2', 'manifest.json'), 'utf8'));
    expect(m.input.name).toBe('-');
    expect(m.parts[0].referenceId).toMatch(/^stdin-\d{14}-[0-9a-f]{4}-0001$/);
  });

  it('writes nothing and exits 1 with the report when the input has errors', async () => {
    await writeFile(join(dir, 'bad.csv'), `${HEADER}\n${id(1)},,,\nnot-a-uuid,,,\n`);
    const r = run(['prepare', 'bad.csv', '--out-dir', 'o3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('InvalidConsentId');
    expect(r.stderr).toContain('nothing was written');
    // A failed run leaves no new, empty out-dir behind (issue 8 point 9).
    await expect(readdir(join(dir, 'o3'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('with --reject-file writes the valid rows and the rejected ones with their issues', async () => {
    const r = run(['prepare', 'bad.csv', '--out-dir', 'o4', '--reject-file', 'rejects.ndjson']);
    expect(r.code).toBe(0);
    expect(await readFile(join(dir, 'o4', 'bad-0001.csv'), 'utf8')).toBe(`${HEADER}\n${id(1)},,,\n`);
    const lines = (await readFile(join(dir, 'rejects.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ row: 2, line: 3, fields: ['not-a-uuid', '', '', ''] });
    expect(lines[0].issues[0].code).toBe('InvalidConsentId');
  });

  it('exits 2 and writes nothing when the out dir cannot be written', async () => {
    await writeFile(join(dir, 'plainfile'), 'x');
    const r = run(['prepare', 'good.csv', '--out-dir', 'plainfile/sub']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/batchprep: NotWritable: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a non-empty out dir unless --force, which replaces the previous run', async () => {
    const r = run(['prepare', 'good.csv', '--out-dir', 'o1', '--max-rows', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OutputExists');
    const f = run(['prepare', 'good.csv', '--out-dir', 'o1', '--max-rows', '10', '--force']);
    expect(f.code).toBe(0);
    expect(await visible(join(dir, 'o1'))).toEqual(['good-0001.csv', 'manifest.json']);
  });

  it('refuses a reference-id base too long to take the part suffix', () => {
    const r = run(['prepare', 'good.csv', '--out-dir', 'o5', '--reference-id', 'A'.repeat(56)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('InvalidReferenceId');
    expect(r.stderr).toContain('at most 55');
  });

  it('refuses a row that cannot fit in --max-bytes with its header, leaving nothing', async () => {
    const r = run(['prepare', 'good.csv', '--out-dir', 'o6', '--max-bytes', '80']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('InputTooLarge');
    expect(await visible(join(dir, 'o6'))).toEqual([]);
  });

  it.each([
    ['a directory', '.', 'IoError'],
    ['a missing file', 'missing.csv', 'FileNotFound'],
  ])('an input that cannot be read (%s) exits 2 with a coded error and creates no out-dir', async (_what, input, code) => {
    const r = run(['prepare', input, '--out-dir', `never-${code}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(await readdir(join(dir, `never-${code}`)).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  });

  it('leaves no part and no manifest when interrupted mid-way', async () => {
    const out = join(dir, 'o7');
    await mkdir(out);
    const child = spawn('node', [BIN, 'prepare', '-', '--out-dir', out, '--max-bytes', '2000'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => undefined); // EPIPE once it is interrupted: expected
    child.stdin.write(`${HEADER}\n`);
    for (let i = 0; i < 2000; i++) child.stdin.write(`${id(i + 10)},,,\n`);
    // Readiness, not a sleep: wait (polling the file system, however long it takes) until
    // parts are being written, then Ctrl-C while stdin is still open, so it really is mid-way.
    let partsSeen = 0;
    while (partsSeen <= 2) {
      expect(child.exitCode).toBeNull();
      const tmp = (await readdir(out)).filter((n) => n.startsWith('.batchprep-tmp-'));
      partsSeen = tmp.length ? (await readdir(join(out, tmp[0]!)).catch(() => [])).length : 0;
      if (partsSeen <= 2) await new Promise((r) => setTimeout(r, 20));
    }
    expect(partsSeen).toBeGreaterThan(2);
    expect(child.exitCode).toBeNull(); // still running: stdin is open, so it cannot have finished
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted');
    expect(await readdir(out)).toEqual([]);
  });
});
