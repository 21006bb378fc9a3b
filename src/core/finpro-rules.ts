/**
 * Facts of the FinPro File Upload API that several layers check: the upload size cap and the
 * reference_id rule. One place, so prepare, validate and submit cannot drift apart.
 */

/** The API's file size cap: 10 MB = 10,485,760 bytes (a file of exactly this size is allowed). */
export const FINPRO_MAX_BYTES = 10_485_760;

/** The upload path under the base URL (SPEC section 5). */
export const FINPRO_UPLOAD_PATH = ['fi', 'requests', 'schedule', 'upload', 'v3'] as const;

/** The record of a manifest submission, written beside the manifest. */
export const SUBMITTED_FILE = 'submitted.json';

/** The API's reference_id rule: 5–60 characters of letters, digits, `_` and `-`. */
export const REFERENCE_ID_PATTERN = /^[A-Za-z0-9_-]{5,60}$/;

/** True when `id` passes the API's reference_id rule. */
export function isValidReferenceId(id: string): boolean {
  return REFERENCE_ID_PATTERN.test(id);
}

/** `yyyymmddHHMMss` in UTC, for generated reference IDs. */
export function utcStamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
