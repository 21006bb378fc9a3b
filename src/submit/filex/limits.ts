import { BatchprepError, ErrorCode } from '../../errors.js';
import type { UploadSource } from './source.js';
import { checkS3Options, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE } from './transports/s3-options.js';
import type { Via } from './transports/transport.js';

/** One pre-signed PUT carries at most 5 GiB (S3's single-PUT limit; the guide's Gateway limit is 5120 MB). */
export const REST_MAX_BYTES = 5 * 1024 ** 3;
/** S3's largest object (AWS documentation; an assumption the guide does not state). */
export const S3_MAX_OBJECT_BYTES = 5 * 1024 ** 4;
/** S3's most parts per multipart upload. */
export const S3_MAX_PARTS = 10_000;

const MIB = 1024 * 1024;

/**
 * Checks a file against the transport's limits before any request, and returns the S3 part
 * size to use: raised (to a whole MiB) when the asked one would need more than 10,000
 * parts, which `onNotice` is told (the asked part size and concurrency are checked first). REST refuses files over 5 GiB (pointing at S3), S3 files
 * over its object limit; SFTP has no documented limit.
 */
export function checkUploadLimits(via: Via, src: UploadSource, partSize = DEFAULT_PART_SIZE, onNotice?: (m: string) => void, concurrency = DEFAULT_CONCURRENCY): number {
  if (via === 'rest' && src.size > REST_MAX_BYTES) {
    throw new BatchprepError(
      ErrorCode.InputTooLarge,
      `${src.path} is ${src.size} bytes, over the 5 GiB (${REST_MAX_BYTES} bytes) a single REST upload can carry; use --via s3 (multipart)`,
      { file: src.path },
    );
  }
  if (via !== 's3') return partSize;
  checkS3Options(partSize, concurrency);
  if (src.size > S3_MAX_OBJECT_BYTES) {
    throw new BatchprepError(ErrorCode.InputTooLarge, `${src.path} is ${src.size} bytes, over S3's object limit of 5 TiB (${S3_MAX_OBJECT_BYTES} bytes)`, {
      file: src.path,
    });
  }
  if (Math.ceil(src.size / partSize) <= S3_MAX_PARTS) return partSize;
  const raised = Math.ceil(src.size / S3_MAX_PARTS / MIB) * MIB;
  onNotice?.(`part size raised from ${partSize} to ${raised} bytes (${raised / MIB} MiB) so ${src.size} bytes fit in S3's ${S3_MAX_PARTS} parts`);
  return raised;
}
