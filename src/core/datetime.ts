/**
 * RFC 3339 date-times, calendar-checked without `Date.parse` (which accepts 2024-02-30 and
 * dates without a time or an offset). The result is an instant as whole epoch seconds plus
 * a fraction, compared without building `Date` objects.
 */

export type DateCheck = { ok: true; seconds: number; fraction: number } | { ok: false; reason: string };

/**
 * Which date-times are accepted. `rfc3339` (the default profile: every example in the FinPro
 * document is one) or `iso8601`, which the document's wording ("ISO 8601 format") also allows:
 * in addition a date alone, a date-time without offset, reduced precision (hh:mm, hh) and the
 * basic format (20240101T000000Z), all calendar-checked. Values without an offset are compared
 * (InvalidDateRange) as if in UTC, since the service's time zone for them is not documented.
 */
export type DateFormat = 'rfc3339' | 'iso8601';
export const DATE_FORMATS: readonly DateFormat[] = ['rfc3339', 'iso8601'];

// ISO 8601 calendar date-times, extended and basic; the two are not mixed in one value.
const ISO_EXTENDED = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2})(?::(\d{2})(?::(\d{2})([.,]\d+)?)?)?([Zz]|[+-]\d{2}(?::\d{2})?)?)?$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})(?:[Tt](\d{2})(?:(\d{2})(?:(\d{2})([.,]\d+)?)?)?([Zz]|[+-]\d{2}(?:\d{2})?)?)?$/;

// YYYY-MM-DD T hh:mm:ss(.frac)? (Z|±hh:mm)
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const SPACE_SEP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/;
const NO_SECONDS = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}([Zz]|[+-]\d{2}:?\d{2})$/;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const EXAMPLE = 'use the form 2024-01-01T00:00:00Z or 2024-01-01T05:30:00+05:30';

/**
 * Checks a date-time in the given profile; on failure the reason says which part is wrong,
 * and (RFC 3339 profile) names `--date-format iso8601` when the value is valid ISO 8601.
 */
export function checkDateTime(s: string, format: DateFormat = 'rfc3339'): DateCheck {
  // Every RFC 3339 date-time matches ISO_EXTENDED with the same parts, so checkIso8601 gives it
  // the same result: the ISO profile needs no RFC 3339 check first.
  if (format !== 'rfc3339') return checkIso8601(s);
  const strict = checkRfc3339(s);
  if (!strict.ok && checkIso8601(s).ok) {
    return { ok: false, reason: `${strict.reason}; it is valid ISO 8601, so if the service accepts that form pass --date-format iso8601 (library option dateFormat: 'iso8601')` };
  }
  return strict;
}

/** RFC 3339 date-time: date, 'T', time with seconds, offset. */
function checkRfc3339(s: string): DateCheck {
  const m = RFC3339.exec(s);
  if (!m) return { ok: false, reason: explainShape(s) };
  return instant(m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7], m[8]!);
}

/** ISO 8601 calendar date, optionally with a time (reduced precision allowed) and an offset. */
function checkIso8601(s: string): DateCheck {
  const m = ISO_EXTENDED.exec(s) ?? ISO_BASIC.exec(s);
  if (!m) {
    return { ok: false, reason: `is not an ISO 8601 date or date-time (use the form 2024-01-01, 2024-01-01T00:00:00, 2024-01-01T00:00:00Z or 20240101T000000Z)` };
  }
  // Basic-format offsets (+0530) get the extended colon for the shared check.
  let off = m[8];
  if (off !== undefined && off.length === 3) off = `${off}:00`;
  else if (off !== undefined && off.length === 5) off = `${off.slice(0, 3)}:${off.slice(3)}`;
  return instant(m[1]!, m[2]!, m[3]!, m[4] ?? '00', m[5] ?? '00', m[6] ?? '00', m[7]?.replace(',', '.'), off ?? 'Z');
}

/** Calendar-checks the parts of a date-time and turns them into an instant. */
function instant(ys: string, mos: string, ds: string, hs: string, mis: string, ss: string, frac: string | undefined, off: string): DateCheck {
  const year = +ys;
  const month = +mos;
  const day = +ds;
  const hour = +hs;
  const minute = +mis;
  const second = +ss;
  if (month < 1 || month > 12) return { ok: false, reason: `month ${mos} is out of range (01-12)` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return {
      ok: false,
      reason:
        day < 1
          ? `day ${ds} is out of range`
          : `day ${ds} does not exist in ${MONTHS[month - 1]} ${ys} (it has ${daysInMonth(year, month)} days)`,
    };
  }
  if (hour > 23) return { ok: false, reason: `hour ${hs} is out of range (00-23; midnight is 00:00:00 of the next day)` };
  if (minute > 59) return { ok: false, reason: `minute ${mis} is out of range (00-59)` };
  if (second > 59) return { ok: false, reason: `second ${ss} is out of range (00-59)` };
  let offsetMinutes = 0;
  if (off !== 'Z' && off !== 'z') {
    const oh = +off.slice(1, 3);
    const om = +off.slice(4, 6);
    if (oh > 23) return { ok: false, reason: `UTC offset hour ${off.slice(1, 3)} is out of range (00-23)` };
    if (om > 59) return { ok: false, reason: `UTC offset minute ${off.slice(4, 6)} is out of range (00-59)` };
    offsetMinutes = (oh * 60 + om) * (off[0] === '-' ? -1 : 1);
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  const fraction = frac ? Number(`0${frac}`) : 0;
  return { ok: true, seconds, fraction };
}

function explainShape(s: string): string {
  const t = s.trim();
  if (t !== s) return `has surrounding spaces; remove them (${EXAMPLE})`;
  if (DATE_ONLY.test(s)) return `is a date without a time; add the time and UTC offset, e.g. ${s}T00:00:00Z`;
  if (SPACE_SEP.test(s)) return `separates date and time with a space; use 'T' (${EXAMPLE})`;
  if (NO_OFFSET.test(s)) return `has no UTC offset; add 'Z' or a numeric offset like +05:30 (${EXAMPLE})`;
  if (NO_SECONDS.test(s)) return `has no seconds; write hh:mm:ss (${EXAMPLE})`;
  if (/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{4}$/.test(s)) return `has an offset without a colon; write ±hh:mm (${EXAMPLE})`;
  if (/^\d{4}-\d{1,2}-\d{1,2}/.test(s) && !/^\d{4}-\d{2}-\d{2}/.test(s)) return `needs two-digit month and day (${EXAMPLE})`;
  return `is not an RFC 3339 date-time (${EXAMPLE})`;
}

/** Orders two checked instants: negative when a is earlier. */
export function compareInstants(a: { seconds: number; fraction: number }, b: { seconds: number; fraction: number }): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.fraction - b.fraction;
}
