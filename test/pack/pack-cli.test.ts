import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('dist/cli/bin.js');
let dir: string;
let csv: string;
beforeAll(async () => {
  // Runs dist/: build first (`npm run build`; `npm test` does). Rebuilding here would rewrite
  // dist/ while other test files run the CLI from it, and they could load a half-written file.
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
  dir = await mkdtemp(join(tmpdir(), 'bp-pack-cli-'));
  const lines = ['id,note,amount'];
  // Random notes so deflate cannot shrink the file much; some notes hold quoted newlines.
  for (let i = 0; i < 1500; i++) lines.push(`${i},"${randomBytes(12).toString('base64')}${i % 7 === 0 ? '\nmore' : ''}",${i * 3}`);
  csv = `${lines.join('\n')}\n`;
  await writeFile(join(dir, 'trades.csv'), csv);
  await writeFile(join(dir, 'blob.bin'), randomBytes(40_000));
  await writeFile(join(dir, 'bad name.txt'), 'hello');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], input?: string | Buffer) {
  const r = spawnSync('node', [BIN, ...args], { cwd: dir, input: input ?? '', encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('batchprep pack', () => {
  it('splits a CSV by rows across at least three archives that unzip -t accepts', async () => {
    const r = run(['pack', 'trades.csv', '--out-dir', 'z1', '--max-bytes', '20000', '--name', 'TRADES', '--json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.archives.length).toBeGreaterThanOrEqual(3);
    let joined = '';
    let rows = 0;
    for (const [i, a] of m.archives.entries()) {
      expect(a.file).toBe(`TRADES-${String(i + 1).padStart(4, '0')}.zip`);
      const path = join(dir, 'z1', a.file);
      expect((await stat(path)).size).toBeLessThanOrEqual(20000);
      expect(execFileSync('unzip', ['-t', path], { encoding: 'utf8' })).toContain('No errors detected');
      for (const e of a.entries) {
        const text = execFileSync('unzip', ['-p', path, e.name], { encoding: 'utf8' });
        expect(text.startsWith('id,note,amount\n')).toBe(true);
        joined += joined === '' ? text : text.slice('id,note,amount\n'.length);
        rows += e.rows;
      }
    }
    expect(joined).toBe(csv);
    expect(rows).toBe(1500);
  });

  it('packs several inputs into one archive when they fit, CSV rows counted', async () => {
    await writeFile(join(dir, 'piped.csv'), csv);
    const r = run(['pack', 'piped.csv', 'blob.bin', '--out-dir', 'z2', '--name', 'BATCH']);
    expect(r.code).toBe(0);
    expect((await readdir(join(dir, 'z2'))).sort()).toEqual(['BATCH.zip', 'manifest.json']);
    const m = JSON.parse(await readFile(join(dir, 'z2', 'manifest.json'), 'utf8'));
    expect(m.archives[0].entries.map((e: { name: string; source: string; rows?: number }) => [e.name, e.source, e.rows])).toEqual([
      ['piped.csv', 'piped.csv', 1500],
      ['blob.bin', 'blob.bin', undefined],
    ]);
    expect(execFileSync('unzip', ['-p', join(dir, 'z2', 'BATCH.zip'), 'piped.csv'], { encoding: 'utf8' })).toBe(csv);
  });

  it('refuses a name outside the FILE_NAME rule with the reason, or fixes it with --sanitize-names', async () => {
    const r = run(['pack', 'bad name.txt', '--out-dir', 'z3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('InvalidFileName');
    expect(r.stderr).toContain('it contains space');
    expect(await readdir(join(dir, 'z3')).catch(() => [])).toEqual([]);
    const bad = run(['pack', 'blob.bin', '--out-dir', 'z3', '--name', 'my_archive']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"_"');
    const s = run(['pack', 'bad name.txt', '--out-dir', 'z3', '--sanitize-names', '--json']);
    expect(s.code).toBe(0);
    const m = JSON.parse(s.stdout);
    expect(m.archives[0].file).toBe('bad-name.zip');
    expect(m.archives[0].entries[0].name).toBe('bad-name.txt');
  });

  it('refuses a non-splittable input too large for one archive, leaving nothing', async () => {
    const r = run(['pack', 'blob.bin', '--out-dir', 'z4', '--max-bytes', '10000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('InputTooLarge');
    expect(r.stderr).toContain('only CSV files can be split');
    // A failed run leaves no new, empty out-dir behind (issue 8 point 9).
    await expect(readdir(join(dir, 'z4'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('exits 2 when the out dir cannot be written', async () => {
    const r = run(['pack', 'blob.bin', '--out-dir', 'trades.csv/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NotWritable/);
  });

  it('leaves no archive and no manifest when interrupted mid-way', async () => {
    const out = join(dir, 'z5');
    await mkdir(out);
    // ~13 MB of poorly compressible rows at --max-bytes 30000: hundreds of archives, so the run
    // is long compared with the few file-system polls it takes to see it mid-way.
    const big = Buffer.concat(Array.from({ length: 300 }, () => Buffer.from(csv)));
    await writeFile(join(dir, 'big.csv'), big);
    const child = spawn('node', [BIN, 'pack', 'big.csv', '--out-dir', out, '--max-bytes', '30000', '--level', '9'], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    // Readiness, not a sleep: poll (however long it takes) until archive 1 is complete and
    // archive 2 is being written in the hidden temp dir...
    while ((await tempParts(out)).length < 2) {
      expect(child.exitCode, `pack ended before it was seen mid-way:\n${stderr}`).toBeNull();
      await new Promise((r) => setTimeout(r, 10));
    }
    // ...then freeze it, so the state asserted below is exactly the state Ctrl-C hits.
    child.kill('SIGSTOP');
    await waitUntilStopped(child.pid!);
    const parts = await tempParts(out);
    expect(parts.length, 'mid-way: at least one archive done and one being written').toBeGreaterThanOrEqual(2);
    expect((await readdir(out)).filter((n) => !n.startsWith('.batchprep-tmp-'))).toEqual([]);
    child.kill('SIGINT');
    child.kill('SIGCONT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted');
    expect(await readdir(out)).toEqual([]);
  });
});

/** The archive files in the out dir's hidden temp dir (none when there is no temp dir). */
async function tempParts(out: string): Promise<string[]> {
  const tmp = (await readdir(out)).filter((n) => n.startsWith('.batchprep-tmp-'));
  if (tmp.length === 0) return [];
  return (await readdir(join(out, tmp[0]!)).catch(() => [] as string[])).filter((n) => n.endsWith('.zip.part'));
}

/** Resolves once the kernel reports `pid` as stopped (state T in /proc/PID/stat); throws if it exited. */
async function waitUntilStopped(pid: number): Promise<void> {
  for (;;) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'T' || state === 't') return;
    if (state === '' || state === 'Z' || state === 'X') throw new Error(`process ${pid} exited instead of stopping`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
