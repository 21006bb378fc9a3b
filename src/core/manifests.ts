import { z } from 'zod';
import { isValidReferenceId } from './finpro-rules.js';

/**
 * The three documents batchprep writes and reads back, as one zod schema each: a `prepare`
 * manifest, a `pack` manifest and the `submitted.json` record of a manifest submission. The
 * writers' types are the schemas' types and the readers parse with the same schemas, so the
 * two sides cannot drift. Messages name the field and the rule.
 */

const SHA256 = /^[0-9a-f]{64}$/i;

/** True when `file` stays inside the manifest's directory: relative, no `..` segment. */
export function isRelativeInside(file: string): boolean {
  if (file === '' || /^[\\/]/.test(file) || /^[A-Za-z]:/.test(file)) return false;
  return !file.split(/[\\/]/).includes('..');
}

const relativeFile = z.string({ error: '"file" must be a path relative to the manifest\'s directory' }).refine(isRelativeInside, {
  message: '"file" must be a path relative to the manifest\'s directory',
});
const sha256 = z.string({ error: '"sha256" must be 64 hex digits' }).regex(SHA256, '"sha256" must be 64 hex digits');
const count = (field: string) => z.number({ error: `"${field}" must be a whole number` }).int(`"${field}" must be a whole number`).min(0, `"${field}" must be a whole number`);

/** One part of a `prepare` output. */
export const preparePartSchema = z.object({
  file: relativeFile,
  rows: count('rows'),
  bytes: count('bytes'),
  sha256,
  referenceId: z
    .string({ error: '"referenceId" must be 5-60 characters of A-Z, a-z, 0-9, \'_\' and \'-\'' })
    .refine(isValidReferenceId, { message: '"referenceId" must be 5-60 characters of A-Z, a-z, 0-9, \'_\' and \'-\'' }),
  /** The input's 1-based data rows of the part's first and last row. */
  firstRow: count('firstRow').optional(),
  lastRow: count('lastRow').optional(),
});

/** `manifest.json` of `batchprep prepare`: the input and its parts, each with its own reference ID. */
export const prepareManifestSchema = z.object({
  input: z.object({ name: z.string(), sha256, bytes: count('bytes'), rows: count('rows') }),
  parts: z
    .array(preparePartSchema, { error: 'no "parts" array' })
    .min(1, 'the manifest lists no parts')
    .superRefine((parts, ctx) => {
      const seen = new Set<string>();
      parts.forEach((p, i) => {
        if (seen.has(p.referenceId)) ctx.addIssue({ code: 'custom', path: [i], message: `reference ID ${p.referenceId} is used twice` });
        seen.add(p.referenceId);
      });
    }),
});

/** What a submission reads of a prepare manifest: the parts (the input block is for people). */
export const preparePartsSchema = prepareManifestSchema.pick({ parts: true });

/** One file inside a fileX archive. */
export const packEntrySchema = z.object({
  /** Entry name inside the archive. */
  name: z.string(),
  /** The input file it came from, as given. */
  source: z.string(),
  /** Uncompressed bytes. */
  bytes: count('bytes'),
  /** sha256 of the uncompressed bytes. */
  sha256,
  /** Data rows without the header (CSV entries only). */
  rows: count('rows').optional(),
});

/** One archive of a `pack` output. */
export const packArchiveSchema = z.object({
  /** File name, relative to the out dir. */
  file: relativeFile,
  bytes: count('bytes'),
  sha256,
  entries: z.array(packEntrySchema),
});

/** `manifest.json` of `batchprep pack`. */
export const packManifestSchema = z.object({ archives: z.array(packArchiveSchema, { error: 'no "archives" array' }) });

/** What `submitted.json` remembers of an accepted part, so a re-run does not send it again. */
export const submittedRecordSchema = z.object({
  referenceId: z.string(),
  sha256,
  batchId: z.string().nullable(),
  txnid: z.string().nullable(),
  status: z.string().nullable(),
  storageType: z.string().nullable(),
  duplicateOnRetry: z.boolean(),
  submittedAt: z.string(),
});

/** `submitted.json`: the manifest it belongs to and the accepted parts by file name. */
export const submittedFileSchema = z.object({
  manifest: z.string().optional(),
  parts: z.record(z.string(), submittedRecordSchema, { error: 'no "parts" object' }),
});

export type PreparePart = z.infer<typeof preparePartSchema>;
export type PrepareManifestDoc = z.infer<typeof prepareManifestSchema>;
export type PackEntryDoc = z.infer<typeof packEntrySchema>;
export type PackArchiveDoc = z.infer<typeof packArchiveSchema>;
export type PackManifestDoc = z.infer<typeof packManifestSchema>;
export type SubmittedRecordDoc = z.infer<typeof submittedRecordSchema>;
export type SubmittedFileDoc = z.infer<typeof submittedFileSchema>;

/**
 * Parses `text` as JSON and then with `schema`; on failure, says why in one line: the first
 * problem, placed (`part 2: "sha256" must be 64 hex digits`), never a zod dump.
 */
export function parseDocument<T>(schema: z.ZodType<T>, text: string): { ok: true; value: T } | { ok: false; why: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, why: `not valid JSON (${(err as Error).message})` };
  }
  const r = schema.safeParse(doc);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const [list, index] = issue.path;
  const where = typeof index === 'number' && typeof list === 'string' ? `${list === 'archives' ? 'archive' : 'part'} ${index + 1}: ` : '';
  return { ok: false, why: `${where}${issue.message}` };
}
