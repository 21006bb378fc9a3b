/** `batchprep/pack`: fileX archives (loads archiver). */
export { pack } from '../pack/pack.js';
export type { PackInput, PackOptions, PackManifest, PackArchive, PackEntry } from '../pack/pack.js';
export { FILEX_MAX_BYTES } from '../core/filex-rules.js';
export { BatchprepError, ErrorCode, isBatchprepError } from '../errors.js';
