import { BatchprepError, ErrorCode, isErrorCode } from '../../errors.js';
import { parseRetryAfter } from './retry.js';

/**
 * The one mapping of a non-2xx HTTP status to a failure, for every service (FinPro, FIP,
 * fileX REST, pre-signed S3 URLs), so a 429 or a 503 means the same thing everywhere.
 */
export interface StatusErrorOptions {
  /** The server's own error code (FinPro `errorCode`), when its reply had one. */
  serverCode?: string;
  /** The `Retry-After` header, honoured for 429 and 5xx. */
  retryAfter?: string | string[] | null;
  txnid?: string;
  errorDetails?: unknown;
  cause?: unknown;
  /** What 403 means: a refused credential (FinPro) or a path the account may not use (fileX). @default 'Forbidden' */
  forbidden?: typeof ErrorCode.Unauthorized | typeof ErrorCode.Forbidden;
  /** Whether 404 without a server code means a missing remote file or space. @default true */
  notFound?: boolean;
}

/**
 * The code and retryability of a status: 401 Unauthorized, 403 per `forbidden`, 429
 * RateLimited and 5xx ServerError (both retryable), another 4xx the server's code when it is
 * one of ours, `Rejected` for a server code we do not know, 404 RemoteNotFound, else
 * UnexpectedResponse. A 4xx is never retryable.
 */
export function classifyStatus(status: number, o: StatusErrorOptions = {}): { code: ErrorCode; retryable: boolean } {
  if (status === 401) return { code: ErrorCode.Unauthorized, retryable: false };
  if (status === 403) return { code: o.forbidden ?? ErrorCode.Forbidden, retryable: false };
  if (status === 429) return { code: ErrorCode.RateLimited, retryable: true };
  if (status >= 500) return { code: ErrorCode.ServerError, retryable: true };
  if (status >= 400 && o.serverCode) return { code: isErrorCode(o.serverCode) ? o.serverCode : ErrorCode.Rejected, retryable: false };
  if (status === 404 && (o.notFound ?? true)) return { code: ErrorCode.RemoteNotFound, retryable: false };
  return { code: ErrorCode.UnexpectedResponse, retryable: false };
}

/**
 * Builds the failure for a non-2xx reply: the code from `classifyStatus`, the message from
 * `describe(code)` (each service words its own advice), and the status, server code, txnid and
 * Retry-After wait as fields.
 */
export function statusError(status: number, describe: (code: ErrorCode) => string, o: StatusErrorOptions = {}): BatchprepError {
  const { code, retryable } = classifyStatus(status, o);
  return new BatchprepError(code, describe(code), {
    status,
    retryable,
    serverCode: o.serverCode,
    txnid: o.txnid,
    errorDetails: o.errorDetails,
    cause: o.cause,
    retryAfterMs: retryable ? parseRetryAfter(o.retryAfter) : undefined,
  });
}
