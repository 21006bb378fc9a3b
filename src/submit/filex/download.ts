import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { abortedError, BatchprepError, ErrorCode, fromFsError, isBatchprepError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { checkEndpoint } from '../http/endpoint.js';
import { withRetry } from '../http/retry.js';
import type { FilexClient, FilexEntry, PresignedUrl } from './client.js';
import { networkError, readText, request } from './http.js';
import { fileNameProblem, formatPath, type FilexPath } from './names.js';
import { hashingCounter } from './source.js';
import { isExpired } from './transports/rest.js';

export interface DownloadResult {
  name: string;
  file: string;
  bytes: number;
  sha256: string;
  /** `--all`: already present locally with the same size. */
  skipped?: 'present' | 'unsafe-name';
  /** Why a file was skipped (unsafe-name). */
  reason?: string;
}

export interface DownloadOptions {
  /** Size the listing announced, checked against what arrived. */
  expectedSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total?: number) => void;
}

/**
 * A name the server sent is used as a local file name only when it passes the FILE_NAME
 * rule and is its own basename, so `../x`, `/etc/x` or `a/b` can never leave the target
 * directory. Returns the problem, or undefined when the name is safe.
 */
export function unsafeNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'the name is not a string';
  const p = fileNameProblem(name);
  if (p) return p;
  if (basename(name) !== name) return 'the name is not a plain file name';
  return undefined;
}

/** Resolves `dir/name` and proves it stays inside `dir` (belt and braces after the name check). */
export function safeJoin(dir: string, name: string): string {
  const root = resolve(dir);
  const full = resolve(root, name);
  if (dirname(full) !== root || !full.startsWith(root + sep)) {
    throw new BatchprepError(ErrorCode.UnexpectedResponse, `refusing to write '${name}' outside ${root}`);
  }
  return full;
}

export interface WriteOptions {
  /** Length the transfer announced (Content-Length); a shorter body is a retryable IntegrityError. */
  announced?: number;
  /** Length the listing announced; a different body is a final IntegrityError. */
  expectedSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total?: number) => void;
  /** `org/app/space/name` for messages. */
  what: string;
  name: string;
}

/**
 * Streams a body into a temporary file beside `outFile` (exclusive create), checks the
 * length, then renames it into place; any failure removes the temporary file, so the
 * target is either the whole file or untouched. Transport errors are rethrown as they
 * came, for the caller to map.
 */
export async function writeAtomically(body: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, outFile: string, o: WriteOptions): Promise<DownloadResult> {
  const tmp = join(dirname(outFile), `.${basename(outFile)}.${randomBytes(6).toString('hex')}.filex-part`);
  const counter = hashingCounter((n) => o.onProgress?.(n, o.announced ?? o.expectedSize));
  try {
    await pipeline(body as NodeJS.ReadableStream, counter, createWriteStream(tmp, { flags: 'wx' }), { signal: o.signal });
    const got = counter.bytes();
    if (o.announced !== undefined && got !== o.announced) {
      throw new BatchprepError(ErrorCode.IntegrityError, `download of ${o.what} ended after ${got} of ${o.announced} bytes`, { retryable: true });
    }
    if (o.expectedSize !== undefined && got !== o.expectedSize) {
      throw new BatchprepError(ErrorCode.IntegrityError, `${o.what}: got ${got} bytes, the listing says ${o.expectedSize}`);
    }
    await rename(tmp, outFile);
    return { name: o.name, file: outFile, bytes: got, sha256: counter.digest() };
  } catch (err) {
    await rm(tmp, { force: true });
    if (isBatchprepError(err)) throw err;
    if (o.signal?.aborted) throw abortedError(err);
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code && /^E[A-Z]+$/.test(code) && !/^(ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED)$/.test(code)) throw fromFsError(err, outFile, 'write');
    throw err;
  }
}

/**
 * Downloads one file: a fresh pre-signed URL right before use (they live about a minute),
 * streamed to a temporary file beside the target, length checked, then renamed into place,
 * so a failure never leaves a partial file. An expired URL is asked for again.
 */
export async function downloadFile(client: FilexClient, path: Required<FilexPath>, outFile: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const { signal } = options;
  let presigned: PresignedUrl | undefined;
  return withRetry(async ({ signal }) => {
    if (!presigned || isExpired(presigned)) presigned = await client.requestDownload(path, signal);
    // Already stale when it arrived (a slow answer or a paused process): ask once more, then let S3 judge.
    if (isExpired(presigned)) presigned = await client.requestDownload(path, signal);
    const url = checkEndpoint(presigned.url, 'pre-signed download URL');
    let res;
    try {
      res = await request(url, { method: 'GET', signal });
    } catch (err) {
      throw networkError(err, url, signal);
    }
    if (res.statusCode !== 200) {
      const text = await readText(res.body);
      if (res.statusCode === 403 && /expired/i.test(text)) {
        presigned = undefined;
        throw new BatchprepError(ErrorCode.Timeout, `the pre-signed download URL for ${formatPath(path)} expired; asking for a new one`, {
          status: 403,
          retryable: true,
        });
      }
      const retryable = res.statusCode >= 500 || res.statusCode === 429;
      throw new BatchprepError(
        res.statusCode === 403 ? ErrorCode.Forbidden : retryable ? ErrorCode.ServerError : ErrorCode.UnexpectedResponse,
        `download of ${formatPath(path)}: ${res.statusCode} from ${redactUrl(url.origin + url.pathname)}`,
        { status: res.statusCode, retryable },
      );
    }
    const header = res.headers['content-length'];
    const announced = header === undefined ? undefined : Number(header);
    try {
      return await writeAtomically(res.body, outFile, { ...options, announced, what: formatPath(path), name: path.name });
    } catch (err) {
      if (isBatchprepError(err)) throw err;
      throw networkError(err, url, signal);
    }
  }, client.retryOptions(signal));
}

export interface DownloadAllOptions {
  signal?: AbortSignal;
  /** Called once per file as it is handled. */
  onFile?: (r: DownloadResult) => void;
  /** Called with a warning for people (unsafe names). */
  onWarning?: (message: string) => void;
  onProgress?: (name: string, done: number, total?: number) => void;
}

/** A sub-space seen through one transport: its file entries, and a way to fetch one into a local file. */
export interface RemoteSpace {
  /** `org/app/space` for messages. */
  label: string;
  list(): Promise<FilexEntry[]>;
  fetch(name: string, outFile: string, expectedSize: number | undefined, onProgress: (done: number, total?: number) => void): Promise<DownloadResult>;
}

/**
 * Mirrors a sub-space into `dir`: every FILE entry whose name is safe, skipping those
 * already present with the same size. Unsafe names are skipped with a warning and
 * reported in the results (the CLI exits non-zero for them).
 */
export async function mirrorSpace(remote: RemoteSpace, dir: string, options: DownloadAllOptions = {}): Promise<DownloadResult[]> {
  const results: DownloadResult[] = [];
  for (const child of await remote.list()) {
    if (child.type !== 'FILE') continue;
    const problem = unsafeNameProblem(child.name);
    if (problem) {
      const r: DownloadResult = { name: String(child.name), file: '', bytes: 0, sha256: '', skipped: 'unsafe-name', reason: problem };
      options.onWarning?.(`skipping ${JSON.stringify(child.name)} listed in ${remote.label}: ${problem}`);
      results.push(r);
      options.onFile?.(r);
      continue;
    }
    const file = safeJoin(dir, child.name);
    const size = child.metadata?.contentLength;
    const existing = await stat(file).catch(() => undefined);
    if (existing?.isFile() && size !== undefined && existing.size === size) {
      const r: DownloadResult = { name: child.name, file, bytes: size, sha256: '', skipped: 'present' };
      results.push(r);
      options.onFile?.(r);
      continue;
    }
    const r = await remote.fetch(child.name, file, size, (d, t) => options.onProgress?.(child.name, d, t));
    results.push(r);
    options.onFile?.(r);
  }
  return results;
}

/** The REST face of a sub-space: the directory document and pre-signed GET URLs. */
export function restSpace(client: FilexClient, space: Required<Omit<FilexPath, 'name'>>, signal?: AbortSignal): RemoteSpace {
  return {
    label: formatPath(space),
    list: async () => (await client.list(space, signal)).children ?? [],
    fetch: (name, outFile, expectedSize, onProgress) => downloadFile(client, { ...space, name }, outFile, { expectedSize, signal, onProgress }),
  };
}

/** `--all` over REST. */
export async function downloadAll(client: FilexClient, space: Required<Omit<FilexPath, 'name'>>, dir: string, options: DownloadAllOptions = {}): Promise<DownloadResult[]> {
  return mirrorSpace(restSpace(client, space, options.signal), dir, options);
}
