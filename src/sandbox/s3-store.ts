// The sandbox's bucket on an S3-compatible server (`batchprep sandbox --s3-endpoint --s3-bucket`):
// objects live in that bucket, pre-signed URLs point at that server, and S3TransferTokens hands
// out the keys the sandbox was started with. Such a server generally has no STS, so nothing
// temporary or scoped can be minted: the "issued" credentials are the configured keys with an
// `expiration` one hour ahead (the guide: "valid for 1 hour only"), and readPaths/writePaths are
// advice the keys do not enforce. The S3 client is the fileX transport's own (checksums only when
// required, path-style), so the sandbox meets the server exactly as `filex upload --via s3` does.
import { CopyObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BatchprepError, ErrorCode } from '../errors.js';
import { createS3Client, fromS3Error } from '../submit/filex/transports/s3-common.js';
import type { ObjectStore, StoredObject } from './object-store.js';

/** Static keys for the S3-compatible server (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). */
export interface S3Keys {
  accessKeyId: string;
  secretAccessKey: string;
  /** Absent for plain static keys: S3TransferTokens then carries `sessionToken: ""`. */
  sessionToken?: string;
}

export interface S3StoreOptions {
  /** The server's URL (path-style addressing), e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  bucket: string;
  /** @default 'us-east-1' */
  region?: string;
  keys: S3Keys;
}

const HOUR_MS = 3_600_000;

// The SDK names a missing object NoSuchKey (GET) or NotFound (HEAD, which has no body).
function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** `a/b c` → `a/b%20c`: S3 wants CopySource URL-encoded, each segment on its own. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * An ObjectStore over one bucket of an S3-compatible server; S3 Direct is served from it.
 * Resolves once the bucket answered with these keys, so a wrong endpoint, bucket or key is
 * an InvalidOption before the sandbox prints its environment.
 */
export async function createS3Store(options: S3StoreOptions): Promise<ObjectStore & { close(): void }> {
  const { bucket, keys } = options;
  const region = options.region ?? 'us-east-1';
  const client = createS3Client(
    region,
    async () => ({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken ?? '', expiration: new Date(Date.now() + HOUR_MS) }),
    { endpoint: options.endpoint, unsignedPayload: false },
  );
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    client.destroy();
    // HEAD answers have no body, so the SDK can name only the status.
    const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    const what = `bucket ${bucket} at ${options.endpoint}`;
    const why = status === 404 ? `${what}: no such bucket (HTTP 404)` : status === 403 ? `${what}: the keys were refused (HTTP 403)` : fromS3Error(err, what).message;
    throw new BatchprepError(ErrorCode.InvalidOption, `${why}: check --s3-endpoint, --s3-bucket, --s3-region and the AWS_* keys`, { cause: err });
  }

  return {
    close: () => client.destroy(),
    bucket,
    region,
    async putObject(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }));
    },
    async getObject(key) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await res.Body!.transformToByteArray());
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async headObject(key) {
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) };
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    },
    async copyObject(fromKey, toKey) {
      await client.send(new CopyObjectCommand({ Bucket: bucket, Key: toKey, CopySource: `${encodeURIComponent(bucket)}/${encodeKey(fromKey)}` }));
    },
    async listObjects(prefix) {
      const out: StoredObject[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          if (o.Key !== undefined) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    presign(method, key, ttlSeconds) {
      const command = method === 'GET' ? new GetObjectCommand({ Bucket: bucket, Key: key }) : new PutObjectCommand({ Bucket: bucket, Key: key });
      return getSignedUrl(client, command, { expiresIn: ttlSeconds });
    },
    // The configured keys, whatever the scope: a static key cannot be narrowed to readPaths/writePaths.
    issueCredentials(ttlSeconds) {
      return {
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        sessionToken: keys.sessionToken ?? '',
        expiration: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
      };
    },
  };
}
