import { AbortMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { abortedError, BatchprepError, ErrorCode, isBatchprepError } from '../../../errors.js';
import { redact } from '../../../redact.js';
import { checkEndpoint } from '../../http/endpoint.js';
import { s3HandlerOptions } from '../../http/network.js';
import type { FilexClient, S3TransferTokens } from '../client.js';
import type { FilexPath } from '../names.js';

/** Life of STS credentials whose `expiration` is missing or unreadable (guide: "valid for 1 hour only"). */
export const ASSUMED_STS_LIFE_MS = 3_600_000;

/** The STS credentials shape the AWS SDK wants from a provider. */
export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface S3Target {
  bucket: string;
  key: string;
  region: string;
}

/**
 * A credentials provider over `GET /S3TransferTokens`: it hands out the cached STS
 * credentials and fetches new ones once a third of their life (at most 5 minutes) is
 * left. When `expiration` is missing or unreadable, the credentials are taken to live one
 * hour from receipt (the guide: "valid for 1 hour only"), so they are renewed 5 minutes
 * before that. The SDK calls it before signing whenever `expiration` is near, so an upload
 * longer than a token's life signs each request with live credentials. Never static keys.
 */
export function stsCredentialProvider(
  client: FilexClient,
  org: string,
  app: string,
  first?: S3TransferTokens,
  signal?: AbortSignal,
  clock: { now?: () => number } = {},
): {
  provider: () => Promise<StsCredentials>;
  current: () => S3TransferTokens | undefined;
  refreshes: () => number;
} {
  const now = clock.now ?? Date.now;
  let tokens = first;
  let fetchedAt = now();
  let inflight: Promise<void> | undefined;
  let refreshes = 0;
  const expiresAt = (): number => {
    const exp = Date.parse(tokens?.credentials.expiration ?? '');
    return Number.isNaN(exp) ? fetchedAt + ASSUMED_STS_LIFE_MS : exp;
  };
  const needsRefresh = (): boolean => {
    if (!tokens) return true;
    const exp = expiresAt();
    const life = Math.max(0, exp - fetchedAt);
    return exp - now() <= Math.min(300_000, life / 3);
  };
  const provider = async (): Promise<StsCredentials> => {
    if (needsRefresh()) {
      inflight ??= client
        .s3Tokens(org, app, signal)
        .then((t) => {
          tokens = t;
          fetchedAt = now();
          refreshes++;
        })
        .finally(() => {
          inflight = undefined;
        });
      await inflight;
    }
    const c = tokens!.credentials;
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(expiresAt()) };
  };
  return { provider, current: () => tokens, refreshes: () => refreshes };
}

/**
 * Picks the write path that ends in the chosen space (`bucket/org/app/space/`) and splits
 * it into bucket and key prefix; a space without a write path is refused before any byte.
 */
export function resolveS3Target(tokens: S3TransferTokens, path: Required<FilexPath>, paths: 'write' | 'read' = 'write'): S3Target {
  const list = paths === 'write' ? tokens.writePaths : [...tokens.readPaths, ...tokens.writePaths];
  const norm = list.map((p) => p.replace(/^\/+/, '').replace(/\/+$/, ''));
  const exact = norm.find((p) => p.endsWith(`/${path.org}/${path.app}/${path.space}`));
  const loose = exact ?? norm.find((p) => p.split('/').at(-1) === path.space);
  if (!loose) {
    const spaces = norm.map((p) => p.split('/').at(-1)).join(', ') || 'none';
    throw new BatchprepError(
      paths === 'write' ? ErrorCode.SpaceNotWritable : ErrorCode.Forbidden,
      `${path.org}/${path.app}/${path.space} is not among the S3 ${paths} paths fileX granted (${spaces})`,
    );
  }
  const [bucket, ...prefix] = loose.split('/');
  return { bucket: bucket!, key: [...prefix, path.name].join('/'), region: tokens.region };
}

export interface S3ClientOptions {
  /** S3 endpoint override (path-style); default: the AWS regional endpoint of the token's region. */
  endpoint?: string;
  /** SDK attempts per request (its own retries). @default 3 */
  maxAttempts?: number;
  /**
   * Send PUT bodies as UNSIGNED-PAYLOAD (see below). Off for a client that pre-signs URLs: the
   * presigner would copy the header into the query as a second, lower-case parameter. @default true
   */
  unsignedPayload?: boolean;
}

/**
 * Runs `make` with the AWS SDK's Node-version notice switched off and then restores the
 * environment: the SDK prints a multi-line warning about its future Node support when a client
 * is built, and a library must not write into its users' logs (the CLI sets the same switch).
 */
function withoutSdkNodeWarning<T>(make: () => T): T {
  const key = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const before = process.env[key];
  process.env[key] = 'true';
  try {
    return make();
  } finally {
    if (before === undefined) delete process.env[key];
    else process.env[key] = before;
  }
}

/**
 * The S3 client for fileX STS credentials: checksums only when required (pre-signed URLs
 * and S3-compatible servers reject or mangle the default CRC32 trailers), path-style when
 * an endpoint override is given.
 */
export function createS3Client(region: string, provider: () => Promise<StsCredentials>, options: S3ClientOptions = {}): S3Client {
  const endpoint = options.endpoint ? checkEndpoint(options.endpoint, 'FILEX_S3_ENDPOINT').href.replace(/\/$/, '') : undefined;
  const client = withoutSdkNodeWarning(() => new S3Client({
    region,
    endpoint,
    forcePathStyle: endpoint !== undefined,
    credentials: provider,
    maxAttempts: options.maxAttempts ?? 3,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Proxy (NO_PROXY checked), extra CAs and the idle timeout, as for every transport.
    requestHandler: s3HandlerOptions(new URL(endpoint ?? `https://s3.${region}.amazonaws.com`)),
  }));
  // Part bodies are signed as UNSIGNED-PAYLOAD (as awscli does over https): otherwise the
  // signer hashes every part once more on top of the file's own sha256, the CPU that limits
  // throughput. Integrity on the wire comes from TLS (plain http is allowed only to
  // loopback), and the whole file's sha256 is computed and reported.
  if (options.unsignedPayload === false) return client;
  client.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { method?: string; headers?: Record<string, string> };
      if (req?.method === 'PUT' && req.headers) req.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'filexUnsignedPayload' },
  );
  return client;
}

/** Maps an AWS SDK error to a coded failure (403 → Forbidden, 5xx/network → exit 3). */
export function fromS3Error(err: unknown, what: string): BatchprepError {
  if (isBatchprepError(err)) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name ?? e?.Code ?? 'Error';
  const msg = redact(`${what}: ${name}${e?.message && e.message !== name ? `: ${e.message}` : ''}${status ? ` (HTTP ${status})` : ''}`);
  if (name === 'AbortError') return abortedError(err);
  // The SDK names a reset (ECONNRESET, EPIPE) "TimeoutError" so it is retried; it is not a timeout to raise.
  const reset = /ECONNRESET|EPIPE/.test(`${(err as { code?: string })?.code ?? ''} ${e?.message ?? ''}`);
  if (name === 'TimeoutError' && !reset) return new BatchprepError(ErrorCode.Timeout, `${msg} (idle timeout; raise --timeout)`, { cause: err, retryable: true });
  if (status === 401 || status === 403 || /AccessDenied|ExpiredToken|InvalidAccessKeyId|InvalidToken|SignatureDoesNotMatch/.test(name)) {
    return new BatchprepError(ErrorCode.Forbidden, msg, { cause: err, status });
  }
  if (status === 404 || /NoSuchKey|NotFound/.test(name)) return new BatchprepError(ErrorCode.RemoteNotFound, msg, { cause: err, status });
  if (status !== undefined && status >= 500) return new BatchprepError(ErrorCode.ServerError, msg, { cause: err, status, retryable: true });
  if (status === undefined) return new BatchprepError(ErrorCode.NetworkError, msg, { cause: err, retryable: true });
  return new BatchprepError(ErrorCode.RemoteError, msg, { cause: err, status });
}

/** Best-effort AbortMultipartUpload; says whether the parts are gone. */
export async function abortMultipart(s3: S3Client, target: S3Target, uploadId: string): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    try {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId }));
      return true;
    } catch (err) {
      if ((err as { name?: string })?.name === 'NoSuchUpload') return true;
      await new Promise((r) => setTimeout(r, 200 * (i + 1)));
    }
  }
  return false;
}
