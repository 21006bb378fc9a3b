/**
 * The root entry: everything, named. Importing it loads no network client: `pack`,
 * `submitToFinPro` and `submitManifest` load archiver / undici on first call (entry/lazy.ts),
 * and the fileX transports load the AWS SDK or ssh2 only when a transfer starts. Subpaths
 * (`batchprep/validate`, `/prepare`, `/pack`, `/finpro`, `/filex`, `/schemas`) load less.
 */
export * from './entry/validate.js';
export * from './entry/schemas.js';
export * from './entry/prepare.js';
export * from './entry/filex.js';
export { pack, submitToFinPro, submitManifest } from './entry/lazy.js';
export type { PackInput, PackOptions, PackManifest, PackArchive, PackEntry } from './pack/pack.js';
export type { SubmitToFinProOptions, FinProSubmitResult } from './submit/finpro/client.js';
export { finProCredentialsFromEnv } from './submit/finpro/credentials.js';
export { resolveFinproOptions, finProProtocolFromEnv, DEFAULT_HEADER_NAMES, DEFAULT_FILE_FIELD } from './submit/finpro/settings.js';
export type { FinProHeaderNames, FinProProtocolOptions, ResolvedFinProProtocol } from './submit/finpro/settings.js';
export { resolveEnvironment } from './config/environment.js';
export type { ResolveEnvironmentOptions } from './config/environment.js';
export type { FinProCredentials } from './submit/finpro/credentials.js';
export type { SubmitManifestOptions, ManifestSubmitResult, ManifestPartResult, PartOutcome } from './submit/finpro/manifest-submit.js';
export { checkReferenceId, generateReferenceId, isValidReferenceId, REFERENCE_ID_PATTERN } from './submit/finpro/reference-id.js';
export { FINPRO_UPLOAD_PATH, SUBMITTED_FILE } from './core/finpro-rules.js';
export { configureNetwork } from './submit/http/network.js';
export type { NetworkOptions } from './submit/http/network.js';
