import { BatchprepError, ErrorCode } from '../../errors.js';
import { formatSeconds } from '../http/retry.js';
import { statusError } from '../http/status-error.js';

/** The documented success reply of the File Upload API. */
export interface FinProSuccessReply {
  ver?: string;
  timestamp?: string;
  txnid?: string;
  status: 'success';
  message?: string;
  data: {
    reference_id: string;
    batch_id: string;
    storage_type?: string;
    status?: string;
  };
}

/** The documented error reply of the File Upload API. */
export interface FinProErrorReply {
  ver?: string;
  timestamp?: string;
  txnid?: string;
  errorCode: string;
  errorMsg?: string;
  errorDetails?: unknown;
}

/** A FinPro failure (Retry-After and connect-failed are fields of BatchprepError itself). */
export type FinProError = BatchprepError;

/** Parses a body as JSON, or undefined when it is not JSON (a proxy's HTML page, an empty body). */
function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isErrorReply(v: unknown): v is FinProErrorReply {
  return isObject(v) && typeof v.errorCode === 'string' && v.errorCode.length > 0;
}

/** A short, printable piece of a body that is not JSON, for messages. */
function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return 'an empty body';
  return `'${flat.length > 80 ? `${flat.slice(0, 77)}...` : flat}'`;
}

/**
 * Reads a 2xx reply: only the documented success shape is success; anything else is
 * `UnexpectedResponse`, because accepting an unknown shape could hide a failed upload.
 */
export function parseSuccessReply(status: number, text: string): FinProSuccessReply {
  const body = tryJson(text);
  if (isObject(body) && body.status === 'success' && isObject(body.data) && typeof body.data.batch_id === 'string') {
    return body as unknown as FinProSuccessReply;
  }
  const txnid = isObject(body) && typeof body.txnid === 'string' ? body.txnid : undefined;
  throw new BatchprepError(
    ErrorCode.UnexpectedResponse,
    body === undefined
      ? `FinPro answered ${status} with ${snippet(text)}, not JSON; the upload's outcome is unknown (check the endpoint URL)`
      : `FinPro answered ${status} without the documented success shape (status "success" and data.batch_id); the upload's outcome is unknown`,
    { status, txnid, retryable: false },
  );
}

/**
 * Turns a non-2xx reply into the one typed error (SPEC section 5): 401/403 → `Unauthorized`,
 * 429 → `RateLimited`, 5xx → `ServerError` (all three keep the server's errorCode in the
 * message), 404/405 → `UnexpectedResponse` (a wrong upload URL, not a verdict), another 4xx → the server's own `errorCode`, or `UnexpectedResponse` when the body
 * is not the documented JSON. 429 and 5xx are retryable; a 4xx rejection never is.
 */
export function errorFromReply(status: number, text: string, retryAfter?: string | null): FinProError {
  const body = tryJson(text);
  const reply = isErrorReply(body) ? body : undefined;
  const txnid = isObject(body) && typeof body.txnid === 'string' ? body.txnid : undefined;
  const said = reply ? `${reply.errorCode}${reply.errorMsg ? `: ${reply.errorMsg}` : ''}` : snippet(text);
  if (status === 404 || status === 405) {
    // Not a verdict on the file: the document names no upload path, so this is most likely a
    // wrong URL (the default path, or a mistyped FINPRO_UPLOAD_URL).
    return new BatchprepError(
      ErrorCode.UnexpectedResponse,
      `FinPro answered ${status} (${said}): there is no upload endpoint at this URL; check FINPRO_UPLOAD_URL (or FINPRO_BASE_URL) against your onboarding pack`,
      { status, txnid, errorDetails: reply?.errorDetails, serverCode: reply?.errorCode, retryable: false },
    );
  }
  const describe = (code: ErrorCode): string => {
    if (code === ErrorCode.Unauthorized) {
      return `FinPro refused the credentials (${status}, ${said}); check FINPRO_CLIENT_ID, FINPRO_CLIENT_SECRET, FINPRO_APP_ID and FINPRO_ORG_ID, and the header names (FINPRO_HEADER_*) against your onboarding pack`;
    }
    if (code === ErrorCode.RateLimited) return `FinPro is rate limiting requests (429, ${said}); try again later`;
    if (code === ErrorCode.ServerError) return `FinPro answered ${status} (${said}); try again later`;
    if (code !== ErrorCode.UnexpectedResponse) return `FinPro rejected the file (${status} ${said})`;
    return `FinPro answered ${status} with ${body === undefined ? snippet(text) : 'JSON without an errorCode'}; check the endpoint URL`;
  };
  return statusError(status, describe, {
    serverCode: reply?.errorCode,
    retryAfter,
    txnid,
    errorDetails: reply?.errorDetails,
    forbidden: ErrorCode.Unauthorized,
    notFound: false,
  });
}

/** Error codes of a failure to connect at all: the request never reached the server. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The most telling `code` down an error's cause chain: a system errno (`ECONNRESET`) over
 * undici's wrapper codes (`UND_ERR_SOCKET`), which come first.
 */
export function transportCode(err: unknown): string | undefined {
  let e: unknown = err;
  let first: string | undefined;
  for (let depth = 0; depth < 5 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (/^E[A-Z]+$/.test(code)) return code;
      first ??= code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return first;
}

/** The innermost message of a cause chain (`fetch failed` → `bad port`). */
function innermostMessage(err: unknown): string {
  let e: unknown = err;
  let message = 'unknown error';
  for (let depth = 0; depth < 5 && e; depth++) {
    if (typeof (e as Error).message === 'string' && (e as Error).message) message = (e as Error).message;
    e = (e as { cause?: unknown }).cause;
  }
  return message;
}

/** Turns a socket or DNS failure into a retryable `NetworkError` whose message names the host. */
export function networkError(err: unknown, origin: string): FinProError {
  const found = transportCode(err);
  const inner = innermostMessage(err);
  const code = found ?? inner;
  const connect = CONNECT_CODES.has(code);
  const detail = found && !found.startsWith('E') && !inner.includes(found) ? `${found}: ${inner}` : code;
  const message = connect
    ? `cannot connect to FinPro at ${origin} (${detail}); check FINPRO_UPLOAD_URL, FINPRO_BASE_URL or --endpoint and the network`
    : `the connection to FinPro at ${origin} failed during the request (${detail})`;
  return new BatchprepError(ErrorCode.NetworkError, message, { cause: err, retryable: true, connectFailed: connect });
}

/** A retryable `Timeout` for an attempt that got no complete reply in time. */
export function timeoutError(timeoutMs: number, origin: string, cause?: unknown): FinProError {
  return new BatchprepError(
    ErrorCode.Timeout,
    `FinPro at ${origin} did not answer within ${formatSeconds(timeoutMs)} s (raise --timeout if the service is slow)`,
    { cause, retryable: true },
  );
}

/**
 * Whether a failed attempt may have created the batch anyway (its reply was lost): a timeout,
 * a connection that broke after it was open, or a 5xx. A refused connection or a 429 never
 * reached the upload, and a 4xx is a definite answer.
 */
export function mayHaveLanded(err: BatchprepError): boolean {
  if (err.code === ErrorCode.Timeout) return true;
  if (err.code === ErrorCode.NetworkError) return !err.connectFailed;
  return err.status !== undefined && err.status >= 500;
}
