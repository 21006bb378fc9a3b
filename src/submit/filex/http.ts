import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { abortedError, BatchprepError, ErrorCode, isBatchprepError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { statusError } from '../http/status-error.js';
import { idleTimeoutError, idleTimeoutMs, nodeAgentFor } from '../http/network.js';

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

/** A response whose body is a stream, as `request` gives it. */
export interface StreamResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/**
 * One HTTP(S) request on Node's own client. Why not undici: loading it and its WASM HTTP
 * parser costs about 54 MB of RSS per process (measured: 100 MB vs 46 MB for one GET), more
 * than the whole memory budget of an S3 upload. A `Readable` body is streamed (set
 * Content-Length yourself); the promise resolves on the response headers.
 */
export function request(url: URL, opts: { method: string; headers?: Record<string, string>; body?: string | Readable; signal?: AbortSignal }): Promise<StreamResponse> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    let response: http.IncomingMessage | undefined;
    const req = mod.request(url, { method: opts.method, headers: opts.headers, signal: opts.signal, agent: nodeAgentFor(url) }, (res) => {
      response = res;
      resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    const idle = idleTimeoutMs(); // no byte either way this long: a stuck server (raise --timeout)
    req.setTimeout(idle, () => {
      const err = idleTimeoutError(idle);
      // A body that stalls mid-way must fail as this timeout, not as the "aborted" reset destroying the request causes.
      response?.destroy(err);
      req.destroy(err);
    });
    req.on('error', reject);
    const body = opts.body;
    if (body === undefined || typeof body === 'string') {
      req.end(body);
    } else {
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    }
  });
}

/** Reads a (small) response body as text, at most `cap` bytes (the rest is not read: the body is destroyed); errors give ''. */
export async function readText(body: Readable, cap = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of body) {
      chunks.push(c as Buffer);
      size += (c as Buffer).length;
      if (size >= cap) {
        body.destroy();
        break;
      }
    }
  } catch {
    /* what arrived is enough for a message */
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, cap);
}

/** Turns a transport failure (refused, reset, DNS, timeout) into a retryable coded error. */
export function networkError(err: unknown, url: string | URL, signal?: AbortSignal): BatchprepError {
  if (isBatchprepError(err)) return err;
  if (signal?.aborted) return abortedError(err);
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
      headers: opts.body === undefined ? opts.headers : { 'content-length': String(Buffer.byteLength(opts.body)), ...opts.headers },
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
  const advice: Partial<Record<ErrorCode, string>> = {
    [ErrorCode.Unauthorized]: '; check FILEX_USERNAME and FILEX_PASSWORD',
    [ErrorCode.Forbidden]: '; the account is not entitled to this path',
    [ErrorCode.RemoteNotFound]: "; check the org/app/space/file path (try 'batchprep filex ls')",
  };
  return statusError(res.status, (code) => `${where}${tail}${advice[code] ?? ''}`, { retryAfter: res.headers['retry-after'] });
}

// Socket errors that mean no byte reached the server (the connection was never made).
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** True when a failed request can not have reached the server, so repeating it cannot duplicate its effect. */
export function neverReachedServer(err: BatchprepError): boolean {
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return err.code === ErrorCode.NetworkError && typeof code === 'string' && NOT_CONNECTED.has(code);
}

/** The same failure, marked final, for requests that must not be repeated (a PUT that opens a tracking record). */
export function finalError(err: BatchprepError): BatchprepError {
  return new BatchprepError(err.code, `${err.message} (not retried: the request may have opened a tracking record)`, {
    cause: err.cause,
    status: err.status,
    retryable: false,
  });
}
