import { BatchprepError, ErrorCode } from '../errors.js';

// GNU coreutils' convention (dd, du, sort -S): KB/MB/GB are powers of 1000, KiB/MiB/GiB and the
// bare K/M/G powers of 1024. So `10MB` is 10,000,000 bytes and `10MiB` (or `10M`) 10,485,760.
const UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
};

/**
 * The one size parser of the CLI (`--max-bytes`, `--part-size`): plain bytes (`5242880`,
 * `5_242_880` or `5,242,880`), or a number with a unit (`10MiB`, `10MB` = 10,000,000, `1.5G`).
 * Anything else, zero, or a size that is not a whole number of bytes is a `UsageError`.
 */
export function parseSize(raw: string | number, flag: string): number {
  const text = String(raw).trim();
  const m = /^(\d+(?:[_,]\d{3})*(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text);
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase() || 'b'] : undefined;
  if (!m || unit === undefined) {
    throw new BatchprepError(ErrorCode.UsageError, `${flag} ${JSON.stringify(text)}: expected a size in bytes (10485760) or with a unit (10MiB, 10MB = 10,000,000, 512KiB). See --help.`);
  }
  const bytes = Number(m[1]!.replace(/[_,]/g, '')) * unit;
  if (!Number.isSafeInteger(Math.round(bytes)) || Math.round(bytes) < 1) {
    throw new BatchprepError(ErrorCode.UsageError, `${flag} ${JSON.stringify(text)}: must be at least 1 byte. See --help.`);
  }
  return Math.round(bytes);
}

/** `--max-bytes`-style yargs option: a string parsed by {@link parseSize} before any handler runs. */
export function sizeOption(flag: string, describe: string, defaultBytes: number) {
  return { type: 'string' as const, default: defaultBytes as unknown as string, describe, coerce: (v: string | number) => parseSize(v, flag) };
}

/**
 * A whole-number flag checked while parsing (yargs' `type: 'number'` turns `abc` into NaN):
 * `min` is the smallest allowed value.
 */
export function parseWhole(raw: string | number, flag: string, min: number): number {
  const text = String(raw).trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new BatchprepError(ErrorCode.UsageError, `${flag} ${JSON.stringify(text)}: expected a whole number of ${min} or more. See --help.`);
  }
  return n;
}

/** A positive number of seconds (fractions allowed), checked while parsing. */
export function parseSeconds(raw: string | number, flag: string): number {
  const text = String(raw).trim();
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new BatchprepError(ErrorCode.UsageError, `${flag} ${JSON.stringify(text)}: expected a positive number of seconds. See --help.`);
  }
  return n;
}
