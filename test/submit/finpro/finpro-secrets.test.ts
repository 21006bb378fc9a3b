// The client secret never reaches stdout or stderr, whatever happens: success, local refusal,
// server errors that echo it back, transport failures, --debug stack traces, manifest mode.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { startFinProServer, TEST_CREDENTIALS, type FinProServer } from '../../servers/finpro-server.js';
import { finproEnv, GOOD_CSV, runCli, tempFiles } from './finpro-helpers.js';

const SECRET = TEST_CREDENTIALS.clientSecret;
let server: FinProServer;
let files: Awaited<ReturnType<typeof tempFiles>>;
beforeAll(async () => {
  server = await startFinProServer();
  files = await tempFiles({ 'good.csv': GOOD_CSV, 'bad.csv': 'consentId\nnope\n' });
  const part = GOOD_CSV;
  await writeFile(files.path('part-0001.csv'), part);
  await writeFile(
    files.path('manifest.json'),
    JSON.stringify({ input: {}, parts: [{ file: 'part-0001.csv', rows: 3, bytes: part.length, sha256: createHash('sha256').update(part).digest('hex'), referenceId: 'secret-manifest-1' }] }),
  );
});
afterAll(async () => {
  await server.close();
  await files.cleanup();
});
beforeEach(() => server.reset());

const echo = (status: number) => ({
  kind: 'garbage' as const,
  status,
  body: JSON.stringify({ txnid: 't', errorCode: status === 401 ? 'Unauthorized' : 'EchoedSecret', errorMsg: `bad client_secret ${SECRET} for ${TEST_CREDENTIALS.clientId}`, errorDetails: { client_secret: SECRET } }),
});

function expectClean(r: { stdout: string; stderr: string }, label: string) {
  expect(r.stdout.includes(SECRET), `${label}: stdout`).toBe(false);
  expect(r.stderr.includes(SECRET), `${label}: stderr`).toBe(false);
}

test('the secret is sent to the server but never printed', async () => {
  const scenarios: Array<{ label: string; args: string[]; faults?: any[]; env?: Record<string, string>; code: number }> = [
    { label: 'success', args: [files.path('good.csv'), '--json', '--debug'], code: 0 },
    { label: 'validation failure', args: [files.path('bad.csv'), '--json', '--debug'], code: 1 },
    { label: '401 echoing the secret', args: [files.path('good.csv'), '--json', '--debug'], faults: [echo(401)], code: 4 },
    { label: '400 echoing the secret', args: [files.path('good.csv'), '--json', '--debug'], faults: [echo(400)], code: 1 },
    { label: '500s echoing the secret, then retries exhausted', args: [files.path('good.csv'), '--json', '--debug', '--retries', '1', '--retry-base-delay', '10'], faults: [echo(500), echo(503)], code: 3 },
    { label: 'HTML 502 echoing the secret', args: [files.path('good.csv'), '--json', '--retries', '0'], faults: [{ kind: 'garbage', status: 502, body: `<html>${SECRET}</html>` }], code: 3 },
    { label: '200 with a non-JSON body echoing the secret', args: [files.path('good.csv'), '--json', '--debug'], faults: [{ kind: 'garbage', status: 200, body: `ok ${SECRET}` }], code: 3 },
    { label: 'reset mid-body', args: [files.path('good.csv'), '--json', '--debug', '--retries', '0'], faults: [{ kind: 'reset', afterBytes: 10 }], code: 3 },
    { label: 'manifest with an echoing rejection', args: [files.dir, '--json', '--debug'], faults: [echo(400)], code: 1 },
  ];
  for (const s of scenarios) {
    server.reset();
    server.faults.push(...(s.faults ?? []));
    const r = await runCli(['finpro', 'submit', ...s.args], finproEnv(server.url, s.env));
    expect(r.code, `${s.label}: ${r.stderr}`).toBe(s.code);
    expectClean(r, s.label);
    if (s.label !== 'validation failure') expect(server.received[0]?.headers.client_secret, s.label).toBe(SECRET);
  }
});

test('the secret is masked in the message where the server echoed it', async () => {
  server.faults.push(echo(400));
  const r = await runCli(['finpro', 'submit', files.path('good.csv'), '--json'], finproEnv(server.url));
  expect(r.stderr).toMatch(/EchoedSecret: bad client_secret \*\*\* for test-client-id/);
  expect(JSON.parse(r.stdout).error.message).toContain('bad client_secret ***');
});

test('an unreachable endpoint and a wrong secret print no secret either', async () => {
  const port = 9; // discard: nothing listens there (a freed ephemeral port may be taken again)
  const down = await runCli(['finpro', 'submit', files.path('good.csv'), '--retries', '0', '--debug', '--endpoint', `http://127.0.0.1:${port}`], finproEnv(server.url));
  expect(down.code).toBe(3);
  expectClean(down, 'unreachable');
  const wrong = 'Wrong-secret-value-123';
  const r = await runCli(['finpro', 'submit', files.path('good.csv'), '--debug'], finproEnv(server.url, { FINPRO_CLIENT_SECRET: wrong }));
  expect(r.code).toBe(4);
  expect(r.stderr.includes(wrong) || r.stdout.includes(wrong)).toBe(false);
});
