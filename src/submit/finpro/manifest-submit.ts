import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BatchprepError, ErrorCode, fromFsError, isBatchprepError, throwIfAborted } from '../../errors.js';
import { submitToFinPro } from './client.js';
import type { FinProSubmitResult, SubmitToFinProOptions } from './client.js';
import { isValidReferenceId } from './reference-id.js';
import { resolveFinproOptions } from './settings.js';
import { parseDocument, preparePartsSchema, submittedFileSchema, type PreparePart, type SubmittedFileDoc, type SubmittedRecordDoc } from '../../core/manifests.js';

/** One part of a `prepare` manifest (SPEC section 4); the schema is in core/manifests.ts. */
export type ManifestPart = PreparePart;

/** What `submitted.json` remembers of an accepted part, so a re-run does not send it again. */
export type SubmittedRecord = SubmittedRecordDoc;

export type PartOutcome = 'submitted' | 'skipped' | 'failed' | 'notSent';

/** A part's outcome: the upload's result fields (null/0 when it was not sent) plus where it stands. */
export interface ManifestPartResult
  extends Pick<FinProSubmitResult, 'referenceId' | 'batchId' | 'status' | 'storageType' | 'txnid' | 'attempts' | 'duplicateOnRetry'> {
  file: string;
  rows: number;
  bytes: number;
  outcome: PartOutcome;
  /** Set on the part that stopped the run. */
  error?: BatchprepError;
}

export interface ManifestSubmitResult {
  /** The manifest that was read. */
  manifest: string;
  parts: ManifestPartResult[];
  submitted: number;
  skipped: number;
  /** The failure that stopped the run; parts after it are `notSent`. */
  error?: BatchprepError;
}

export interface SubmitManifestOptions extends Omit<SubmitToFinProOptions, 'referenceId' | 'fileName'> {
  /** Called after each part, in order (for progress lines). */
  onPart?: (part: ManifestPartResult, index: number, total: number) => void;
}

import { SUBMITTED_FILE } from '../../core/finpro-rules.js';
export { SUBMITTED_FILE };

/** `DIR` or `DIR/manifest.json` → the manifest path. */
export async function resolveManifestPath(target: string): Promise<string> {
  try {
    const st = await stat(target);
    return st.isDirectory() ? join(target, 'manifest.json') : target;
  } catch (err) {
    throw fromFsError(err, target, 'read');
  }
}

function invalid(path: string, why: string): BatchprepError {
  return new BatchprepError(ErrorCode.InvalidManifest, `${path}: ${why} (was it written by 'batchprep prepare'?)`, { file: path });
}

/** Reads and checks a manifest: every part a relative file inside its directory, with a valid reference ID and a sha256. */
export async function readManifest(path: string): Promise<ManifestPart[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw fromFsError(err, path, 'read');
  }
  const doc = parseDocument(preparePartsSchema, text);
  if (!doc.ok) throw invalid(path, doc.why);
  return doc.value.parts.map((part) => ({ ...part, sha256: part.sha256.toLowerCase() }));
}

/** Reads `submitted.json`; a missing file means nothing was submitted yet. */
export async function readSubmitted(path: string): Promise<Record<string, SubmittedRecord>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') return {};
    throw fromFsError(err, path, 'read');
  }
  const doc = parseDocument(submittedFileSchema, text);
  if (doc.ok) return doc.value.parts;
  throw new BatchprepError(
    ErrorCode.InvalidManifest,
    `${path}: cannot read the record of submitted parts (${doc.why}); fix or remove it only if you know which parts landed`,
    { file: path },
  );
}

/** Writes JSON through a temp file and a rename, so a crash never leaves a half-written record. */
async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw fromFsError(err, path, 'write');
  }
}

/** sha256 and size of a file, streamed. */
async function hashFile(path: string, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      createReadStream(path),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          hash.update(chunk);
        }
      },
      { signal },
    );
  } catch (err) {
    throwIfAborted(signal);
    throw fromFsError(err, path, 'read');
  }
  return { sha256: hash.digest('hex'), bytes };
}

function emptyResult(part: ManifestPart, outcome: PartOutcome): ManifestPartResult {
  return {
    file: part.file,
    referenceId: part.referenceId,
    rows: part.rows,
    bytes: part.bytes,
    outcome,
    batchId: null,
    status: null,
    storageType: null,
    txnid: null,
    attempts: 0,
    duplicateOnRetry: false,
  };
}

/**
 * Submits the parts of a `prepare` manifest in order, each with its own reference ID. A part
 * is checked against its sha256 before it is sent; every accepted part is recorded at once in
 * `submitted.json` beside the manifest, so a re-run skips it. The run stops at the first
 * failure (`error` is set, later parts are `notSent`); local setup problems throw.
 */
export async function submitManifest(target: string, options: SubmitManifestOptions): Promise<ManifestSubmitResult> {
  // A bad URL, header name or file field is the caller's mistake, not a part's failure: throw before any read.
  resolveFinproOptions(options);
  const manifestPath = await resolveManifestPath(target);
  const dir = dirname(manifestPath);
  const parts = await readManifest(manifestPath);
  const recordPath = join(dir, SUBMITTED_FILE);
  const records = await readSubmitted(recordPath);
  const results = parts.map((p) => emptyResult(p, 'notSent'));
  const out: ManifestSubmitResult = { manifest: manifestPath, parts: results, submitted: 0, skipped: 0 };
  for (const [i, part] of parts.entries()) {
    const result = results[i]!;
    const previous = records[part.file];
    if (previous && previous.referenceId === part.referenceId) {
      if (previous.sha256 !== part.sha256) {
        throw new BatchprepError(
          ErrorCode.ManifestMismatch,
          `${part.file} was already submitted as ${part.referenceId} with other content (sha256 ${previous.sha256.slice(0, 12)}...); re-run prepare with a new --reference-id to send the new parts`,
          { file: part.file },
        );
      }
      Object.assign(result, { outcome: 'skipped', batchId: previous.batchId, status: previous.status, storageType: previous.storageType, txnid: previous.txnid, duplicateOnRetry: previous.duplicateOnRetry });
      out.skipped++;
      options.onPart?.(result, i, parts.length);
      continue;
    }
    const path = resolve(dir, part.file);
    if (relative(dir, path).startsWith('..')) throw invalid(manifestPath, `part ${i + 1}: "${part.file}" is outside the manifest's directory`);
    const actual = await hashFile(path, options.signal);
    if (actual.sha256 !== part.sha256 || actual.bytes !== part.bytes) {
      throw new BatchprepError(
        ErrorCode.ManifestMismatch,
        `${part.file} does not match the manifest (${actual.bytes} bytes, sha256 ${actual.sha256.slice(0, 12)}...; expected ${part.bytes} bytes, ${part.sha256.slice(0, 12)}...); nothing more was sent. Re-run prepare`,
        { file: part.file },
      );
    }
    let sent: FinProSubmitResult;
    try {
      sent = await submitToFinPro(path, { ...options, referenceId: part.referenceId, fileName: basename(part.file) });
    } catch (err) {
      if (!isBatchprepError(err) || err.code === ErrorCode.Aborted) throw err;
      Object.assign(result, { outcome: 'failed', error: err, attempts: err.attempts ?? 0, txnid: err.txnid ?? null });
      out.error = err;
      options.onPart?.(result, i, parts.length);
      return out;
    }
    Object.assign(result, {
      outcome: 'submitted',
      batchId: sent.batchId,
      status: sent.status,
      storageType: sent.storageType,
      txnid: sent.txnid,
      attempts: sent.attempts,
      duplicateOnRetry: sent.duplicateOnRetry,
    });
    records[part.file] = {
      referenceId: part.referenceId,
      sha256: part.sha256,
      batchId: sent.batchId,
      txnid: sent.txnid,
      status: sent.status,
      storageType: sent.storageType,
      duplicateOnRetry: sent.duplicateOnRetry,
      submittedAt: new Date().toISOString(),
    };
    const record: SubmittedFileDoc = { manifest: basename(manifestPath), parts: records };
    await writeJsonAtomic(recordPath, record);
    out.submitted++;
    options.onPart?.(result, i, parts.length);
  }
  return out;
}
