import { abortedError, BatchprepError, ErrorCode, throwIfAborted } from '../../errors.js';
import type { FilexClient, TrackingRecord } from './client.js';

/** The downstream statuses that end a wait (guide, "track uploaded files"). */
export const FINAL_STATUSES = ['ACCEPTED', 'REJECTED', 'PARTIALLY_REJECTED'] as const;

export interface TrackWaitOptions {
  /** Time between polls. @default 10000 */
  intervalMs?: number;
  /** Give up after this long (Timeout, exit 3). @default 3600000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called after every poll, e.g. to print the status when it changes. */
  onPoll?: (record: TrackingRecord) => void;
}

/** Tracking IDs are UUID-like: letters, digits and '-'. */
export function checkTrackingId(id: string): string {
  if (!/^[A-Za-z0-9-]{1,100}$/.test(id)) {
    throw new BatchprepError(ErrorCode.UsageError, `'${id}' is not a tracking ID (letters, digits and '-', as printed by 'filex upload')`);
  }
  return id;
}

/** The record for one tracking ID, or RemoteNotFound. */
export async function trackOne(client: FilexClient, id: string, signal?: AbortSignal): Promise<TrackingRecord> {
  const list = await client.tracking(checkTrackingId(id), signal);
  const rec = list.find((r) => r && r.trackingId === id) ?? (list.length === 1 ? list[0] : undefined);
  if (!rec) throw new BatchprepError(ErrorCode.RemoteNotFound, `fileX has no submission with tracking ID ${id} (IDs are kept 90 days)`);
  return rec;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(t);
      reject(abortedError());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls until `downstreamStatus` is final and returns that record (ACCEPTED, REJECTED or
 * PARTIALLY_REJECTED — the caller decides what a rejection means), or throws Timeout.
 */
export async function waitForTracking(client: FilexClient, id: string, options: TrackWaitOptions = {}): Promise<TrackingRecord> {
  const interval = options.intervalMs ?? 10_000;
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  for (;;) {
    throwIfAborted(options.signal);
    const rec = await trackOne(client, id, options.signal);
    options.onPoll?.(rec);
    if (rec.downstreamStatus && (FINAL_STATUSES as readonly string[]).includes(rec.downstreamStatus)) return rec;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new BatchprepError(
        ErrorCode.Timeout,
        `tracking ${id}: still '${rec.downstreamStatus ?? rec.status ?? 'unknown'}' when the wait timed out (raise --timeout or run 'filex track ${id}' later)`,
      );
    }
    await sleep(Math.min(interval, left), options.signal);
  }
}

export interface SubmissionFilter {
  /** Matches `status` or `downstreamStatus`, case-insensitive (e.g. ACCEPTED, "Request Received"). */
  status?: string;
  /** Submitted (or last updated) at or after this time. */
  since?: Date;
  /** File name; `*` matches any run of characters. */
  name?: string;
  /** Application name. */
  app?: string;
}

// The time a record stands for: submission, else the last status update.
function recordTime(r: TrackingRecord): number {
  const t = Date.parse(String(r.submissionTime ?? r.statusUpdatedTime ?? ''));
  return Number.isNaN(t) ? NaN : t;
}

// The application of a record: the guide's table says `application`, its sample `applicationName`.
function recordApp(r: TrackingRecord): string | undefined {
  const a = r.applicationName ?? r.application;
  if (typeof a === 'string') return a;
  return typeof r.uploadLocation === 'string' ? r.uploadLocation.split('/')[1] : undefined;
}

/** Every submission of the last 90 days (the guide: tracking without an ID), filtered here. */
export async function listSubmissions(client: FilexClient, filter: SubmissionFilter = {}, signal?: AbortSignal): Promise<TrackingRecord[]> {
  const all = (await client.tracking(undefined, signal)).filter((r) => r && typeof r === 'object');
  const nameRe = filter.name ? new RegExp(`^${filter.name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`) : undefined;
  const status = filter.status?.toLowerCase();
  return all.filter(
    (r) =>
      (!status || String(r.status ?? '').toLowerCase() === status || String(r.downstreamStatus ?? '').toLowerCase() === status) &&
      (!filter.since || recordTime(r) >= filter.since.getTime()) &&
      (!nameRe || (typeof r.fileName === 'string' && nameRe.test(r.fileName))) &&
      (!filter.app || recordApp(r) === filter.app),
  );
}

export interface UploadWaitOptions extends TrackWaitOptions {
  /** When the upload started; a record older than this (minus `clockSkewMs`) is not ours. */
  startedAt: number;
  /** Clock difference tolerated between this machine and fileX. @default 300000 */
  clockSkewMs?: number;
}

/**
 * Waits for FINRA's verdict on an upload: by trackingId for REST; for S3 and SFTP, which
 * return none, by the newest record in the 90-day list with the same file name and upload
 * location submitted since the upload started, polled until it appears, then by its ID.
 */
export async function waitForUpload(
  client: FilexClient,
  upload: { trackingId?: string; name: string; org: string; app: string; space: string },
  options: UploadWaitOptions,
): Promise<TrackingRecord> {
  if (upload.trackingId) return waitForTracking(client, upload.trackingId, options);
  const started = Date.now();
  const timeout = options.timeoutMs ?? 3_600_000;
  const location = `${upload.org}/${upload.app}/${upload.space}`;
  const since = options.startedAt - (options.clockSkewMs ?? 300_000);
  for (;;) {
    throwIfAborted(options.signal);
    const match = (await client.tracking(undefined, options.signal))
      .filter(
        (r) =>
          r &&
          r.fileName === upload.name &&
          typeof r.uploadLocation === 'string' &&
          r.uploadLocation.replace(/^\/+|\/+$/g, '').endsWith(location) &&
          recordTime(r) >= since,
      )
      .sort((a, b) => recordTime(b) - recordTime(a))[0];
    if (match) {
      options.onPoll?.(match);
      return waitForTracking(client, match.trackingId, { ...options, timeoutMs: Math.max(1, timeout - (Date.now() - started)) });
    }
    const left = timeout - (Date.now() - started);
    if (left <= 0) {
      throw new BatchprepError(ErrorCode.Timeout, `no tracking record for ${location}/${upload.name} appeared before the wait timed out (run 'filex track --name ${upload.name}' later)`);
    }
    await sleep(Math.min(options.intervalMs ?? 10_000, left), options.signal);
  }
}
