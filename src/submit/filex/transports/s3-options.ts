import { BatchprepError, ErrorCode } from '../../../errors.js';

/** S3's smallest part (all but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Default part size: awscli's, and a good fit for 2–8 parts in flight. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Default parts in flight. */
export const DEFAULT_CONCURRENCY = 4;

/** Checks part size and concurrency once, at the boundary (kept free of the AWS SDK so the CLI loads it cheaply). */
export function checkS3Options(partSize: number, concurrency: number): void {
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE || partSize > 5 * 1024 ** 3) {
    throw new BatchprepError(ErrorCode.InvalidOption, `--part-size ${partSize}: must be between 5 MiB (5242880) and 5 GiB`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new BatchprepError(ErrorCode.InvalidOption, `--concurrency ${concurrency}: must be an integer from 1 to 64`);
  }
}
