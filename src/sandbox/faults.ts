// `--faults` for the sandbox: a comma-separated list of `name=value` settings, parsed once
// before anything listens so a wrong list starts nothing. Each names a fault the test servers
// already produce (429 with Retry-After, 503, a reply cut mid-body, slow replies, expiring FIP
// tokens, REJECTED verdicts); counting is per API (FinPro uploads, fileX calls) so
// `429-every=3` hits every third request of each, whatever the other one does.

export interface SandboxFaults {
  /** File-name globs whose fileX verdict is REJECTED (`*` any run of characters, `?` one). */
  reject: string[];
  /** File-name globs whose fileX verdict is PARTIALLY_REJECTED. */
  partial: string[];
  /** Every Nth request of each API answers 429 with `Retry-After: retryAfter`. */
  every429?: number;
  /** Retry-After of the 429s, in seconds. @default 1 */
  retryAfter: number;
  /** Every Nth request of each API answers 503. */
  every5xx?: number;
  /** Every Nth request of each API is cut: FinPro mid-request-body, fileX mid-reply-body. */
  resetEvery?: number;
  /** Every reply (the token endpoint and object URLs included) is delayed this long. */
  slowMs?: number;
  /** FIP access tokens live this long (expires_in). */
  tokenTtlSeconds?: number;
  /** Every Nth fileX call is refused 401 as if its token had expired (the client must get a new one). */
  expireTokenEvery?: number;
  /** Pre-signed URLs live this long. */
  urlTtlSeconds?: number;
  /** Tracking polls between RECEIVED and the verdict. */
  pollsToVerdict?: number;
}

export const FAULTS_SYNTAX =
  'reject=GLOB, partial=GLOB, 429-every=N, retry-after=SECONDS, 5xx-every=N, reset-every=N, slow=DURATION, ' +
  'token-ttl=DURATION, expire-token-every=N, url-ttl=DURATION, polls=N (DURATION: 200ms, 5s, 2m)';

/** Thrown for a fault list that cannot be read; the message names the entry and the syntax. */
export class FaultSyntaxError extends Error {}

function count(key: string, value: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new FaultSyntaxError(`--faults ${key}=${value}: expected a whole number of 1 or more`);
  return Number(value);
}

function durationMs(key: string, value: string): number {
  const m = /^([0-9]{1,9})(ms|s|m)?$/.exec(value);
  if (!m) throw new FaultSyntaxError(`--faults ${key}=${value}: expected a duration such as 200ms, 5s or 2m`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
}

function seconds(key: string, value: string): number {
  const ms = durationMs(key, value);
  if (ms < 1000 || ms % 1000 !== 0) throw new FaultSyntaxError(`--faults ${key}=${value}: expected whole seconds (1s or more)`);
  return ms / 1000;
}

// One setter per fault name: each reads its value with the parser of its kind.
const SETTERS: Record<string, (f: SandboxFaults, key: string, value: string) => void> = {
  reject: (f, _key, value) => f.reject.push(value),
  partial: (f, _key, value) => f.partial.push(value),
  '429-every': (f, key, value) => (f.every429 = count(key, value)),
  // A bare number is seconds here.
  'retry-after': (f, key, value) => (f.retryAfter = seconds(key, /^[0-9]+$/.test(value) ? `${value}s` : value)),
  '5xx-every': (f, key, value) => (f.every5xx = count(key, value)),
  'reset-every': (f, key, value) => (f.resetEvery = count(key, value)),
  slow: (f, key, value) => (f.slowMs = durationMs(key, value)),
  'token-ttl': (f, key, value) => (f.tokenTtlSeconds = seconds(key, value)),
  'expire-token-every': (f, key, value) => (f.expireTokenEvery = count(key, value)),
  'url-ttl': (f, key, value) => (f.urlTtlSeconds = seconds(key, value)),
  polls: (f, key, value) => (f.pollsToVerdict = count(key, value)),
};

/** Parses `reject=*.bad.csv,429-every=5,slow=200ms`; several lists (repeated flags) add up. */
export function parseFaults(lists: string[]): SandboxFaults {
  const f: SandboxFaults = { reject: [], partial: [], retryAfter: 1 };
  for (const list of lists) {
    for (const entry of list.split(',')) {
      if (entry.trim() === '') continue;
      const eq = entry.indexOf('=');
      const key = (eq < 0 ? entry : entry.slice(0, eq)).trim();
      const value = eq < 0 ? '' : entry.slice(eq + 1).trim();
      if (eq < 0 || value === '') throw new FaultSyntaxError(`--faults '${entry}': expected name=value (${FAULTS_SYNTAX})`);
      if (!Object.hasOwn(SETTERS, key)) throw new FaultSyntaxError(`--faults: unknown fault '${key}' (known: ${FAULTS_SYNTAX})`);
      SETTERS[key]!(f, key, value);
    }
  }
  return f;
}

/** `*.bad.csv` → a RegExp over the whole name (`*` any run, `?` one character, the rest literal). */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The verdict for a file name: REJECTED or PARTIALLY_REJECTED when a glob matches, else ACCEPTED. */
export function verdictFor(faults: SandboxFaults): (fileName: string) => 'ACCEPTED' | 'REJECTED' | 'PARTIALLY_REJECTED' {
  const reject = faults.reject.map(globToRegExp);
  const partial = faults.partial.map(globToRegExp);
  return (name) => (reject.some((r) => r.test(name)) ? 'REJECTED' : partial.some((r) => r.test(name)) ? 'PARTIALLY_REJECTED' : 'ACCEPTED');
}

/** Which fault, if any, the nth request (1-based) of an API gets; 429 before 503 before a cut. */
export function faultForRequest(faults: SandboxFaults, n: number): '429' | '5xx' | 'reset' | undefined {
  if (faults.every429 && n % faults.every429 === 0) return '429';
  if (faults.every5xx && n % faults.every5xx === 0) return '5xx';
  if (faults.resetEvery && n % faults.resetEvery === 0) return 'reset';
  return undefined;
}
