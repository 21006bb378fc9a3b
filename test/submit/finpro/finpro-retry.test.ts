// Retries and faults, through the CLI: what is retried (network, timeout, 429, 5xx), what is
// not (4xx), the bounds, and the 409-after-a-lost-reply rule.
import { describe, expect, test } from 'vitest';
import { finproEnv, GOOD_CSV, runCli, useFinProServer } from './finpro-helpers.js';

const fx = useFinProServer({ 'good.csv': GOOD_CSV });

/** finpro submit --json with fast backoff; returns the exit code, the parsed JSON and stderr. */
async function submit(...extra: string[]) {
  const r = await runCli(['finpro', 'submit', fx.files.path('good.csv'), '--json', '--retry-base-delay', '20', ...extra], finproEnv(fx.server.url));
  const lines = r.stdout.trim().split('\n');
  expect(lines, `stdout: ${r.stdout}\nstderr: ${r.stderr}\ncode: ${r.code}`).toHaveLength(1);
  expect(lines[0], `stderr: ${r.stderr}\ncode: ${r.code}`).toMatch(/^\{.*\}$/);
  return { code: r.code, json: JSON.parse(lines[0]!), stderr: r.stderr };
}

describe('retried failures', () => {
  test('500 and 503 are retried and the upload lands once', async () => {
    fx.server.faults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    const r = await submit();
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ attempts: 3, duplicateOnRetry: false, status: 'FILE_UPLOADED' });
    expect(r.stderr).toMatch(/attempt 1 failed: ServerError \(500\)/);
    expect(r.stderr).toMatch(/attempt 2 failed: ServerError \(503\)/);
    expect(fx.server.received.map((x) => x.status)).toEqual([500, 503, 200]);
    expect(new Set(fx.server.received.map((x) => x.fields.reference_id)).size).toBe(1);
    expect(fx.server.batches.size).toBe(1);
  });

  test('429 waits for Retry-After', async () => {
    fx.server.faults.push({ kind: 'rateLimit', retryAfter: '1' });
    const r = await submit();
    expect(r.code).toBe(0);
    expect(r.json.attempts).toBe(2);
    expect(r.stderr).toMatch(/attempt 1 failed: RateLimited \(429\).*retrying in 1\.0 s/);
  });

  test('a Retry-After beyond --retry-max-time gives up at once with RateLimited (exit 3)', async () => {
    fx.server.faults.push({ kind: 'rateLimit', retryAfter: '30' });
    const r = await submit('--retry-max-time', '5');
    expect(r.code).toBe(3);
    expect(r.json).toEqual({ error: { code: 'RateLimited', referenceId: expect.any(String), status: 429, message: expect.any(String), txnid: expect.any(String), retryable: true }, attempts: 1, bodySent: true });
    expect(fx.server.received).toHaveLength(1);
  });

  test('a non-JSON 502 from a gateway is a retryable ServerError', async () => {
    fx.server.faults.push({ kind: 'badGateway' });
    const r = await submit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/attempt 1 failed: ServerError \(502\).*Bad Gateway/);
    expect(r.json.attempts).toBe(2);
  });

  test('a connection reset mid-body is a retryable NetworkError', async () => {
    fx.server.faults.push({ kind: 'reset', afterBytes: 50 });
    const r = await submit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/attempt 1 failed: NetworkError/);
    expect(r.json).toMatchObject({ attempts: 2, duplicateOnRetry: false });
    expect(fx.server.batches.size).toBe(1);
  });

  test('retries are bounded by --retries: the last error and the attempt count are reported (exit 3)', async () => {
    for (let i = 0; i < 5; i++) fx.server.faults.push({ kind: 'status', status: 503 });
    const r = await submit('--retries', '2');
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ error: { code: 'ServerError', status: 503, retryable: true }, attempts: 3 });
    expect(fx.server.received).toHaveLength(3);
    expect(r.stderr).toMatch(/batchprep: ServerError: FinPro answered 503/);
  });

  test('an unreachable server is a NetworkError after the retries (exit 3)', async () => {
    const port = 9; // discard: nothing listens there (a freed ephemeral port may be taken again)
    const r = await runCli(['finpro', 'submit', fx.files.path('good.csv'), '--json', '--retries', '1', '--retry-base-delay', '10', '--endpoint', `http://127.0.0.1:${port}`], finproEnv(fx.server.url));
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'NetworkError', status: null, retryable: true }, attempts: 2 });
    expect(r.stderr).toContain(`cannot connect to FinPro at http://127.0.0.1:${port} (ECONNREFUSED)`);
  });
});

describe('lost replies and 409', () => {
  test('accept-then-drop: the retry is answered 409 and reported as success with duplicateOnRetry', async () => {
    fx.server.faults.push({ kind: 'dropReply' });
    const r = await submit();
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ duplicateOnRetry: true, attempts: 2, batchId: null, status: null });
    expect(r.json.referenceId).toBe(fx.server.received[0]!.fields.reference_id);
    expect(fx.server.received.map((x) => x.errorCode ?? x.status)).toEqual([0, 'DuplicateReferenceId']);
    expect(fx.server.batches.size).toBe(1);
    expect(r.stderr).toMatch(/landed as bp-.*reply to an earlier attempt was lost/);
  });

  test('a reply slower than --timeout is a Timeout; the retry gets 409 and that is success', async () => {
    // The held-back reply outlasts the test; --timeout leaves a loaded machine ample time to
    // deliver attempt 1 (so it lands) and to get attempt 2's 409 back.
    fx.server.faults.push({ kind: 'slow', delayMs: 60_000 });
    const r = await submit('--timeout', '4');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/attempt 1 failed: Timeout: FinPro at .* did not answer within 4 s/);
    expect(r.json).toMatchObject({ duplicateOnRetry: true, attempts: 2 });
  });

  test('a timeout on every attempt ends in Timeout (exit 3)', async () => {
    fx.server.faults.push({ kind: 'slow', delayMs: 60_000 }, { kind: 'slow', delayMs: 60_000 });
    const r = await submit('--timeout', '0.5', '--retries', '1');
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'Timeout', retryable: true });
  });

  test('409 on the first attempt is a rejection (exit 1), never retried', async () => {
    const first = await submit('--reference-id', 'taken-ref');
    expect(first.code).toBe(0);
    const again = await submit('--reference-id', 'taken-ref');
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ error: { code: 'DuplicateReferenceId', status: 409, retryable: false }, attempts: 1 });
    expect(fx.server.received).toHaveLength(2);
  });

  test('409 after a 429 (which cannot have landed) is still a rejection', async () => {
    await submit('--reference-id', 'taken-ref-2');
    fx.server.faults.push({ kind: 'rateLimit', retryAfter: '0' });
    const r = await submit('--reference-id', 'taken-ref-2');
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ error: { code: 'DuplicateReferenceId' }, attempts: 2 });
  });
});

describe('never retried', () => {
  test('4xx rejections are sent once', async () => {
    const cases = [
      { fault: { kind: 'garbage', status: 400, body: JSON.stringify({ errorCode: 'InvalidFileContent', errorMsg: 'nope', txnid: 't-400' }) } as const, code: 'InvalidFileContent', exit: 1 },
      { fault: { kind: 'garbage', status: 413, body: JSON.stringify({ errorCode: 'FileTooLarge', errorMsg: 'big' }) } as const, code: 'FileTooLarge', exit: 1 },
      { fault: { kind: 'garbage', status: 401, body: JSON.stringify({ errorCode: 'Unauthorized', errorMsg: 'who' }) } as const, code: 'Unauthorized', exit: 4 },
      { fault: { kind: 'garbage', status: 403, body: '<html>forbidden</html>' } as const, code: 'Unauthorized', exit: 4 },
    ];
    for (const c of cases) {
      fx.server.reset();
      fx.server.faults.push(c.fault);
      const r = await submit();
      expect(r.code, c.code).toBe(c.exit);
      expect(r.json.error.code).toBe(c.code);
      expect(r.json.attempts).toBe(1);
      expect(fx.server.received).toHaveLength(1);
    }
  });

  test('a 200 that is not the documented shape is UnexpectedResponse (exit 3), not retried', async () => {
    fx.server.faults.push({ kind: 'garbage', status: 200, body: 'OK' });
    const r = await submit();
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ error: { code: 'UnexpectedResponse', status: 200, retryable: false }, attempts: 1 });
    expect(fx.server.received).toHaveLength(1);
  });
});
