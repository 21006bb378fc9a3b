import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { BatchprepError, ErrorCode, fromFsError, isBatchprepError } from '../../errors.js';
import { abortMultipart, fromS3Error, type S3Target } from './s3-common.js';
import { sha256File, type UploadSource } from './source.js';
import type { UploadResult } from './upload-rest.js';

/**
 * Why our own multipart driver: lib-storage's `Upload` keeps its upload ID and part list in
 * memory and aborts on failure, so a crash loses everything. Here every completed part is
 * written to a journal beside the file (`<file>.filex-upload.json`, replaced atomically),
 * and a re-run with `--resume` continues the same upload ID from the parts already stored
 * (ListParts when the server has it, the journal otherwise).
 */
export interface ResumeJournal {
  version: 1;
  bucket: string;
  key: string;
  uploadId: string;
  size: number;
  mtimeMs: number;
  partSize: number;
  /** PartNumber → ETag of parts S3 acknowledged. */
  parts: Record<string, string>;
}

export interface ResumeOptions {
  name: string;
  partSize: number;
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  onNotice?: (message: string) => void;
}

export function journalPath(file: string): string {
  return `${file}.filex-upload.json`;
}

async function readJournal(file: string): Promise<ResumeJournal | undefined> {
  try {
    const j = JSON.parse(await readFile(journalPath(file), 'utf8')) as ResumeJournal;
    return j && j.version === 1 && typeof j.uploadId === 'string' && j.parts && typeof j.parts === 'object' ? j : undefined;
  } catch {
    return undefined;
  }
}

// Temp file + rename: a crash mid-write leaves the previous journal, never a torn one.
async function writeJournal(file: string, j: ResumeJournal): Promise<void> {
  const dest = journalPath(file);
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(j)}\n`);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw fromFsError(err, dest, 'write');
  }
}

/** The parts S3 already holds for this upload, or undefined when the server has no ListParts. */
async function storedParts(s3: S3Client, j: ResumeJournal, signal?: AbortSignal): Promise<Map<number, { etag: string; size: number }> | 'gone' | undefined> {
  const out = new Map<number, { etag: string; size: number }>();
  let marker: string | undefined;
  try {
    for (;;) {
      const r = await s3.send(new ListPartsCommand({ Bucket: j.bucket, Key: j.key, UploadId: j.uploadId, PartNumberMarker: marker }), { abortSignal: signal });
      for (const p of r.Parts ?? []) if (p.PartNumber && p.ETag) out.set(p.PartNumber, { etag: p.ETag, size: p.Size ?? -1 });
      if (!r.IsTruncated) return out;
      marker = r.NextPartNumberMarker;
    }
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e?.name === 'NoSuchUpload' || e?.$metadata?.httpStatusCode === 404) return 'gone';
    const st = e?.$metadata?.httpStatusCode;
    if (st === 405 || st === 501 || e?.name === 'NotImplemented' || e?.name === 'MethodNotAllowed') return undefined;
    throw fromS3Error(err, 'listing the parts already uploaded');
  }
}

/** Runs a multipart upload that survives a crash: see `ResumeJournal`. */
export async function resumableUpload(s3: S3Client, src: UploadSource, target: S3Target, options: ResumeOptions): Promise<UploadResult> {
  const { signal, partSize } = options;
  const location = `${target.bucket}/${target.key}`;
  if (src.size === 0) {
    // Multipart needs at least one part; an empty object is one PutObject.
    await s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: '', ContentLength: 0 }), { abortSignal: signal }).catch((e) => {
      throw fromS3Error(e, `S3 upload of ${options.name}`);
    });
    return { name: options.name, bytes: 0, sha256: await sha256File(src.path, signal), via: 's3', location };
  }
  let journal = await readJournal(src.path);
  if (
    journal &&
    (journal.bucket !== target.bucket || journal.key !== target.key || journal.size !== src.size || journal.mtimeMs !== src.mtimeMs || journal.partSize !== partSize)
  ) {
    options.onNotice?.(`${journalPath(src.path)} is for another file, target or part size; starting a new upload`);
    if (journal.bucket === target.bucket) await abortMultipart(s3, { ...target, key: journal.key }, journal.uploadId);
    journal = undefined;
  }
  let done = new Map<number, string>();
  if (journal) {
    const stored = await storedParts(s3, journal, signal);
    if (stored === 'gone') {
      options.onNotice?.(`multipart upload ${journal.uploadId} no longer exists on S3; starting over`);
      journal = undefined;
    } else if (stored) {
      // Trust only parts S3 lists with the size we would send.
      for (const [n, p] of stored) {
        const expect = Math.min(partSize, src.size - (n - 1) * partSize);
        if (p.size === -1 || p.size === expect) done.set(n, p.etag);
      }
    } else {
      for (const [n, etag] of Object.entries(journal.parts)) done.set(Number(n), etag);
    }
  }
  if (!journal) {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key }), { abortSignal: signal }).catch((e) => {
      throw fromS3Error(e, `starting the S3 multipart upload of ${options.name}`);
    });
    if (!created.UploadId) throw new BatchprepError(ErrorCode.UnexpectedResponse, 'S3 returned no UploadId');
    journal = { version: 1, bucket: target.bucket, key: target.key, uploadId: created.UploadId, size: src.size, mtimeMs: src.mtimeMs, partSize, parts: {} };
    done = new Map();
    await writeJournal(src.path, journal);
  } else if (done.size > 0) {
    options.onNotice?.(`resuming multipart upload: ${done.size} part(s) already stored`);
  }
  const j = journal;
  j.parts = Object.fromEntries([...done].map(([n, e]) => [String(n), e]));
  const total = Math.ceil(src.size / partSize);
  const todo: number[] = [];
  for (let n = 1; n <= total; n++) if (!done.has(n)) todo.push(n);
  let sent = [...done.keys()].reduce((a, n) => a + Math.min(partSize, src.size - (n - 1) * partSize), 0);
  options.onProgress?.(sent, src.size);
  let journalWrite: Promise<void> = Promise.resolve();
  const fh = await open(src.path, 'r').catch((e) => {
    throw fromFsError(e, src.path, 'read');
  });
  let failed: unknown;
  try {
    // A fixed pool of workers takes part numbers from the queue; one failure stops the others.
    const worker = async (): Promise<void> => {
      for (;;) {
        if (failed || signal?.aborted) return;
        const n = todo.shift();
        if (n === undefined) return;
        const start = (n - 1) * partSize;
        const len = Math.min(partSize, src.size - start);
        const buf = Buffer.allocUnsafe(len);
        const { bytesRead } = await fh.read(buf, 0, len, start);
        if (bytesRead !== len) throw new BatchprepError(ErrorCode.IoError, `${src.path}: changed while uploading (short read at part ${n})`);
        const r = await s3.send(new UploadPartCommand({ Bucket: j.bucket, Key: j.key, UploadId: j.uploadId, PartNumber: n, Body: buf, ContentLength: len }), {
          abortSignal: signal,
        });
        if (!r.ETag) throw new BatchprepError(ErrorCode.UnexpectedResponse, `S3 returned no ETag for part ${n}`);
        done.set(n, r.ETag);
        j.parts[String(n)] = r.ETag;
        journalWrite = journalWrite.then(() => writeJournal(src.path, { ...j, parts: { ...j.parts } }));
        sent += len;
        options.onProgress?.(sent, src.size);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency, Math.max(1, todo.length)) }, () =>
        worker().catch((err) => {
          failed ??= err;
        }),
      ),
    );
    await journalWrite;
  } finally {
    await fh.close();
  }
  if (failed || signal?.aborted) {
    options.onNotice?.(`${done.size} of ${total} parts are stored; run the same command with --resume to continue (journal: ${journalPath(src.path)})`);
    if (signal?.aborted) throw new BatchprepError(ErrorCode.Aborted, 'the operation was aborted', { cause: failed });
    throw isBatchprepError(failed) ? failed : fromS3Error(failed, `S3 upload of ${options.name}`);
  }
  const parts = [...done].sort((a, b) => a[0] - b[0]).map(([PartNumber, ETag]) => ({ PartNumber, ETag }));
  await s3
    .send(new CompleteMultipartUploadCommand({ Bucket: j.bucket, Key: j.key, UploadId: j.uploadId, MultipartUpload: { Parts: parts } }), { abortSignal: signal })
    .catch((e) => {
      options.onNotice?.(`completing failed; run the same command with --resume to retry (journal: ${journalPath(src.path)})`);
      throw fromS3Error(e, `completing the S3 multipart upload of ${options.name}`);
    });
  await rm(journalPath(src.path), { force: true });
  return { name: options.name, bytes: src.size, sha256: await sha256File(src.path, signal), via: 's3', location };
}
