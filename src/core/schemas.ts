import { z } from 'zod';
import { checkDateTime } from './datetime.js';

/**
 * The file formats as zod schemas: the declared contract. They generate the JSON Schemas in
 * `schemas/` and validate global defaults; the streaming engine runs precompiled checks
 * (`row-rules.ts`) that a property test keeps in agreement with these schemas.
 */

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const consentIdSchema = z
  .string()
  .regex(new RegExp(UUID_PATTERN), 'consentId must be a UUID in the 8-4-4-4-12 hexadecimal form')
  .meta({ description: 'Consent identifier: a UUID in 8-4-4-4-12 hexadecimal form, either case (no version/variant bits required)' });

export const dateTimeSchema = z
  .string()
  .refine((s) => checkDateTime(s).ok, { message: 'must be an RFC 3339 date-time with Z or a numeric offset' })
  .meta({ format: 'date-time', description: 'RFC 3339 date-time with Z or a numeric offset, e.g. 2024-01-01T00:00:00Z' });

export const configIdSchema = z
  .string()
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'configId must not contain control characters')
  .meta({ description: 'Analytics config ID: free text without control characters' });

const rangeIsOrdered = (r: { fiDataRangeFrom?: string | null; fiDataRangeTo?: string | null }): boolean => {
  if (!r.fiDataRangeFrom || !r.fiDataRangeTo) return true;
  const a = checkDateTime(r.fiDataRangeFrom);
  const b = checkDateTime(r.fiDataRangeTo);
  if (!a.ok || !b.ok) return true;
  return a.seconds < b.seconds || (a.seconds === b.seconds && a.fraction <= b.fraction);
};

/** One effective consent row, as `prepare` writes it and as a CSV row reads after defaults. */
export const consentRowSchema = z
  .object({
    consentId: consentIdSchema,
    fiDataRangeFrom: dateTimeSchema.optional(),
    fiDataRangeTo: dateTimeSchema.optional(),
    configId: configIdSchema.optional(),
  })
  .strict()
  .refine(rangeIsOrdered, { message: 'fiDataRangeFrom must not be later than fiDataRangeTo', path: ['fiDataRangeFrom'] })
  .meta({ title: 'FinPro consent CSV row', description: 'Columns of a consent CSV file (header: consentId,fiDataRangeFrom,fiDataRangeTo,configId)' });

/** One row object of a consent JSON file: `consentId` or `consent_id`; `null` means absent. */
export const jsonConsentRowSchema = z
  .object({
    consentId: consentIdSchema.nullable().optional(),
    consent_id: consentIdSchema.nullable().optional(),
    fiDataRangeFrom: dateTimeSchema.nullable().optional(),
    fiDataRangeTo: dateTimeSchema.nullable().optional(),
    configId: configIdSchema.nullable().optional(),
  })
  .loose()
  .refine((r) => Boolean(r.consentId ?? r.consent_id), { message: 'consentId (or consent_id) is required' })
  .refine((r) => !(r.consentId && r.consent_id && r.consentId !== r.consent_id), { message: 'consentId and consent_id differ' })
  .refine(rangeIsOrdered, { message: 'fiDataRangeFrom must not be later than fiDataRangeTo' });

/** A consent JSON file: an array of rows, or an object with a `consents_list` array. */
export const jsonConsentFileSchema = z
  .union([z.array(jsonConsentRowSchema), z.object({ consents_list: z.array(jsonConsentRowSchema) }).loose()])
  .meta({ title: 'FinPro consent JSON file' });

/** Global defaults (SPEC section 3), as given in `global_config` or the single fields. */
export const globalDefaultsSchema = z
  .object({
    fiDataRangeFrom: dateTimeSchema.optional(),
    fiDataRangeTo: dateTimeSchema.optional(),
    configId: configIdSchema.optional(),
  })
  .strict()
  .refine(rangeIsOrdered, { message: 'fiDataRangeFrom must not be later than fiDataRangeTo' })
  .meta({ title: 'FinPro global_config' });
