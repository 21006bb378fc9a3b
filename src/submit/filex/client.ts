import { BatchprepError, ErrorCode, isBatchprepError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { checkEndpoint, joinUrl } from '../http/endpoint.js';
import { resolveRetryOptions, withRetry, type RetryOptions } from '../http/retry.js';
import { DEFAULT_FIP_TOKEN_URL, FipAuth } from './auth.js';
import { finalError, httpError, neverReachedServer, parseJson, sendSmall, type SmallResponse } from './http.js';
import { formatPath, pathSegments, type FilexPath } from './names.js';

export const DEFAULT_FILEX_BASE_URL = 'https://filex.finra.org';

/** A directory or file document as `GET /files/...` returns it. */
export interface FilexEntry {
  name: string;
  type: 'DIR' | 'FILE' | (string & {});
  metadata?: { writable?: boolean; contentLength?: number; lastModified?: string };
  children?: FilexEntry[];
  _links?: unknown;
}

/** `PUT /files/...` (upload) and `GET /files/...` (download) answer with a pre-signed URL. */
export interface PresignedUrl {
  url: string;
  expirationTime?: string;
  trackingId?: string;
}

/** `GET /S3TransferTokens/{org}/{app}`. */
export interface S3TransferTokens {
  region: string;
  sessionName?: string;
  readPaths: string[];
  writePaths: string[];
  /** Nested (the guide's sample) or top level (its table) in the response; always nested here. `expiration` may be absent. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration?: string };
}

/** One record of `GET /tracking`. */
export interface TrackingRecord {
  trackingId: string;
  submissionTime?: string | null;
  userName?: string;
  fileName?: string;
  status?: string;
  downstreamStatus?: string | null;
  statusUpdatedTime?: string | null;
  fileSize?: number;
  uploadLocation?: string;
  applicationName?: string;
  applicationSpaceName?: string;
  arcvFileName?: string | null;
  downloadable?: boolean;
  [key: string]: unknown;
}

export interface FilexClientOptions {
  /** FILEX_USERNAME. */
  username: string;
  /** FILEX_PASSWORD. */
  password: string;
  /** fileX REST base URL. @default 'https://filex.finra.org' */
  baseUrl?: string;
  /** FIP token URL. @default 'https://ews.fip.finra.org/fip/rest/ews/oauth2/access_token' */
  tokenUrl?: string;
  /** Retry policy for control calls (network, 429, 5xx). @default { retries: 4, maxTimeMs: 60000 } */
  retry?: Omit<RetryOptions, 'signal'>;
}

/**
 * The fileX REST API (directory documents, pre-signed URLs, STS tokens, tracking) with FIP
 * bearer auth: one token shared by all calls, refreshed once when fileX answers 401.
 * Options are checked here, once: endpoints must be https (http only for loopback).
 */
export class FilexClient {
  readonly baseUrl: URL;
  readonly auth: FipAuth;
  readonly username: string;
  private readonly retry: Omit<RetryOptions, 'signal'>;

  constructor(options: FilexClientOptions) {
    if (!options.username) throw new BatchprepError(ErrorCode.MissingCredential, 'FILEX_USERNAME is not set (the FINRA account for fileX)');
    if (!options.password) throw new BatchprepError(ErrorCode.MissingCredential, 'FILEX_PASSWORD is not set (the FINRA account password)');
    registerSecret(options.password);
    this.baseUrl = checkEndpoint(options.baseUrl ?? DEFAULT_FILEX_BASE_URL, 'FILEX_BASE_URL');
    const tokenUrl = checkEndpoint(options.tokenUrl ?? DEFAULT_FIP_TOKEN_URL, 'FIP_TOKEN_URL');
    this.auth = new FipAuth({ tokenUrl, username: options.username, password: options.password });
    this.username = options.username;
    this.retry = resolveRetryOptions(options.retry ?? {});
  }

  /** The retry policy, for transports that retry their own byte transfers. */
  retryOptions(signal?: AbortSignal): RetryOptions {
    return { ...this.retry, signal };
  }

  /**
   * One authorised call with retries: 401 drops the token and tries once more with a new
   * one; 5xx, 429 and network errors are retried by `withRetry`; other 4xx are final.
   */
  async call(method: 'GET' | 'PUT', url: URL, what: string, signal?: AbortSignal, extraHeaders: Record<string, string> = {}): Promise<SmallResponse> {
    // A PUT /files/... opens a tracking record: repeat it only when the request cannot have reached
    // fileX (the connection was never made) or fileX said to (429, 503), so no orphan records are left.
    const once = async ({ signal: attemptSignal }: { signal?: AbortSignal }): Promise<SmallResponse> => {
      try {
        return await this.attempt(method, url, what, attemptSignal, extraHeaders);
      } catch (err) {
        const repeatable = !isBatchprepError(err) || !err.retryable || neverReachedServer(err) || err.status === 429 || err.status === 503;
        throw method === 'PUT' && !repeatable ? finalError(err as BatchprepError) : err;
      }
    };
    return withRetry(once, this.retryOptions(signal));
  }

  // One attempt: 401 drops the token and tries once more with a new one.
  private async attempt(method: 'GET' | 'PUT', url: URL, what: string, signal: AbortSignal | undefined, extraHeaders: Record<string, string>): Promise<SmallResponse> {
    let refreshed = false;
    for (;;) {
      const token = await this.auth.getToken(signal);
      const res = await sendSmall(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...extraHeaders },
        body: method === 'PUT' ? '' : undefined,
        signal,
      });
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        this.auth.invalidate(token);
        continue;
      }
      if (res.status < 200 || res.status >= 300) throw httpError(res, url, what);
      return res;
    }
  }

  /** `GET /files[/org[/app[/space]]]`: a directory document with its children. */
  async list(path: FilexPath, signal?: AbortSignal): Promise<FilexEntry> {
    const url = joinUrl(this.baseUrl, 'files', ...pathSegments(path));
    const res = await this.call('GET', url, `listing ${formatPath(path) || '/'}`, signal);
    const doc = parseJson<FilexEntry>(res, url, 'a directory document');
    if (!doc || typeof doc !== 'object' || typeof doc.name !== 'string') {
      throw new BatchprepError(ErrorCode.UnexpectedResponse, `listing ${formatPath(path)}: the document has no name`);
    }
    return doc;
  }

  /**
   * Refuses a space that its parent's listing marks not writable (or does not list), so no
   * byte is sent to a space the service would refuse.
   */
  async assertWritable(path: FilexPath, signal?: AbortSignal): Promise<void> {
    const doc = await this.list({ org: path.org, app: path.app }, signal);
    const child = doc.children?.find((c) => c.name === path.space);
    const writable = (doc.children ?? []).filter((c) => c.metadata?.writable === true).map((c) => c.name);
    const hint = writable.length ? `writable spaces: ${writable.join(', ')}` : 'no space of this application is writable for this account';
    if (!child) {
      throw new BatchprepError(ErrorCode.RemoteNotFound, `${path.org}/${path.app} has no sub-space '${path.space}' (${hint})`);
    }
    if (child.metadata?.writable !== true) {
      throw new BatchprepError(ErrorCode.SpaceNotWritable, `${path.org}/${path.app}/${path.space} is not writable (${hint})`);
    }
  }

  /** `PUT /files/{org}/{app}/{space}/{name}` with optional `filex-<key>` headers: a pre-signed PUT URL and a trackingId. */
  async requestUpload(path: Required<FilexPath>, meta: Record<string, string>, signal?: AbortSignal): Promise<PresignedUrl> {
    const url = joinUrl(this.baseUrl, 'files', ...pathSegments(path));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(meta)) headers[`filex-${k}`] = v;
    const res = await this.call('PUT', url, `upload request for ${formatPath(path)}`, signal, headers);
    return this.presigned(res, url, true);
  }

  /** `GET /files/{org}/{app}/{space}/{name}`: a pre-signed GET URL that lives about a minute. */
  async requestDownload(path: Required<FilexPath>, signal?: AbortSignal): Promise<PresignedUrl> {
    if (path.name === '.' || path.name === '..') {
      // URLs resolve such segments (even percent-encoded) instead of sending them.
      throw new BatchprepError(ErrorCode.UnexpectedResponse, `${formatPath(path)}: a file named '${path.name}' cannot be requested over HTTP (try --via s3 or sftp)`);
    }
    const url = joinUrl(this.baseUrl, 'files', ...pathSegments(path));
    const res = await this.call('GET', url, `download request for ${formatPath(path)}`, signal);
    return this.presigned(res, url, false);
  }

  /** `GET /S3TransferTokens/{org}/{app}`: region, read/write paths and STS credentials (secrets registered). */
  async s3Tokens(org: string, app: string, signal?: AbortSignal): Promise<S3TransferTokens> {
    const url = joinUrl(this.baseUrl, 'S3TransferTokens', org, app);
    const res = await this.call('GET', url, `S3 transfer tokens for ${org}/${app}`, signal);
    const t = parseJson<Record<string, unknown>>(res, url, 'S3 transfer tokens');
    // The guide's sample nests the keys under `credentials`; its attribute table lists them at the top level.
    const nested = t && typeof t.credentials === 'object' && t.credentials !== null ? (t.credentials as Record<string, unknown>) : undefined;
    const c = nested ?? t ?? {};
    const writePaths = t?.writePaths;
    if (typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string' || !Array.isArray(writePaths)) {
      throw new BatchprepError(ErrorCode.UnexpectedResponse, `S3 transfer tokens for ${org}/${app}: missing credentials or writePaths`);
    }
    registerSecret(c.accessKeyId);
    registerSecret(c.secretAccessKey);
    registerSecret(typeof c.sessionToken === 'string' ? c.sessionToken : undefined);
    return {
      region: typeof t.region === 'string' ? t.region : 'us-east-1',
      sessionName: typeof t.sessionName === 'string' ? t.sessionName : undefined,
      readPaths: Array.isArray(t.readPaths) ? (t.readPaths as string[]) : [],
      writePaths: writePaths as string[],
      credentials: {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        sessionToken: typeof c.sessionToken === 'string' ? c.sessionToken : '',
        expiration: typeof c.expiration === 'string' ? c.expiration : undefined,
      },
    };
  }

  /** `GET /tracking[?id=]`: one record, or every submission of the last 90 days. */
  async tracking(id: string | undefined, signal?: AbortSignal): Promise<TrackingRecord[]> {
    const url = joinUrl(this.baseUrl, 'tracking');
    if (id !== undefined) url.searchParams.set('id', id);
    const res = await this.call('GET', url, id ? `tracking ${id}` : 'tracking', signal);
    const body = parseJson<unknown>(res, url, 'tracking records');
    const list = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : null;
    if (!list) throw new BatchprepError(ErrorCode.UnexpectedResponse, 'tracking: expected a JSON array of records');
    return list as TrackingRecord[];
  }

  // Checks the shape of a pre-signed URL answer and keeps its signature out of messages.
  private presigned(res: SmallResponse, url: URL, upload: boolean): PresignedUrl {
    const body = parseJson<PresignedUrl>(res, url, 'a pre-signed URL');
    if (!body || typeof body.url !== 'string' || (upload && typeof body.trackingId !== 'string')) {
      throw new BatchprepError(ErrorCode.UnexpectedResponse, `${url.pathname}: expected {url, expirationTime${upload ? ', trackingId' : ''}}`);
    }
    try {
      const u = new URL(body.url);
      for (const [k, v] of u.searchParams) if (/signature|security-token|credential/i.test(k)) registerSecret(v);
    } catch {
      throw new BatchprepError(ErrorCode.UnexpectedResponse, `${url.pathname}: the pre-signed URL is not a URL`);
    }
    return body;
  }
}
