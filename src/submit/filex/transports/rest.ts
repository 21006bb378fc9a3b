import { BatchprepError, ErrorCode, isBatchprepError } from '../../../errors.js';
import { redactUrl } from '../../../redact.js';
import { checkEndpoint } from '../../http/endpoint.js';
import { withRetry } from '../../http/retry.js';
import { statusError } from '../../http/status-error.js';
import type { FilexClient, PresignedUrl } from '../client.js';
import { networkError, readText, request } from '../http.js';
import type { FilexPath } from '../names.js';
import { hashingCounter, readRange, type UploadSource } from '../source.js';

/** What every transport reports after a successful upload. */
export interface UploadResult {
  /** fileX tracking ID (REST only; S3 and SFTP uploads are tracked by file name). */
  trackingId?: string;
  name: string;
  bytes: number;
  sha256: string;
  via: 'rest' | 's3' | 'sftp';
  /** Where the bytes went (bucket/key for S3, remote path for SFTP), for messages. */
  location?: string;
}

export interface RestUploadOptions {
  /** `filex-<key>` metadata headers (deprecated by FINRA; sent only when given). @default {} */
  meta?: Record<string, string>;
  signal?: AbortSignal;
  /** Called with the bytes sent so far. */
  onProgress?: (done: number, total: number) => void;
}

/** True when the pre-signed URL's expirationTime has passed (or is 200 ms away: test TTLs are 1 s). */
export function isExpired(p: PresignedUrl, now = Date.now()): boolean {
  if (!p.expirationTime) return false;
  const at = Date.parse(p.expirationTime);
  return !Number.isNaN(at) && at - 200 <= now;
}

/**
 * REST upload: ask fileX for a pre-signed PUT URL (which also opens a tracking record),
 * then stream the file to it with Content-Length set, never holding it in memory. A
 * retryable failure re-sends the bytes to the same URL while it lives; an expired URL
 * (or a 403 from S3 after expiry) is replaced by a new request.
 */
export async function uploadRest(client: FilexClient, src: UploadSource, path: Required<FilexPath>, options: RestUploadOptions = {}): Promise<UploadResult> {
  const { signal } = options;
  await client.assertWritable(path, signal);
  let presigned: PresignedUrl | undefined;
  return withRetry(async ({ signal }) => {
    if (!presigned || isExpired(presigned)) presigned = await client.requestUpload(path, options.meta ?? {}, signal);
    // Already stale when it arrived (a slow answer or a paused process): ask once more, then let S3 judge.
    if (isExpired(presigned)) presigned = await client.requestUpload(path, options.meta ?? {}, signal);
    const target = checkEndpoint(presigned.url, 'pre-signed upload URL');
    const counter = hashingCounter((n) => options.onProgress?.(n, src.size));
    let res;
    try {
      const body = readRange(src.path);
      // The counter feeds the request; a read error destroys it, which fails the request below.
      const piped = body.pipe(counter);
      body.on('error', (err) => counter.destroy(err));
      res = await request(target, {
        method: 'PUT',
        headers: { 'content-length': String(src.size) },
        body: piped,
        signal,
      });
    } catch (err) {
      throw networkError(err, target, signal);
    }
    const text = await readText(res.body);
    if (res.statusCode === 403 && /expired/i.test(text)) {
      const used = presigned;
      presigned = undefined;
      throw new BatchprepError(ErrorCode.Timeout, `the pre-signed upload URL expired (${redactUrl(used.url)}); asking for a new one`, {
        status: 403,
        retryable: true,
      });
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw statusError(
        res.statusCode,
        (code) => (code === ErrorCode.Forbidden ? `S3 refused the pre-signed upload (403 from ${redactUrl(target)})` : `S3 answered ${res.statusCode} to the upload: ${text.slice(0, 200)}`),
        { retryAfter: res.headers['retry-after'] },
      );
    }
    if (counter.bytes() !== src.size) {
      throw new BatchprepError(ErrorCode.IoError, `${src.path}: changed while uploading (${counter.bytes()} of ${src.size} bytes sent)`, { file: src.path });
    }
    return { trackingId: presigned.trackingId, name: path.name, bytes: src.size, sha256: counter.digest(), via: 'rest' as const, location: redactUrl(target.origin + target.pathname) };
  }, client.retryOptions(signal)).catch((err) => {
    throw isBatchprepError(err) ? err : networkError(err, presigned?.url ?? '', signal);
  });
}
