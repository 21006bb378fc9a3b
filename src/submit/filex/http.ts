import { request } from 'undici';
import { BatchprepError, ErrorCode, isBatchprepError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { parseRetryAfter } from '../retry.js';

/** One buffered JSON/text response (only small control documents come through here). */
export interface SmallResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Control responses are small; a larger one is not what the guide describes. */
const MAX_CONTROL_BYTES = 16 * 1024 * 1024;

export interface SendOptions {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Turns a transport failure (refused, reset, DNS, timeout) into a retryable coded error. */
export function networkError(err: unknown, url: string | URL, signal?: AbortSignal): BatchprepError {
  if (isBatchprepError(err)) return err;
  if (signal?.aborted) return new BatchprepError(ErrorCode.Aborted, 'the operation was aborted', { cause: err });
  const e = err as { code?: string; message?: string };
  const timeout = /Timeout/i.test(e?.code ?? '') || /timeout/i.test(e?.message ?? '');
  return new BatchprepError(
    timeout ? ErrorCode.Timeout : ErrorCode.NetworkError,
    `${redactUrl(url)}: ${e?.code ?? ''} ${e?.message ?? String(err)}`.replace(/\s+/g, ' ').trim(),
    { cause: err, retryable: true },
  );
}

/** Sends a request and reads a small body, capping its size. */
export async function sendSmall(url: URL, opts: SendOptions): Promise<SmallResponse> {
  let res;
  try {
    res = await request(url, {
      method: opts.method,
      headers: opts.headers,
      body: opts.body,
      signal: opts.signal,
    });
  } catch (err) {
    throw networkError(err, url, opts.signal);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_CONTROL_BYTES) {
        res.body.destroy();
        throw new BatchprepError(ErrorCode.UnexpectedResponse, `${redactUrl(url)}: response larger than ${MAX_CONTROL_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    throw networkError(err, url, opts.signal);
  }
  return { status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
}

/** Parses a JSON body or fails with UnexpectedResponse naming what was expected. */
export function parseJson<T>(res: SmallResponse, url: URL, what: string): T {
  try {
    return JSON.parse(res.text) as T;
  } catch (err) {
    throw new BatchprepError(
      ErrorCode.UnexpectedResponse,
      `${redactUrl(url)}: expected JSON (${what}), got ${JSON.stringify(res.text.slice(0, 120))}`,
      { cause: err, status: res.status },
    );
  }
}

/** The server's own words, when it sent some (JSON `message`/`error`, or a short text). */
function serverSays(text: string): string {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const m = j.message ?? j.errorMsg ?? j.error_description ?? j.error;
    if (typeof m === 'string') return m;
  } catch {
    /* not JSON */
  }
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}...` : t;
}

/**
 * Maps a non-2xx fileX/FIP response to one coded error: 401 Unauthorized, 403 Forbidden,
 * 404 RemoteNotFound, 429 RateLimited (retryable, honours Retry-After), 5xx ServerError
 * (retryable), anything else UnexpectedResponse.
 */
export function httpError(res: SmallResponse, url: URL, what: string): BatchprepError {
  const said = serverSays(res.text);
  const tail = said ? `: ${said}` : '';
  const where = `${what} (${res.status} from ${redactUrl(url)})`;
  switch (true) {
    case res.status === 401:
      return new BatchprepError(ErrorCode.Unauthorized, `${where}${tail}; check FILEX_USERNAME and FILEX_PASSWORD`, { status: 401 });
    case res.status === 403:
      return new BatchprepError(ErrorCode.Forbidden, `${where}${tail}; the account is not entitled to this path`, { status: 403 });
    case res.status === 404:
      return new BatchprepError(ErrorCode.RemoteNotFound, `${where}${tail}; check the org/app/space/file path (try 'batchprep filex ls')`, {
        status: 404,
      });
    case res.status === 429: {
      const e = new BatchprepError(ErrorCode.RateLimited, `${where}${tail}`, { status: 429, retryable: true });
      const after = parseRetryAfter(res.headers['retry-after']);
      if (after !== undefined) (e as BatchprepError & { retryAfterMs?: number }).retryAfterMs = after;
      return e;
    }
    case res.status >= 500:
      return new BatchprepError(ErrorCode.ServerError, `${where}${tail}`, { status: res.status, retryable: true });
    default:
      return new BatchprepError(ErrorCode.UnexpectedResponse, `${where}${tail}`, { status: res.status });
  }
}
