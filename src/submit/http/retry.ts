import { abortedError, BatchprepError, ErrorCode, isBatchprepError } from '../../errors.js';

export interface RetryOptions {
  /** How many retries after the first attempt. @default 4 */
  retries?: number;
  /** Total time budget in milliseconds for all attempts and waits. @default 60000 */
  maxTimeMs?: number;
  /** First backoff delay in milliseconds; doubles each retry, with full jitter. @default 500 */
  baseDelayMs?: number;
  /** Largest single backoff delay in milliseconds. @default 10000 */
  maxDelayMs?: number;
  /** Aborts the waits and the attempts. */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to print "retrying in 1.2 s (503 ServerError)". */
  onRetry?: (info: { attempt: number; delayMs: number; error: BatchprepError }) => void;
  /** Random source in [0,1) for jitter (tests). @default Math.random */
  random?: () => number;
}

export interface RetryContext {
  /** 1-based attempt number. */
  attempt: number;
  /**
   * Fires when the caller aborts or the time budget runs out: pass it to the attempt's I/O so
   * the deadline also stops the attempt in flight.
   */
  signal: AbortSignal;
}

/** The most retries any entry point accepts: beyond it a run would mostly wait. */
export const MAX_RETRIES = 20;

/**
 * The one rule for a retry count, for FinPro, fileX and both CLIs alike; `name` words the
 * message in the caller's terms (`retries`, `--retries`).
 */
export function checkRetries(value: number | undefined, name = 'retries'): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= MAX_RETRIES)) {
    throw new BatchprepError(ErrorCode.InvalidOption, `${name} must be a whole number from 0 to ${MAX_RETRIES} (got ${value})`);
  }
}

/** The one rule for a time or size that must be positive (timeouts, retry budgets, delays, caps). */
export function checkPositive(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new BatchprepError(ErrorCode.InvalidOption, `${name} must be a positive number (got ${value})`);
  }
}

/** Checks a retry policy once, where a client is made; returns it unchanged. */
export function resolveRetryOptions<T extends Omit<RetryOptions, 'signal'>>(o: T): T {
  checkRetries(o.retries);
  checkPositive(o.maxTimeMs, 'retry maxTimeMs');
  checkPositive(o.baseDelayMs, 'retry baseDelayMs');
  checkPositive(o.maxDelayMs, 'retry maxDelayMs');
  return o;
}

/** Retry-After (seconds or HTTP date) to milliseconds, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined | null, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v.trim()) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(t);
      reject(abortedError());
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, a non-retryable error is thrown, or the count or time budget
 * is spent. Only errors with `retryable: true` are retried (network, 429, 5xx); a 4xx
 * rejection never is. A `retryAfterMs` on the error (from Retry-After) sets the wait.
 * The final error carries `attempts`. The budget is a deadline: an attempt still running when
 * it is spent is stopped (`ctx.signal` fires) and the call fails as `Timeout`.
 */
export async function withRetry<T>(fn: (ctx: RetryContext) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 4;
  const maxTimeMs = options.maxTimeMs ?? 60_000;
  const base = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const random = options.random ?? Math.random;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptWithin(fn, attempt, maxTimeMs - (Date.now() - started), maxTimeMs, options.signal);
    } catch (err) {
      // A bare error after the caller's abort is the abort itself (the I/O was torn down).
      if (options.signal?.aborted && !isBatchprepError(err)) throw abortedError(err);
      const error = isBatchprepError(err)
        ? err.withAttempts(attempt)
        : new BatchprepError(ErrorCode.NetworkError, (err as Error)?.message ?? String(err), { cause: err, retryable: true, attempts: attempt });
      if (!error.retryable || attempt > retries || options.signal?.aborted) throw error;
      const hinted = error.retryAfterMs;
      const backoff = Math.min(maxDelay, base * 2 ** (attempt - 1));
      const delayMs = hinted !== undefined ? hinted : Math.round(random() * backoff);
      if (Date.now() - started + delayMs > maxTimeMs) throw error;
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/** The `Timeout` for a spent time budget, naming the flag that sets it. */
export function deadlineError(maxTimeMs: number, attempt: number, cause?: unknown): BatchprepError {
  return new BatchprepError(
    ErrorCode.Timeout,
    `gave up after ${formatSeconds(maxTimeMs)} s (the --retry-max-time budget; attempt ${attempt} was still waiting); raise --retry-max-time or check the service`,
    { cause, retryable: false },
  );
}

/** `1500` → `1.5`, `60000` → `60`: seconds as the messages print them. */
export function formatSeconds(ms: number): string {
  return (ms / 1000).toFixed(ms % 1000 ? 1 : 0);
}

/**
 * Runs one attempt bounded by what is left of the budget: its signal fires at the deadline
 * (so its sockets are closed) and the attempt ends then as `Timeout` even if its I/O
 * ignores the signal. A caller abort stays `Aborted`.
 */
async function attemptWithin<T>(
  fn: (ctx: RetryContext) => Promise<T>,
  attempt: number,
  leftMs: number,
  maxTimeMs: number,
  outer: AbortSignal | undefined,
): Promise<T> {
  if (outer?.aborted) throw abortedError(outer.reason);
  const deadline = new AbortController();
  const signal = outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = deadlineError(maxTimeMs, attempt);
      deadline.abort(e);
      reject(e);
    }, Math.max(0, leftMs));
  });
  expired.catch(() => undefined);
  try {
    return await Promise.race([fn({ attempt, signal }), expired]);
  } catch (err) {
    if (deadline.signal.aborted && !outer?.aborted) throw deadline.signal.reason as BatchprepError;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
