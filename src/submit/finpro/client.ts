import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import { abortedError, BatchprepError, ErrorCode, fromFsError, isBatchprepError, throwIfAborted } from '../../errors.js';
import { resolveDefaults } from '../../core/defaults.js';
import type { GlobalDefaults } from '../../core/defaults.js';
import type { DateFormat } from '../../core/datetime.js';
import type { FileReport } from '../../core/issues.js';
import { DEFAULT_MAX_BYTES, detectFileFormat } from '../../validate/faces.js';
import type { FormatGuess } from '../../validate/sniff.js';
import { checkPositive, checkRetries, withRetry } from '../http/retry.js';
import { DEFAULT_IDLE_TIMEOUT_MS } from '../http/network.js';
import { undiciDispatcherFor } from '../http/undici-dispatcher.js';
import { credentialHeaders } from './credentials.js';
import type { FinProCredentials } from './credentials.js';
import { errorFromReply, mayHaveLanded, networkError, parseSuccessReply, timeoutError } from './errors.js';
import type { FinProError } from './errors.js';
import { checkReferenceId, generateReferenceId } from './reference-id.js';
import { buildMultipart } from './multipart.js';
import { spoolToTempFile } from '../../fs/spool.js';
import { validateForUpload } from './validate-upload.js';
import { resolveFinproOptions } from './settings.js';
import type { FinProProtocolOptions, ResolvedFinProProtocol } from './settings.js';

export { FINPRO_UPLOAD_PATH } from './settings.js';

export interface SubmitToFinProOptions extends FinProProtocolOptions {
  /**
   * Base URL, e.g. `https://api.finpro.example`; plain http only for loopback hosts. The upload
   * goes to this + `/fi/requests/schedule/upload/v3` (a default: the document names no path),
   * unless `uploadUrl` gives the full URL. One of the two is required.
   */
  baseUrl?: string;
  /** The four identity headers (see `finProCredentialsFromEnv`). */
  credentials: FinProCredentials;
  /** The batch's reference ID (5–60 `[A-Za-z0-9_-]`). @default generated `bp-<utc stamp>-<8 hex>` */
  referenceId?: string;
  /** Global defaults, sent as the `global_config` JSON string when given. */
  globalConfig?: GlobalDefaults;
  /** Single default fields, sent as `fiDataRangeFrom`, `fiDataRangeTo`, `configId` when given. */
  singleFields?: GlobalDefaults;
  /** The file name sent in the multipart part. @default the path's base name (`stdin.csv`/`stdin.json` for streams) */
  fileName?: string;
  /** Validate locally with the validator engine before sending. @default true */
  validate?: boolean;
  /** Validation: warnings are errors. @default false */
  strict?: boolean;
  /** Validation: date-times accepted, `rfc3339` or `iso8601` (see ValidateOptions.dateFormat). @default 'rfc3339' */
  dateFormat?: DateFormat;
  /** Local size cap; larger files are refused before sending. @default 10485760 */
  maxBytes?: number;
  /** Idle time limit of one attempt in ms: it fails as `Timeout` when no byte moves this long (connect, reply headers, between reply chunks). @default 30000 */
  timeoutMs?: number;
  /** Retries after the first attempt (network errors, timeouts, 429, 5xx). @default 4 */
  retries?: number;
  /** Time budget for all attempts and waits, in ms. @default 60000 */
  retryMaxTimeMs?: number;
  /** First backoff delay in ms (doubles, full jitter). @default 500 */
  retryBaseDelayMs?: number;
  /** Stops everything; the promise rejects with code `Aborted`. */
  signal?: AbortSignal;
  /** Called before each retry wait. */
  onRetry?: (info: { attempt: number; delayMs: number; error: BatchprepError }) => void;
  /** Called as the file is sent: bytes handed to the socket so far and the file size (restarts at 0 on a retry). */
  onProgress?: (sent: number, total: number) => void;
  /** Called with the validation report when validation ran (also when it passed, for warnings). */
  onValidated?: (report: FileReport) => void;
  /** undici dispatcher (proxy, custom TLS, tests). @default undici's global dispatcher */
  dispatcher?: Dispatcher;
}

/** What a successful submission returns; `--json` prints the first seven keys. */
export interface FinProSubmitResult {
  referenceId: string;
  /** The server's batch ID; null when the batch was confirmed by a 409 on a retry (the reply does not repeat it). */
  batchId: string | null;
  /** The batch status (`FILE_UPLOADED`); null after `duplicateOnRetry`. */
  status: string | null;
  storageType: string | null;
  txnid: string | null;
  attempts: number;
  /** The reply to an attempt was lost and a retry got `409 DuplicateReferenceId`: the batch landed. */
  duplicateOnRetry: boolean;
  /** The server's message. */
  message: string | null;
  /** The file that was sent and its size. */
  fileName: string;
  bytes: number;
}

/** Largest reply body read: FinPro's replies are small JSON documents. */
const MAX_REPLY_BYTES = 1 << 20;

/**
 * Reads at most MAX_REPLY_BYTES of a reply, so a misbehaving server cannot fill memory; a
 * longer reply is not FinPro's answer (a valid head must not pass as success), so it fails.
 */
async function readReply(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, origin: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    if (total + chunk.length > MAX_REPLY_BYTES) {
      body.destroy?.();
      throw new BatchprepError(ErrorCode.UnexpectedResponse, `${origin}: the reply is larger than ${MAX_REPLY_BYTES} bytes; FinPro's answers are small`);
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The format the server will see: the validator engine's own decision (name, else the first 4 KiB). */
async function detectFormat(path: string, fileName: string): Promise<FormatGuess> {
  const decision = await detectFileFormat(path, { fileName });
  return decision.format ?? 'unsupported';
}

const CONTENT_TYPES: Record<FormatGuess, string> = {
  csv: 'text/csv',
  json: 'application/json',
  unsupported: 'application/octet-stream',
  unknown: 'application/octet-stream',
};

/** Checks the options once at the boundary, so a bad option fails before any I/O (rules shared with fileX: http/retry.ts). */
export function resolveSubmitOptions(o: SubmitToFinProOptions): SubmitToFinProOptions {
  for (const key of ['timeoutMs', 'retryMaxTimeMs', 'retryBaseDelayMs', 'maxBytes'] as const) checkPositive(o[key], key);
  checkRetries(o.retries);
  return o;
}

/**
 * Uploads one consent file to the FinPro File Upload API: local checks first (endpoint,
 * reference ID, size cap, validation), then a streamed multipart POST with retries. The
 * reference ID is fixed before the first attempt, so a retry after a lost reply that gets
 * `409 DuplicateReferenceId` is reported as success with `duplicateOnRetry: true`.
 * `input` is a path, or a stream (spooled to a temporary file first so its size is known).
 */
export async function submitToFinPro(
  input: string | Readable | AsyncIterable<Uint8Array>,
  options: SubmitToFinProOptions,
): Promise<FinProSubmitResult> {
  resolveSubmitOptions(options);
  // The effective defaults, as the server applies them (single fields over global_config);
  // a bad default fails here, before any I/O.
  const defaults = resolveDefaults(options.globalConfig, options.singleFields, options.dateFormat);
  const protocol = resolveFinproOptions(options);
  const referenceId = options.referenceId === undefined ? generateReferenceId() : checkReferenceId(options.referenceId);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  throwIfAborted(options.signal);
  if (typeof input !== 'string') {
    const spooled = await spoolToTempFile(input, {
      maxBytes,
      signal: options.signal,
      tooLargeHint: "the FinPro upload limit; split it with 'batchprep prepare --out-dir DIR' and submit DIR",
    });
    try {
      const format = await detectFormat(spooled.path, '-');
      const fileName = options.fileName ?? (format === 'json' ? 'stdin.json' : format === 'csv' ? 'stdin.csv' : 'stdin');
      return await submitPath(spooled.path, { ...options, fileName, referenceId, defaults }, protocol, maxBytes);
    } finally {
      await spooled.cleanup();
    }
  }
  return submitPath(input, { ...options, referenceId, defaults }, protocol, maxBytes);
}

async function submitPath(
  path: string,
  options: SubmitToFinProOptions & { referenceId: string; defaults?: GlobalDefaults },
  protocol: ResolvedFinProProtocol,
  maxBytes: number,
): Promise<FinProSubmitResult> {
  const fileName = options.fileName ?? basename(path);
  let bytes: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new BatchprepError(ErrorCode.IoError, `${path}: not a regular file`, { file: path });
    bytes = st.size;
  } catch (err) {
    throw fromFsError(err, path, 'read');
  }
  if (bytes > maxBytes) {
    throw new BatchprepError(
      ErrorCode.FileTooLarge,
      `${fileName} is ${bytes} bytes, over the ${maxBytes}-byte FinPro limit; split it with 'batchprep prepare --out-dir DIR' and submit DIR`,
      { file: fileName, errorDetails: { providedSize: bytes, maxSize: maxBytes } },
    );
  }
  if (options.validate !== false) {
    const report = await validateForUpload(path, {
      fileName,
      defaults: options.defaults,
      maxBytes,
      strict: options.strict,
      dateFormat: options.dateFormat,
      signal: options.signal,
    });
    options.onValidated?.(report);
  }
  const url = protocol.url;
  const contentType = CONTENT_TYPES[await detectFormat(path, fileName)];
  const headers = credentialHeaders(options.credentials, protocol.headerNames);
  const fileField = protocol.fileField;
  const timeoutMs = options.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let attempts = 0;
  let possiblyLanded = false;
  return withRetry(
    async ({ attempt, signal }) => {
      attempts = attempt;
      try {
        const reply = await attemptUpload({ url, path, fileName, fileField, contentType, bytes, headers, timeoutMs, options: { ...options, signal } });
        return {
          referenceId: reply.data.reference_id ?? options.referenceId,
          batchId: reply.data.batch_id,
          status: reply.data.status ?? null,
          storageType: reply.data.storage_type ?? null,
          txnid: reply.txnid ?? null,
          attempts,
          duplicateOnRetry: false,
          message: reply.message ?? null,
          fileName,
          bytes,
        };
      } catch (err) {
        const e = err as FinProError;
        if (e.code === ErrorCode.DuplicateReferenceId && attempt > 1 && possiblyLanded) {
          return {
            referenceId: options.referenceId,
            batchId: null,
            status: null,
            storageType: null,
            txnid: e.txnid ?? null,
            attempts,
            duplicateOnRetry: true,
            message: 'an earlier attempt whose reply was lost created the batch (409 DuplicateReferenceId on the retry)',
            fileName,
            bytes,
          };
        }
        if (isBatchprepError(e) && mayHaveLanded(e)) possiblyLanded = true;
        throw e;
      }
    },
    {
      retries: options.retries ?? 4,
      maxTimeMs: options.retryMaxTimeMs ?? 60_000,
      baseDelayMs: options.retryBaseDelayMs ?? 500,
      signal: options.signal,
      onRetry: options.onRetry,
    },
  );
}

interface AttemptInput {
  url: URL;
  path: string;
  fileName: string;
  fileField: string;
  contentType: string;
  bytes: number;
  headers: Record<string, string>;
  timeoutMs: number;
  options: SubmitToFinProOptions & { referenceId: string };
}

/** One POST: a fresh multipart body streamed from disk, its own timeout, a typed error on failure. */
async function attemptUpload(a: AttemptInput) {
  const { options } = a;
  throwIfAborted(options.signal);
  const fields: Array<[string, string]> = [['reference_id', options.referenceId]];
  if (options.globalConfig && Object.keys(options.globalConfig).length > 0) {
    fields.push(['global_config', JSON.stringify(options.globalConfig)]);
  }
  for (const key of ['fiDataRangeFrom', 'fiDataRangeTo', 'configId'] as const) {
    const v = options.singleFields?.[key];
    if (v !== undefined) fields.push([key, v]);
  }
  const body = buildMultipart(fields, { field: a.fileField, path: a.path, fileName: a.fileName, contentType: a.contentType, bytes: a.bytes });
  const signal = options.signal;
  const origin = a.url.origin;
  try {
    // undici's `request` writes an async iterable with backpressure; its `fetch` was measured
    // to hold the whole body in memory (peak RSS +115 MB for a 100 MB file).
    const res = await request(a.url, {
      method: 'POST',
      headers: { ...a.headers, 'content-type': body.contentType, 'content-length': String(body.contentLength) },
      // undici takes async iterables (docs: Dispatcher body), its typings list only streams.
      body: body.stream(options.onProgress && ((sent) => options.onProgress!(sent, a.bytes))) as unknown as Readable,
      signal,
      dispatcher: options.dispatcher ?? undiciDispatcherFor(a.url, a.timeoutMs),
    });
    const text = await readReply(res.body, origin);
    if (res.statusCode >= 200 && res.statusCode < 300) return parseSuccessReply(res.statusCode, text);
    const retryAfter = res.headers['retry-after'];
    throw errorFromReply(res.statusCode, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  } catch (err) {
    if (isBatchprepError(err)) throw err;
    if (options.signal?.aborted) throw abortedError(err);
    if (/^UND_ERR_(HEADERS|BODY)_TIMEOUT$/.test((err as { code?: string })?.code ?? '')) throw timeoutError(a.timeoutMs, origin, err);
    throw networkError(err, origin);
  }
}
