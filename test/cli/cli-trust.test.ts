/**
 * Issue 9 items 1 and 4, issue 8 point 9, through the built CLI against the test servers:
 * servers that echo every secret in every field, credentials inside URLs, hostile escape
 * sequences in listings and tracking records, interrupted and failed FinPro uploads.
 * Needs `npm run build`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFinProServer, TEST_CREDENTIALS, type FinProServer } from '../servers/finpro-server.js';
import { BIN, finproEnv, GOOD_CSV, runCli as runFinpro } from '../submit/finpro/finpro-helpers.js';
import { runCli as runFilex, startStack, type Stack } from '../submit/filex/filex-helpers.js';
import { HEADER, runCli } from '../helpers/validate.js';

const SECRET = TEST_CREDENTIALS.clientSecret;
let dir: string;
let finpro: FinProServer;
let stack: Stack;
const f = (name: string) => join(dir, name);
const outputs: Array<{ label: string; text: string }> = [];

/** Keeps every byte a command printed, for the final grep. */
function keep<R extends { stdout: string; stderr: string }>(label: string, r: R): R {
  outputs.push({ label, text: `${r.stdout}\n${r.stderr}` });
  return r;
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
  dir = await mkdtemp(join(tmpdir(), 'bp-cli-trust-'));
  await writeFile(f('good.csv'), GOOD_CSV);
  // A consent file that holds the secrets as values: every report echoes the bad values.
  await writeFile(f('echo.csv'), `${HEADER}\n${SECRET},,,\n${'filex-secret-pass'},,,\n`);
  finpro = await startFinProServer();
  stack = await startStack();
}, 60_000);

afterAll(async () => {
  await finpro?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => finpro.reset());

describe('issue 9.1: one redaction point for every byte of text', () => {
  const finproSecretEnv = () => finproEnv(finpro.url);

  it('finpro submit --json / text / --debug: a server that echoes the client secret in txnid, batch_id and storage_type', async () => {
    for (const extra of [['--json'], [], ['--debug', '--json']]) {
      finpro.faults.push({
        kind: 'garbage',
        body: JSON.stringify({
          ver: '1.0',
          timestamp: '2024-01-01T00:00:00Z',
          txnid: SECRET,
          status: 'success',
          message: `ok ${SECRET}`,
          data: { reference_id: 'bp-ref-00001', batch_id: `batch-${SECRET}`, storage_type: SECRET, status: SECRET },
        }),
      });
      const r = keep(`finpro echo ${extra.join(' ')}`, await runFinpro(['finpro', 'submit', f('good.csv'), '--reference-id', 'bp-ref-00001', ...extra], finproSecretEnv()));
      expect(finpro.received.at(-1)?.headers['client_secret'] ?? SECRET).toBe(SECRET); // it was sent
      expect(r.stdout + r.stderr).toContain('***');
    }
  });

  it('finpro submit: error replies that echo the secret, with --debug', async () => {
    for (const status of [400, 500]) {
      finpro.faults.push({ kind: 'garbage', status, body: JSON.stringify({ txnid: SECRET, errorCode: 'Echo', errorMsg: `bad ${SECRET}`, errorDetails: { client_secret: SECRET } }) });
      keep(`finpro error ${status}`, await runFinpro(['finpro', 'submit', f('good.csv'), '--retries', '0', '--debug', '--json'], finproSecretEnv()));
    }
  });

  it('validate (every report format, --debug), prepare and pack with the secrets in the environment and in the data', async () => {
    const env = { FINPRO_CLIENT_SECRET: SECRET, FILEX_PASSWORD: 'filex-secret-pass' };
    for (const kind of ['text', 'json', 'ndjson', 'github', 'junit', 'sarif']) {
      const r = keep(`validate ${kind}`, await runCli(['validate', 'echo.csv', '--report', kind, '--debug'], { cwd: dir, env }));
      expect(r.code).toBe(1);
    }
    keep('prepare', await runCli(['prepare', 'echo.csv', '--out-dir', 'p', '--report', 'json', '--debug'], { cwd: dir, env }));
    keep('prepare reject-file', await runCli(['prepare', 'echo.csv', '--out-dir', 'p2', '--reject-file', 'rej.ndjson', '--json'], { cwd: dir, env }));
    keep('pack', await runCli(['pack', 'echo.csv', '--out-dir', 'k', '--json', '--debug'], { cwd: dir, env }));
  });

  it('filex ls / track / download: a server that echoes the password in names and statuses', async () => {
    const pw = stack.fx.password;
    stack.fx.faults.hostileNames = [`x${pw}x`];
    keep('filex ls', await runFilex(['filex', 'ls', '0001/app1/out'], stack.env));
    keep('filex ls --json', await runFilex(['filex', 'ls', '0001/app1/out', '--json', '--debug'], stack.env));
    const up = keep('filex upload', await runFilex(['filex', 'upload', f('good.csv'), '0001/app1/in', '--json'], stack.env));
    const id = JSON.parse(up.stdout).trackingId as string;
    const rec = stack.fx.tracking.get(id)!;
    (rec as { fileName: string }).fileName = `f-${pw}`;
    keep('filex track', await runFilex(['filex', 'track', id], stack.env));
    keep('filex track --json', await runFilex(['filex', 'track', id, '--json'], stack.env));
    keep('filex track list', await runFilex(['filex', 'track'], stack.env));
    keep('filex download', await runFilex(['filex', 'download', `0001/app1/out/x${pw}x`, '-o', f('dl/')], stack.env));
    stack.fx.faults.hostileNames = [];
  });

  it('credentials inside URLs (FINPRO_BASE_URL, FILEX_BASE_URL, FIP_TOKEN_URL) are masked', async () => {
    const closed = 'http://alice:url-pass-123@127.0.0.1:9';
    const r1 = keep('finpro url creds', await runFinpro(['finpro', 'submit', f('good.csv'), '--retries', '0', '--debug'], finproEnv(closed)));
    expect(r1.code).not.toBe(0);
    const r2 = keep('filex url creds', await runFilex(['filex', 'ls', '0001/app1/out', '--retries', '0', '--debug'], { ...stack.env, FILEX_BASE_URL: closed, FIP_TOKEN_URL: `${closed}/token` }));
    expect(r2.code).not.toBe(0);
    for (const o of outputs.filter((x) => x.label.includes('url creds'))) expect(o.text, o.label).not.toContain('url-pass-123');
  });

  it('no secret in any output of any command above', () => {
    expect(outputs.length).toBeGreaterThan(15);
    for (const o of outputs) {
      for (const s of [SECRET, stack.fx.password, 'url-pass-123']) expect(o.text.includes(s), `${o.label} printed ${s}`).toBe(false);
    }
  });
});

describe('issue 9.4: control characters from the server are escaped', () => {
  const HOSTILE = ['\u001b]0;owned\u0007title', '\u001b[2Jclear', 'c1\u009b31mred', 'del\u007fx'];
  const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it('filex ls: names from the listing are shown escaped', async () => {
    stack.fx.faults.hostileNames = HOSTILE;
    const r = await runFilex(['filex', 'ls', '0001/app1/out'], stack.env);
    stack.fx.faults.hostileNames = [];
    expect(r.code, r.stderr).toBe(0);
    expect(RAW.test(r.stdout + r.stderr), JSON.stringify(r.stdout)).toBe(false);
    expect(r.stdout).toContain('\\u001b[2Jclear');
    expect(r.stdout).toContain('c1\\u009b31mred');
  });

  it('filex track: status and file name are shown escaped (one record and the list)', async () => {
    const up = await runFilex(['filex', 'upload', f('good.csv'), '0001/app1/in', '--name', 'esc.csv', '--json'], stack.env);
    const id = JSON.parse(up.stdout).trackingId as string;
    const rec = stack.fx.tracking.get(id)! as unknown as Record<string, unknown>;
    rec.fileName = '\u001b]0;owned\u0007.csv';
    rec.status = '\u001b[2JReceived';
    for (const args of [['track', id], ['track']]) {
      const r = await runFilex(['filex', ...args], stack.env);
      expect(RAW.test(r.stdout + r.stderr), JSON.stringify(r)).toBe(false);
      expect(r.stdout + r.stderr).toContain('\\u001b');
    }
  });
});

describe('issue 8.9: interruptions and final failures tell the truth', () => {
  it('Ctrl-C after the whole file was sent: exit 130, the reference ID, "the whole file was sent"; --json has referenceId', async () => {
    finpro.faults.push({ kind: 'slow', delayMs: 20_000 });
    const env = Object.fromEntries(Object.entries(finproEnv(finpro.url)).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const child = spawn(process.execPath, [BIN, 'finpro', 'submit', f('good.csv'), '--json', '--reference-id', 'ctrl-c-0001'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    while (finpro.received.length === 0 || finpro.received[0]!.file === undefined) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/^batchprep: Aborted: interrupted$/m);
    expect(stderr).toMatch(/reference ID ctrl-c-0001: the whole file was sent, so FinPro may have stored the batch/);
    expect(stderr).not.toMatch(/nothing partial/);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'Aborted', referenceId: 'ctrl-c-0001' }, bodySent: true });
    // It did land: the message's "may have stored" is the truth.
    expect(finpro.batches.has('ctrl-c-0001')).toBe(true);
  });

  it('a final failure prints the (generated) reference ID to re-run with; every --json failure has referenceId', async () => {
    finpro.faults.push({ kind: 'status', status: 503 });
    const r = await runFinpro(['finpro', 'submit', f('good.csv'), '--retries', '0', '--json'], finproEnv(finpro.url));
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.error.referenceId).toMatch(/^bp-/);
    expect(r.stderr).toContain(`re-run with --reference-id ${out.error.referenceId}`);
    expect(finpro.received[0]!.fields.reference_id).toBe(out.error.referenceId);
  });

  it('a local rejection says nothing was sent (no reference ID line to act on); a missing file too', async () => {
    await writeFile(f('bad.csv'), `${HEADER}\nnope,,,\n`);
    const r = await runFinpro(['finpro', 'submit', f('bad.csv'), '--json'], finproEnv(finpro.url));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing was sent/);
    expect(r.stderr).not.toMatch(/reference ID/);
    expect(JSON.parse(r.stdout).error.referenceId).toMatch(/^bp-/);
    const missing = await runFinpro(['finpro', 'submit', f('missing.csv'), '--json'], finproEnv(finpro.url));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/FileNotFound/);
    expect(finpro.received).toHaveLength(0);
  });
});
