import { Upload } from '@aws-sdk/lib-storage';
import { BatchprepError, ErrorCode } from '../../errors.js';
import type { FilexClient } from './client.js';
import type { FilexPath } from './names.js';
import { abortMultipart, createS3Client, fromS3Error, resolveS3Target, stsCredentialProvider } from './s3-common.js';
import { resumableUpload } from './s3-resume.js';
import { hashingCounter, readRange, type UploadSource } from './source.js';
import type { UploadResult } from './upload-rest.js';

export interface S3UploadOptions {
  /** Multipart part size in bytes (S3 minimum 5 MiB except the last part). @default 8388608 */
  partSize?: number;
  /** Parts in flight at once. @default 4 */
  concurrency?: number;
  /** S3 endpoint override (path-style), e.g. a private or test endpoint. */
  endpoint?: string;
  /** Continue a multipart upload recorded in `<file>.filex-upload.json` (see s3-resume.ts). @default false */
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Messages for people (abort outcome, resume state). */
  onNotice?: (message: string) => void;
}

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** Checks part size and concurrency once, at the boundary. */
export function checkS3Options(partSize: number, concurrency: number): void {
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE || partSize > 5 * 1024 ** 3) {
    throw new BatchprepError(ErrorCode.InvalidOption, `--part-size ${partSize}: must be between 5 MiB (5242880) and 5 GiB`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new BatchprepError(ErrorCode.InvalidOption, `--concurrency ${concurrency}: must be an integer from 1 to 64`);
  }
}

/**
 * S3 Direct upload: STS tokens from fileX, the write path of the chosen space, then a
 * multipart upload. The normal path is lib-storage's `Upload` (well-tested part queue,
 * bounded memory: part size × (concurrency + 1)); it cannot continue an upload started by
 * an earlier process, so `--resume` uses our own multipart driver (s3-resume.ts) with a
 * journal beside the file. On failure or abort the multipart upload is aborted so nothing
 * half-uploaded remains (except with `--resume`, whose point is to keep it).
 */
export async function uploadS3(client: FilexClient, src: UploadSource, path: Required<FilexPath>, options: S3UploadOptions = {}): Promise<UploadResult> {
  const { signal } = options;
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const concurrency = options.concurrency ?? 4;
  checkS3Options(partSize, concurrency);
  const tokens = await client.s3Tokens(path.org, path.app, signal);
  const target = resolveS3Target(tokens, path);
  const sts = stsCredentialProvider(client, path.org, path.app, tokens, signal);
  const s3 = createS3Client(target.region, sts.provider, { endpoint: options.endpoint });
  try {
    if (options.resume) {
      return await resumableUpload(s3, src, target, { partSize, concurrency, signal, onProgress: options.onProgress, onNotice: options.onNotice, name: path.name });
    }
    const counter = hashingCounter();
    const body = readRange(src.path).pipe(counter);
    const upload = new Upload({
      client: s3,
      params: { Bucket: target.bucket, Key: target.key, Body: body, ContentLength: src.size },
      partSize,
      queueSize: concurrency,
      leavePartsOnError: false,
    });
    upload.on('httpUploadProgress', (p) => options.onProgress?.(p.loaded ?? 0, src.size));
    const onAbort = () => void upload.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } catch (err) {
      // lib-storage aborts on its own failure path, but not before done() rejects on an abort,
      // and not when its own abort call fails: make sure, and say what happened.
      if (upload.uploadId) {
        const gone = await abortMultipart(s3, target, upload.uploadId);
        options.onNotice?.(
          gone
            ? 'the multipart upload was aborted; nothing partial remains'
            : `could not abort multipart upload ${upload.uploadId} (S3 unreachable); the bucket's lifecycle rule removes it`,
        );
      }
      if (signal?.aborted) throw new BatchprepError(ErrorCode.Aborted, 'the operation was aborted', { cause: err });
      throw fromS3Error(err, `S3 upload of ${path.name}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (counter.bytes() !== src.size) {
      throw new BatchprepError(ErrorCode.IoError, `${src.path}: changed while uploading (${counter.bytes()} of ${src.size} bytes read)`);
    }
    return { name: path.name, bytes: src.size, sha256: counter.digest(), via: 's3', location: `${target.bucket}/${target.key}` };
  } finally {
    s3.destroy();
  }
}
