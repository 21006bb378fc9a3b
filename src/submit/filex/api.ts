import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BatchprepError, ErrorCode, fromFsError } from '../../errors.js';
import { FilexClient, type FilexClientOptions, type FilexEntry, type TrackingRecord } from './client.js';
import { localFileName, mirrorSpace, safeJoin, type DownloadResult } from './download.js';
import { checkFileName, parseFilexPath, type FilexPath } from './names.js';
import { openSource, type UploadSource } from './source.js';
import type { SftpOptions } from './transports/sftp-options.js';
import { trackOne, waitForTracking, type TrackWaitOptions } from './track.js';
import { loadTransport } from './transports/registry.js';
import type { UploadResult } from './transports/rest.js';

export type { UploadResult };
import { checkUploadLimits } from './limits.js';
import type { Via } from './transports/transport.js';

/** A fileX REST client (FIP auth, retries); options are checked here. */
export function createFilexClient(options: FilexClientOptions): FilexClient {
  return new FilexClient(options);
}

/** Settings every transport call may need. */
export interface FilexTransportOptions {
  /** Transport. @default 'rest' */
  via?: Via;
  /** S3 endpoint override (path-style). */
  endpoint?: string;
  /** Required for `via: 'sftp'`. */
  sftp?: SftpOptions;
  signal?: AbortSignal;
}

export interface UploadToFilexOptions extends FilexTransportOptions {
  /** Remote name. @default the local file's base name */
  name?: string;
  /** `filex-<key>` headers (REST only). @default {} */
  meta?: Record<string, string>;
  /** S3 multipart part size in bytes (raised automatically to fit 10,000 parts). @default 8388608 */
  partSize?: number;
  /** S3 parts in flight. @default 4 */
  concurrency?: number;
  /** S3: continue the journalled multipart upload. @default false */
  resume?: boolean;
  onProgress?: (done: number, total: number) => void;
  onNotice?: (message: string) => void;
  /** An already opened source (the CLI's stdin spool); else `file` is opened. */
  source?: UploadSource;
}

/**
 * Uploads a local file to `org/app/space` over the chosen transport and resolves to
 * `{trackingId?, name, bytes, sha256, via}`. The file is checked readable and against the
 * transport's size limits before anything is asked of fileX. `client` may be undefined
 * only for SFTP.
 */
export async function uploadToFilex(client: FilexClient | undefined, file: string, target: string, options: UploadToFilexOptions = {}): Promise<UploadResult> {
  const space = parseFilexPath(target, 3, 3, 'org/app/space');
  const name = checkFileName(options.name ?? file.split(/[\\/]/).pop() ?? '', options.name ? 'name' : 'file name');
  const path = { org: space.org!, app: space.app!, space: space.space!, name };
  const via = options.via ?? 'rest';
  const transport = await loadTransport(via);
  if (transport.needsClient && !client) throw new BatchprepError(ErrorCode.MissingCredential, `uploadToFilex via ${via} needs a FilexClient`);
  const src = options.source ?? (await openSource(file));
  const partSize = checkUploadLimits(via, src, options.partSize, options.onNotice, options.concurrency);
  return transport.upload({ client, sftp: options.sftp, s3Endpoint: options.endpoint, signal: options.signal, onNotice: options.onNotice }, src, path, {
    meta: options.meta,
    partSize,
    concurrency: options.concurrency,
    resume: options.resume,
    onProgress: options.onProgress,
  });
}

export interface DownloadFromFilexOptions extends FilexTransportOptions {
  /** Whole sub-space into `out` (a directory). @default false */
  all?: boolean;
  /** With `all`: fetch again even files present with the listed size and time. @default false */
  force?: boolean;
  onWarning?: (message: string) => void;
  onFile?: (r: DownloadResult) => void;
  onProgress?: (name: string, done: number, total?: number) => void;
}

/**
 * Where one download goes: inside `out` when it is an existing directory or ends with a
 * separator, else `out` itself; missing parent directories are created.
 */
export async function downloadTarget(out: string, remoteName: string): Promise<string> {
  const st = await stat(out).catch(() => undefined);
  const asDir = st?.isDirectory() || /[\\/]$/.test(out);
  const file = asDir ? safeJoin(out, localFileName(remoteName).local) : resolve(out);
  await mkdir(dirname(file), { recursive: true }).catch((err) => {
    throw fromFsError(err, dirname(file), 'write');
  });
  return file;
}

/**
 * Downloads `org/app/space/file` to `out` (a file, or an existing directory to put it in),
 * or with `all` every file of `org/app/space` into the directory `out`. Listed names are
 * taken as fileX made them and never leave `out`; files are written atomically.
 */
export async function downloadFromFilex(client: FilexClient | undefined, remote: string, out: string, options: DownloadFromFilexOptions = {}): Promise<DownloadResult[]> {
  const usage = options.all ? 'org/app/space' : 'org/app/space/file';
  const p = parseFilexPath(remote, options.all ? 3 : 4, options.all ? 3 : 4, usage, { checkName: false });
  const space = { org: p.org!, app: p.app!, space: p.space! };
  const transport = await loadTransport(options.via ?? 'rest');
  if (transport.needsClient && !client) throw new BatchprepError(ErrorCode.MissingCredential, `downloadFromFilex via ${transport.via} needs a FilexClient`);
  const ctx = { client, sftp: options.sftp, s3Endpoint: options.endpoint, signal: options.signal };
  if (options.all) {
    const dir = resolve(out);
    await mkdir(dir, { recursive: true }).catch((err) => {
      throw fromFsError(err, dir, 'write');
    });
    return transport.withSpace(ctx, space, (r) => mirrorSpace(r, dir, options));
  }
  const file = await downloadTarget(out, p.name!);
  return transport.withSpace(ctx, space, async (r) => {
    const got = await r.fetch(p.name!, file, undefined, (d, t) => options.onProgress?.(p.name!, d, t));
    options.onFile?.(got);
    return [got];
  });
}

/** A directory document for `org[/app[/space]]` (or every org the account may act for) through a transport. */
export async function listFilex(client: FilexClient | undefined, path: string, options: FilexTransportOptions = {}): Promise<FilexEntry> {
  const p: FilexPath = path ? parseFilexPath(path, 1, 3, 'org[/app[/space]]') : {};
  const transport = await loadTransport(options.via ?? 'rest');
  if (transport.needsClient && !client) throw new BatchprepError(ErrorCode.MissingCredential, `listFilex via ${transport.via} needs a FilexClient`);
  return transport.list({ client, sftp: options.sftp, s3Endpoint: options.endpoint, signal: options.signal }, p);
}

/** One tracking record, or with `wait` the record once FINRA has decided (throws Timeout). */
export async function trackFilex(client: FilexClient, trackingId: string, options: TrackWaitOptions & { wait?: boolean } = {}): Promise<TrackingRecord> {
  return options.wait ? waitForTracking(client, trackingId, options) : trackOne(client, trackingId, options.signal);
}

/**
 * The archived copy (in_arcv) of the submission `trackingId`, when tracking says it is
 * `downloadable`, written to `out` as `downloadFromFilex` does.
 */
export async function downloadArchived(client: FilexClient, trackingId: string, out: string, options: { signal?: AbortSignal; onProgress?: (name: string, done: number, total?: number) => void } = {}): Promise<DownloadResult> {
  const rec = await trackOne(client, trackingId, options.signal);
  if (rec.downloadable !== true || typeof rec.arcvFileName !== 'string' || !rec.arcvFileName) {
    throw new BatchprepError(
      ErrorCode.RemoteNotFound,
      `submission ${trackingId} has no downloadable archived copy (tracking says downloadable: ${String(rec.downloadable)}; copies are kept 30 days)`,
    );
  }
  const org = typeof rec.uploadLocation === 'string' ? rec.uploadLocation.split('/')[0] : undefined;
  const app = typeof rec.applicationName === 'string' ? rec.applicationName : typeof rec.uploadLocation === 'string' ? rec.uploadLocation.split('/')[1] : undefined;
  if (!org || !app) throw new BatchprepError(ErrorCode.UnexpectedResponse, `tracking ${trackingId}: no uploadLocation/applicationName to find the archived copy`);
  const [got] = await downloadFromFilex(client, `${org}/${app}/in_arcv/${rec.arcvFileName}`, out, options);
  return got!;
}

