import type { FilexClient } from '../client.js';
import type { FilexPath } from '../names.js';
import { createS3Client, resolveS3Target, stsCredentialProvider } from './s3-common.js';
import { assertJournalWritable, multipartUpload } from './s3-multipart.js';
import { checkS3Options, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE } from './s3-options.js';
import type { UploadSource } from '../source.js';
import type { UploadResult } from './rest.js';

export interface S3UploadOptions {
  /** Multipart part size in bytes (S3 minimum 5 MiB except the last part). @default 8388608 */
  partSize?: number;
  /** Parts in flight at once. @default 4 */
  concurrency?: number;
  /** S3 endpoint override (path-style), e.g. a private or test endpoint. */
  endpoint?: string;
  /** Continue a multipart upload recorded in `<file>.filex-upload.json` (see s3-multipart.ts). @default false */
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Messages for people (abort outcome, resume state). */
  onNotice?: (message: string) => void;
}

/**
 * S3 Direct upload: STS tokens from fileX, the write path of the chosen space, then a
 * multipart upload (s3-multipart.ts says why it is ours and not lib-storage's). The
 * credentials are a provider that renews the STS tokens before they expire. On failure
 * or abort the multipart upload is aborted so nothing half-uploaded remains, except with
 * `--resume`, whose point is to keep it.
 */
export async function uploadS3(client: FilexClient, src: UploadSource, path: Required<FilexPath>, options: S3UploadOptions = {}): Promise<UploadResult> {
  const { signal } = options;
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  checkS3Options(partSize, concurrency);
  // --resume without a writable journal would leave an upload nobody can continue: refuse before any request.
  if (options.resume) await assertJournalWritable(src.path);
  const tokens = await client.s3Tokens(path.org, path.app, signal);
  const target = resolveS3Target(tokens, path);
  const sts = stsCredentialProvider(client, path.org, path.app, tokens, signal);
  const s3 = createS3Client(target.region, sts.provider, { endpoint: options.endpoint });
  try {
    return await multipartUpload(s3, src, target, {
      name: path.name,
      journal: Boolean(options.resume),
      partSize,
      concurrency,
      signal,
      onProgress: options.onProgress,
      onNotice: options.onNotice,
    });
  } finally {
    s3.destroy();
  }
}
