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
