/**
 * Issue 8 points 2-8 and 11 through the built CLI: coded input failures, several files in one
 * report, file-level errors always listed, sizes with units, stdin, report files, --quiet and
 * --progress, terminals (a real pty from `script`). Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, HEADER, U1, U2, runCli, uuidFor } from '../helpers/validate.js';
import { startFinProServer, type FinProServer } from '../servers/finpro-server.js';
import { finproEnv, GOOD_CSV, runCli as runFinpro } from '../submit/finpro/finpro-helpers.js';

let dir: string;
const f = (name: string) => join(dir, name);
const BAD_CSV = `${HEADER}\n${U1},,,\nnot-a-uuid,,,\n`;
const REPORT_KINDS = ['text', 'json', 'ndjson', 'github', 'junit', 'sarif'];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
  dir = await mkdtemp(join(tmpdir(), 'bp-cli-io-'));
  await writeFile(f('good.csv'), GOOD_CSV);
  await writeFile(f('bad.csv'), BAD_CSV);
  await mkdir(f('a-directory'));
  // 1,010 bytes: over 1KB (1,000) and under 1KiB (1,024).
  const line = `${U2},,,\n`;
  let body = `${HEADER}\n${U1},,,\n`;
  while (body.length + line.length <= 1010) body += line;
  await writeFile(f('sized.csv'), body.padEnd(1010, '\n'));
  // Far over 1 KB and full of duplicate warnings: FileTooLarge must not be pushed out of the list.
  await writeFile(f('dups.csv'), `${HEADER}\n${Array.from({ length: 200 }, () => `${U1},,,`).join('\n')}\n`);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('point 2: input failures are coded, exit 2', () => {
  it('prepare of a missing file, a directory: FileNotFound / IoError, exit 2, no out-dir left', async () => {
    const missing = await runCli(['prepare', 'nope.csv', '--out-dir', 'o1'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^batchprep: FileNotFound: .*nope\.csv/m);
    const isDir = await runCli(['prepare', 'a-directory', '--out-dir', 'o2'], { cwd: dir });
    expect(isDir.code).toBe(2);
    expect(isDir.stderr).toMatch(/^batchprep: IoError: .*a-directory: /m);
    expect(isDir.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(existsSync(f('o1')) || existsSync(f('o2'))).toBe(false);
  });

  it('pack of a directory or a missing file: exit 2, coded, no out-dir left', async () => {
    for (const input of ['a-directory', 'nope.csv']) {
      const r = await runCli(['pack', input, '--out-dir', 'p1'], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^batchprep: (IoError|FileNotFound|UsageError): .*(a-directory|nope\.csv)/m);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(existsSync(f('p1'))).toBe(false);
    }
  });
});

describe('point 3: several files, one report', () => {
  for (const kind of REPORT_KINDS) {
    it(`validate good bad missing dir --report ${kind}: every file in one report, the unreadable ones coded; exit 2 (2 wins over 1)`, async () => {
      const r = await runCli(['validate', 'good.csv', 'bad.csv', 'missing.csv', 'a-directory', '--report', kind], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      // stderr names the unreadable ones too (for people); the report is on stdout.
      expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^batchprep: FileNotFound: missing\.csv/), expect.stringMatching(/^batchprep: IoError: a-directory/)]);
      // github and sarif list findings only; the others name every file.
      const named = ['github', 'sarif'].includes(kind) ? ['bad.csv', 'missing.csv', 'a-directory'] : ['good.csv', 'bad.csv', 'missing.csv', 'a-directory'];
      for (const name of named) expect(r.stdout).toContain(name);
      expect(r.stdout).toContain('FileNotFound');
      expect(r.stdout).toContain('IoError');
      if (kind === 'json') {
        const files = JSON.parse(r.stdout).files;
        expect(files.map((x: { file: string; valid: boolean }) => [x.file, x.valid])).toEqual([
          ['good.csv', true],
          ['bad.csv', false],
          ['missing.csv', false],
          ['a-directory', false],
        ]);
        expect(files[2].issues).toEqual([{ severity: 'error', code: 'FileNotFound', message: expect.stringContaining('missing.csv') }]);
      }
    });
  }
});

describe('point 4: file-level errors are always listed', () => {
  it('FileTooLarge is listed even when duplicate warnings pass --max-errors 5', async () => {
    const r = await runCli(['validate', 'dups.csv', '--max-bytes', '1KB', '--max-errors', '5', '--report', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const file = JSON.parse(r.stdout).files[0];
    expect(file.warningCount).toBe(199);
    expect(file.issues.map((i: { code: string }) => i.code)).toContain('FileTooLarge');
  });

  it('--max-errors 0 is allowed: everything counted, no row issue listed', async () => {
    const r = await runCli(['validate', 'bad.csv', '--max-errors', '0', '--report', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const file = JSON.parse(r.stdout).files[0];
    expect(file.errorCount).toBe(1);
    expect(file.issues.filter((i: { row?: number }) => i.row !== undefined)).toEqual([]);
    expect(file.truncated).toBe(true);
  });
});

describe('point 5: sizes take units', () => {
  it('--max-bytes 1KB is 1,000 bytes and 1KiB 1,024 (and plain bytes work)', async () => {
    const kb = await runCli(['validate', 'sized.csv', '--max-bytes', '1KB', '--report', 'json'], { cwd: dir });
    expect(JSON.parse(kb.stdout).files[0].apiErrorCode).toBe('FileTooLarge');
    const kib = await runCli(['validate', 'sized.csv', '--max-bytes', '1KiB', '--report', 'json'], { cwd: dir });
    expect(kib.code, kib.stdout).toBe(0);
    expect((await runCli(['validate', 'sized.csv', '--max-bytes', '1009'], { cwd: dir })).code).toBe(1);
    expect((await runCli(['validate', 'sized.csv', '--max-bytes', '1010'], { cwd: dir })).code).toBe(0);
  });

  it('prepare --max-bytes takes the same units', async () => {
    const r = await runCli(['prepare', 'sized.csv', '--out-dir', 'sized-parts', '--max-bytes', '0.5KB', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.parts.length).toBeGreaterThan(2);
    for (const p of m.parts) expect(p.bytes).toBeLessThanOrEqual(500);
  });
});

describe('point 6: stdin', () => {
  it('validate and prepare with no file read stdin', async () => {
    const v = await runCli(['validate', '--report', 'json'], { cwd: dir, stdin: GOOD_CSV });
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout).files[0]).toMatchObject({ file: '-', rows: 3 });
    const p = await runCli(['prepare', '--out-dir', 'from-stdin', '--json'], { cwd: dir, stdin: GOOD_CSV });
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).input.rows).toBe(3);
  });

  const ttyCases: Array<[string, string, Record<string, string>]> = [
    ['validate', 'a consent file', {}],
    ['prepare --out-dir tty-parts', 'a consent file', {}],
    ['pack - --out-dir tty-pack', 'the file to pack', {}],
    ['finpro submit', 'a consent file', { FINPRO_BASE_URL: 'http://127.0.0.1:9', FINPRO_CLIENT_ID: 'i', FINPRO_CLIENT_SECRET: 'secret-x', FINPRO_APP_ID: 'a', FINPRO_ORG_ID: 'o' }],
    ['filex upload - 0001/app1/in --name x.zip', 'the file to upload', { FILEX_USERNAME: 'u', FILEX_PASSWORD: 'p-secret', FILEX_BASE_URL: 'http://127.0.0.1:9', FIP_TOKEN_URL: 'http://127.0.0.1:9/t' }],
  ];
  for (const [cmd, what, env] of ttyCases) {
    it(`${cmd}: a terminal on stdin with nothing typed gets a hint on stderr (real pty)`, async () => {
      const child = spawn('script', ['-qec', `${process.execPath} ${BIN} ${cmd}`, '/dev/null'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes(`reading ${what} from stdin`)) resolve();
        });
        child.on('close', () => reject(new Error(`exited without a hint: ${out}`)));
      });
      child.kill('SIGKILL');
      expect(out).toMatch(/Ctrl-D/);
    });
  }
});

describe('point 7: --report FORMAT[=PATH], repeatable', () => {
  it('github on stdout plus junit and sarif files (parents created, written whole); exit 1', async () => {
    const r = await runCli(['validate', 'bad.csv', '--report', 'github', '--report', 'junit=reports/deep/junit.xml', '--report', 'sarif=out.sarif'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=bad\.csv,line=3/m);
    expect(await readFile(f('reports/deep/junit.xml'), 'utf8')).toMatch(/<testsuites[\s\S]*InvalidConsentId/);
    const sarif = JSON.parse(await readFile(f('out.sarif'), 'utf8'));
    expect(sarif.runs[0].results[0].ruleId).toBe('InvalidConsentId');
    // No temporary file is left beside them.
    expect(await readdir(f('reports/deep'))).toEqual(['junit.xml']);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('prepare --report json=FILE writes the rejection report there', async () => {
    const r = await runCli(['prepare', 'bad.csv', '--out-dir', 'never', '--report', 'json=rej/report.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(await readFile(f('rej/report.json'), 'utf8')).files[0].errorCount).toBe(1);
    expect(r.stderr).toMatch(/nothing was written/);
    // point 9: a failed prepare leaves no new, empty out-dir
    expect(existsSync(f('never'))).toBe(false);
  });
});

describe('point 8: --quiet and --progress', () => {
  it('--quiet: a successful prepare prints nothing on stderr; a rejected one still shows its errors', async () => {
    const ok = await runCli(['prepare', 'good.csv', '--out-dir', 'quiet-ok', '--quiet'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
    const bad = await runCli(['prepare', 'bad.csv', '--out-dir', 'quiet-bad', '-q'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/InvalidConsentId/);
    expect(bad.stderr).toMatch(/nothing was written/);
  });

  it('progress is off in a pipe, on with --progress (percent of the known size)', async () => {
    const quiet = await runCli(['validate', 'good.csv'], { cwd: dir });
    expect(quiet.stderr).toBe('');
    const forced = await runCli(['validate', 'good.csv', '--progress'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/^validating good\.csv \[#+-*\] \d+% /m);
    expect(forced.stderr).not.toContain('\r');
    const prepare = await runCli(['prepare', 'good.csv', '--out-dir', 'progress-parts', '--progress'], { cwd: dir });
    expect(prepare.code).toBe(0);
    expect(prepare.stderr).toMatch(/^prepare good\.csv \[[#-]+\] \d+% /m);
  });
});

describe('point 11: small things', () => {
  it('plurals: "1 row", "1 part"', async () => {
    await writeFile(f('one.csv'), `${HEADER}\n${uuidFor(1)},,,\n`);
    const v = await runCli(['validate', 'one.csv'], { cwd: dir });
    expect(v.stdout).toMatch(/valid — 1 row, 0 errors/);
    const p = await runCli(['prepare', 'one.csv', '--out-dir', 'one-parts'], { cwd: dir });
    expect(p.stderr).toMatch(/prepared 1 of 1 row into 1 part in one-parts/);
  });

  it('colour on a terminal unless NO_COLOR is non-empty (an empty NO_COLOR keeps colour)', async () => {
    const run = (noColor: string) =>
      new Promise<string>((resolve) => {
        const child = spawn('script', ['-qec', `${process.execPath} ${BIN} validate bad.csv`, '/dev/null'], { cwd: dir, env: { ...process.env, NO_COLOR: noColor }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.on('close', () => resolve(out));
      });
    expect(await run('')).toContain('\u001b[31m');
    expect(await run('1')).not.toContain('\u001b[31m');
  });
});

describe('point 6: finpro submit reads stdin', () => {
  let server: FinProServer;
  beforeAll(async () => {
    server = await startFinProServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  it('`cat f.csv | batchprep finpro submit` (no file) and `-` both upload stdin', async () => {
    for (const args of [[], ['-']]) {
      const r = await runFinpro(['finpro', 'submit', ...args, '--json'], finproEnv(server.url), { stdin: GOOD_CSV });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).status).toBe('FILE_UPLOADED');
    }
    expect(server.received.map((u) => u.file?.name)).toEqual(['stdin.csv', 'stdin.csv']);
  });
});
