// The one error model (issue 11 item 6): declared fields instead of casts, a closed code union
// with the server's own code apart, attempts set by copying, never by mutation.
import { describe, expect, test } from 'vitest';
import { BatchprepError, ErrorCode, exitCodeFor, isErrorCode } from '../src/errors.js';

describe('BatchprepError', () => {
  test('serverCode, retryAfterMs and connectFailed are fields set by the constructor', () => {
    const e = new BatchprepError(ErrorCode.Rejected, 'no', { status: 422, serverCode: 'SomethingNew', retryAfterMs: 1500, connectFailed: true });
    expect([e.code, e.serverCode, e.retryAfterMs, e.connectFailed, e.exitCode]).toEqual(['Rejected', 'SomethingNew', 1500, true, 1]);
    expect(Object.keys(new BatchprepError(ErrorCode.IoError, 'x'))).toEqual(expect.arrayContaining(['serverCode', 'retryAfterMs', 'connectFailed', 'attempts']));
  });

  test('withAttempts returns a copy with the count and leaves the original as it was', () => {
    const cause = new Error('socket hang up');
    const e = new BatchprepError(ErrorCode.ServerError, 'FinPro answered 503', {
      cause, status: 503, txnid: 't', errorDetails: { a: 1 }, retryable: true, file: 'f.csv', serverCode: 'ServiceUnavailable', retryAfterMs: 10,
    });
    const copy = e.withAttempts(3);
    expect(copy).not.toBe(e);
    expect(e.attempts).toBeUndefined();
    expect(copy).toMatchObject({ code: 'ServerError', message: 'FinPro answered 503', status: 503, txnid: 't', errorDetails: { a: 1 }, retryable: true, file: 'f.csv', serverCode: 'ServiceUnavailable', retryAfterMs: 10, attempts: 3 });
    expect(copy.cause).toBe(cause);
    expect(copy.stack).toBe(e.stack);
    expect(copy.withAttempts(4).attempts).toBe(4);
  });

  test('isErrorCode knows exactly the ErrorCode values; exitCodeFor maps a foreign code by status', () => {
    for (const c of Object.values(ErrorCode)) expect(isErrorCode(c)).toBe(true);
    for (const c of ['toString', 'constructor', '__proto__', 'SomethingNew', '']) expect(isErrorCode(c), c).toBe(false);
    expect(exitCodeFor('toString')).toBe(3);
    expect(exitCodeFor('SomethingNew', 422)).toBe(1);
    expect(exitCodeFor('SomethingNew', 503)).toBe(3);
    expect(exitCodeFor(ErrorCode.Forbidden)).toBe(4);
  });
});
