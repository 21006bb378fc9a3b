/** `batchprep/prepare`: normalise, dedupe and split files for FinPro (no network client). */
export { prepareFile, prepareStream, checkReferenceBase, defaultReferenceBase } from '../prepare/prepare.js';
export type { PrepareOptions, PrepareResult, PrepareManifest } from '../prepare/prepare.js';
export type { PartInfo } from '../prepare/part-writer.js';
export { FINPRO_MAX_BYTES } from '../core/finpro-rules.js';
export { BatchprepError, ErrorCode, isBatchprepError } from '../errors.js';
