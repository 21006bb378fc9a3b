// The one HTTP-status-to-failure mapping (issue 11 item 6), used by FinPro, FIP, fileX REST
// and pre-signed URL transfers; then the same mapping seen through a real FinPro test server.
import { describe, expect, test } from 'vitest';
import { ErrorCode, isBatchprepError, type BatchprepError } from '../../../src/errors.js';
import { classifyStatus, statusError } from '../../../src/submit/http/status-error.js';
import { submitToFinPro } from '../../../src/submit/finpro/client.js';
import { TEST_CREDENTIALS } from '../../servers/finpro-server.js';
import { GOOD_CSV, useFinProServer } from '../finpro/finpro-helpers.js';

describe('classifyStatus', () => {
  test('the table', () => {
    const rows: Array<[number, Parameters<typeof classifyStatus>[1], ErrorCode, boolean]> = [
      [401, {}, ErrorCode.Unauthorized, false],
      [403, {}, ErrorCode.Forbidden, false],
      [403, { forbidden: ErrorCode.Unauthorized }, ErrorCode.Unauthorized, false],
      [404, {}, ErrorCode.RemoteNotFound, false],
      [404, { notFound: false }, ErrorCode.UnexpectedResponse, false],
      [429, {}, ErrorCode.RateLimited, true],
      [500, {}, ErrorCode.ServerError, true],
      [503, { serverCode: 'ServiceUnavailable' }, ErrorCode.ServerError, true],
      [400, {}, ErrorCode.UnexpectedResponse, false],
      [400, { serverCode: 'InvalidFileContent' }, ErrorCode.InvalidFileContent, false],
      [409, { serverCode: 'DuplicateReferenceId' }, ErrorCode.DuplicateReferenceId, false],
      [404, { serverCode: 'NoSuchBatch' }, ErrorCode.Rejected, false],
      [422, { serverCode: 'toString' }, ErrorCode.Rejected, false],
      [302, {}, ErrorCode.UnexpectedResponse, false],
    ];
    for (const [status, o, code, retryable] of rows) expect(classifyStatus(status, o), `${status} ${JSON.stringify(o)}`).toEqual({ code, retryable });
  });

  test('statusError keeps the server code and honours Retry-After only when a retry is allowed', () => {
    const e = statusError(429, (c) => `limited: ${c}`, { retryAfter: '2', txnid: 't' });
    expect(e).toMatchObject({ code: 'RateLimited', message: 'limited: RateLimited', status: 429, retryable: true, retryAfterMs: 2000, txnid: 't' });
    expect(statusError(400, () => 'x', { retryAfter: '2', serverCode: 'Nope' })).toMatchObject({ code: 'Rejected', serverCode: 'Nope', retryable: false, retryAfterMs: undefined });
  });
});

describe('through a FinPro test server', () => {
  const fx = useFinProServer({ 'good.csv': GOOD_CSV });

  const submit = () => submitToFinPro(fx.files.path('good.csv'), { baseUrl: fx.server.url, credentials: TEST_CREDENTIALS, retries: 2, retryBaseDelayMs: 1 });

  test('a rejection code we do not know is Rejected with the server code beside it, after one attempt', async () => {
    fx.server.faults.push({ kind: 'garbage', status: 422, body: JSON.stringify({ txnid: 'tx-9', errorCode: 'SomethingNew', errorMsg: 'new rule' }) });
    const err = (await submit().catch((e: unknown) => e)) as BatchprepError;
    expect(isBatchprepError(err)).toBe(true);
    expect([err.code, err.serverCode, err.status, err.txnid, err.attempts, err.exitCode]).toEqual(['Rejected', 'SomethingNew', 422, 'tx-9', 1, 1]);
  });

  test('a 429 carries Retry-After as retryAfterMs, and the final error of a retried call carries attempts', async () => {
    fx.server.faults.push({ kind: 'rateLimit', retryAfter: '0' }, { kind: 'rateLimit', retryAfter: '0' }, { kind: 'rateLimit', retryAfter: '0' });
    const err = (await submit().catch((e: unknown) => e)) as BatchprepError;
    expect([err.code, err.status, err.retryAfterMs, err.attempts, err.serverCode]).toEqual(['RateLimited', 429, 0, 3, 'TooManyRequests']);
  });
});
