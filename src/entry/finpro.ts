/** `batchprep/finpro`: submission to FinPro's File Upload API (loads undici). */
export { submitToFinPro } from '../submit/finpro/client.js';
export type { SubmitToFinProOptions, FinProSubmitResult } from '../submit/finpro/client.js';
export { finProCredentialsFromEnv } from '../submit/finpro/credentials.js';
export type { FinProCredentials } from '../submit/finpro/credentials.js';
export { submitManifest } from '../submit/finpro/manifest-submit.js';
export type { SubmitManifestOptions, ManifestSubmitResult, ManifestPartResult, PartOutcome } from '../submit/finpro/manifest-submit.js';
export { checkReferenceId, generateReferenceId, isValidReferenceId, REFERENCE_ID_PATTERN } from '../submit/finpro/reference-id.js';
export { FINPRO_UPLOAD_PATH, SUBMITTED_FILE } from '../core/finpro-rules.js';
export { BatchprepError, ErrorCode, isBatchprepError } from '../errors.js';
