import { BatchprepError, ErrorCode } from '../../errors.js';
import { FilexClient, type FilexClientOptions, type TrackingRecord } from './client.js';
import { downloadFile, mirrorSpace, restSpace, type DownloadResult } from './download.js';
import { checkFileName, parseFilexPath } from './names.js';
import type { SftpOptions } from './transports/sftp-options.js';
import { openSource } from './source.js';
import { trackOne, waitForTracking, type TrackWaitOptions } from './track.js';
import { uploadRest, type UploadResult } from './transports/rest.js';
import type { S3UploadOptions } from './transports/s3.js';

/** A fileX REST client (FIP auth, retries); options are checked here. */
export function createFilexClient(options: FilexClientOptions): FilexClient {
  return new FilexClient(options);
}

export interface UploadToFilexOptions extends Omit<S3UploadOptions, 'onNotice'> {
  /** Transport. @default 'rest' */
  via?: 'rest' | 's3' | 'sftp';
  /** Remote name. @default the local file's base name */
  name?: string;
  /** `filex-<key>` headers (REST only). @default {} */
  meta?: Record<string, string>;
  /** Required for `via: 'sftp'`. */
  sftp?: SftpOptions;
  onNotice?: (message: string) => void;
}

/**
 * Uploads a local file to `org/app/space` over the chosen transport and resolves to
 * `{trackingId?, name, bytes, sha256, via}`. `client` may be undefined only for SFTP.
 */
export async function uploadToFilex(client: FilexClient | undefined, file: string, target: string, options: UploadToFilexOptions = {}): Promise<UploadResult> {
  const space = parseFilexPath(target, 3, 3, 'org/app/space');
  const name = checkFileName(options.name ?? file.split(/[\\/]/).pop() ?? '', 'file name');
  const path = { org: space.org!, app: space.app!, space: space.space!, name };
  const src = await openSource(file);
  const via = options.via ?? 'rest';
  if (via === 'sftp') {
    if (!options.sftp) throw new BatchprepError(ErrorCode.MissingCredential, 'uploadToFilex via sftp needs options.sftp');
    if (client) await client.assertWritable(path, options.signal);
    const { uploadSftp } = await import('./transports/sftp.js');
    return uploadSftp(options.sftp, src, path, options);
  }
  if (!client) throw new BatchprepError(ErrorCode.MissingCredential, `uploadToFilex via ${via} needs a FilexClient`);
  // The AWS SDK and ssh2 load only when a transport needs them.
  if (via === 's3') return (await import('./transports/s3.js')).uploadS3(client, src, path, options);
  return uploadRest(client, src, path, options);
}

export interface DownloadFromFilexOptions {
  /** @default 'rest' */
  via?: 'rest' | 's3' | 'sftp';
  /** Whole sub-space into `out` (a directory); files present with the same size are skipped. @default false */
  all?: boolean;
  /** S3 endpoint override (path-style). */
  endpoint?: string;
  /** Required for `via: 'sftp'`. */
  sftp?: SftpOptions;
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
}

/**
 * Downloads `org/app/space/file` to the file `out`, or with `all` every file of
 * `org/app/space` into the directory `out`. Names from the server are checked and
 * never leave `out`; files are written atomically.
 */
export async function downloadFromFilex(client: FilexClient | undefined, remote: string, out: string, options: DownloadFromFilexOptions = {}): Promise<DownloadResult[]> {
  const p = parseFilexPath(remote, options.all ? 3 : 4, options.all ? 3 : 4, options.all ? 'org/app/space' : 'org/app/space/file');
  const space = { org: p.org!, app: p.app!, space: p.space! };
  const via = options.via ?? 'rest';
  const run = async (remoteSpace: Parameters<typeof mirrorSpace>[0]) =>
    options.all ? mirrorSpace(remoteSpace, out, { signal: options.signal, onWarning: options.onWarning }) : [await remoteSpace.fetch(p.name!, out, undefined, () => {})];
  if (via === 'sftp') {
    if (!options.sftp) throw new BatchprepError(ErrorCode.MissingCredential, 'downloadFromFilex via sftp needs options.sftp');
    const { withSftpSpace } = await import('./remote-spaces.js');
    return withSftpSpace({ ...options.sftp, signal: options.signal }, space, run);
  }
  if (!client) throw new BatchprepError(ErrorCode.MissingCredential, `downloadFromFilex via ${via} needs a FilexClient`);
  if (via === 's3') return (await import('./remote-spaces.js')).withS3Space(client, space, { endpoint: options.endpoint, signal: options.signal }, run);
  if (!options.all) return [await downloadFile(client, { ...space, name: p.name! }, out, { signal: options.signal })];
  return run(restSpace(client, space, options.signal));
}

/** One tracking record, or with `wait` the record once FINRA has decided (throws Timeout). */
export async function trackFilex(client: FilexClient, trackingId: string, options: TrackWaitOptions & { wait?: boolean } = {}): Promise<TrackingRecord> {
  return options.wait ? waitForTracking(client, trackingId, options) : trackOne(client, trackingId, options.signal);
}
