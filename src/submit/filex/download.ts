import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { abortedError, BatchprepError, ErrorCode, fromFsError, isBatchprepError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { checkEndpoint } from '../http/endpoint.js';
import { withRetry } from '../http/retry.js';
import { statusError } from '../http/status-error.js';
import type { FilexClient, FilexEntry, PresignedUrl } from './client.js';
import { networkError, readText, request } from './http.js';
import { formatPath, type FilexPath } from './names.js';
import { hashingCounter } from './source.js';
import { isExpired } from './transports/rest.js';

export interface DownloadResult {
  /** The name as fileX listed it. */
  name: string;
  file: string;
  bytes: number;
  sha256: string;
  /** `--all`: already present locally with the same size and modification time. */
  skipped?: 'present';
  /** The local name differs from the listed one (see `localFileName`). */
  mapped?: boolean;
  /** `--all`: this entry failed (the others went on); the code and message of its error. */
  failed?: { code: string; message: string };
}

export interface DownloadOptions {
  /** Size the listing announced, checked against what arrived. */
  expectedSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total?: number) => void;
}

// Characters no local file name may hold: the separator and NUL everywhere, plus Windows' reserved ones there.
const NOT_IN_LOCAL_NAME = process.platform === 'win32' ? /[\/\\:*?"<>|\x00-\x1f%]/g : /[\/\x00%]/g;
const NEEDS_MAPPING = process.platform === 'win32' ? /[\/\\:*?"<>|\x00-\x1f]/ : /[\/\x00]/;

/**
 * The local file name for a name fileX listed. Names the service made are never refused for
 * failing the FILE_NAME rule (that rule is for names we send): `FEEDBACK_20250101.txt` or
 * `Test file.txt` are saved as they are. Only what the local file system cannot hold as one
 * name inside the target is mapped, reversibly: each `/` or NUL (on Windows also
 * `\\:*?"<>|` and control characters) and, in such a name, each `%` becomes `%XX`; `.` and
 * `..` become `%2E` and `%2E%2E`. A name that is not a non-empty string is an
 * UnexpectedResponse.
 */
export function localFileName(name: unknown): { local: string; mapped: boolean } {
  if (typeof name !== 'string' || name === '') {
    throw new BatchprepError(ErrorCode.UnexpectedResponse, `the listing holds an entry whose name is ${JSON.stringify(name) ?? String(name)}, not a file name`);
  }
  if (name === '.' || name === '..') return { local: name.replace(/\./g, '%2E'), mapped: true };
  if (!NEEDS_MAPPING.test(name)) return { local: name, mapped: false };
  const local = name.replace(NOT_IN_LOCAL_NAME, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return { local, mapped: true };
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
      throw statusError(res.statusCode, () => `download of ${formatPath(path)}: ${res.statusCode} from ${redactUrl(url.origin + url.pathname)}`, {
        retryAfter: res.headers['retry-after'],
      });
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
  /** Re-fetch every file, even those present with the same size and modification time. @default false */
  force?: boolean;
  /** Called once per file as it is handled. */
  onFile?: (r: DownloadResult) => void;
  /** Called with a warning for people (mapped names, failed entries). */
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

// The listing's lastModified as epoch ms, or undefined when absent or unreadable.
function listedTime(entry: FilexEntry): number | undefined {
  const raw = entry.metadata?.lastModified;
  const t = typeof raw === 'string' ? Date.parse(raw) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Mirrors a sub-space into `dir`. A file present with the listed size and modification time
 * (downloads get the listed time as their mtime) is skipped unless `force`; one whose size or
 * lastModified changed is fetched again. A failing entry (a name that is not a string, a
 * 404, a short body) is recorded with its error and the others go on; the caller decides
 * the exit code. Aborts and local write failures stop the run.
 */
export async function mirrorSpace(remote: RemoteSpace, dir: string, options: DownloadAllOptions = {}): Promise<DownloadResult[]> {
  const results: DownloadResult[] = [];
  const push = (r: DownloadResult) => {
    results.push(r);
    options.onFile?.(r);
  };
  for (const child of await remote.list()) {
    if (!child || typeof child !== 'object' || child.type !== 'FILE') continue;
    try {
      const { local, mapped } = localFileName(child.name);
      if (mapped) options.onWarning?.(`${JSON.stringify(child.name)} listed in ${remote.label} is saved as '${local}' (the local file system cannot hold the name as it is)`);
      const file = safeJoin(dir, local);
      const size = typeof child.metadata?.contentLength === 'number' ? child.metadata.contentLength : undefined;
      const modified = listedTime(child);
      const existing = await stat(file).catch(() => undefined);
      const same = existing?.isFile() && size !== undefined && existing.size === size && (modified === undefined || Math.abs(existing.mtimeMs - modified) < 1000);
      if (same && !options.force) {
        push({ name: child.name, file, bytes: size, sha256: '', skipped: 'present', mapped });
        continue;
      }
      const r = await remote.fetch(child.name, file, size, (d, t) => options.onProgress?.(child.name, d, t));
      if (modified !== undefined) await utimes(file, new Date(), new Date(modified)).catch(() => undefined);
      push({ ...r, mapped });
    } catch (err) {
      if (!isBatchprepError(err) || err.code === ErrorCode.Aborted || options.signal?.aborted) throw err;
      if (['IoError', 'NotWritable', 'FileNotFound', 'OutputExists'].includes(err.code)) throw err;
      const name = typeof child.name === 'string' ? child.name : (JSON.stringify(child.name) ?? String(child.name));
      options.onWarning?.(`${remote.label}: ${JSON.stringify(name)} failed: ${err.code}: ${err.message}`);
      push({ name, file: '', bytes: 0, sha256: '', failed: { code: err.code, message: err.message } });
    }
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
