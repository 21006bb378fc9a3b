/** `batchprep/schemas`: the declared contract as zod schemas and JSON Schema (loads zod). */
export { consentRowSchema, globalDefaultsSchema, jsonConsentFileSchema, jsonConsentRowSchema } from '../core/schemas.js';
export { jsonSchemas } from '../core/json-schemas.js';
export { packManifestSchema, prepareManifestSchema, submittedFileSchema } from '../core/manifests.js';
