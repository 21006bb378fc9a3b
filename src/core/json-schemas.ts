import { z } from 'zod';
import { consentRowSchema, globalDefaultsSchema, jsonConsentFileSchema } from './schemas.js';

/** The JSON Schemas published in `schemas/`, generated from the zod schemas (file name → schema). */
export function jsonSchemas(): Record<string, unknown> {
  const make = (schema: z.ZodType, id: string) => ({
    ...(z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>),
    $id: `https://batchprep.dev/schemas/${id}`,
  });
  return {
    'consent-csv-row.schema.json': make(consentRowSchema, 'consent-csv-row.schema.json'),
    'consent-json-file.schema.json': make(jsonConsentFileSchema, 'consent-json-file.schema.json'),
    'global-config.schema.json': make(globalDefaultsSchema, 'global-config.schema.json'),
  };
}
