/**
 * RFC 3339 date-times, calendar-checked without `Date.parse` (which accepts 2024-02-30 and
 * dates without a time or an offset). The result is an instant as whole epoch seconds plus
 * a fraction, compared without building `Date` objects.
 */

export type DateCheck = { ok: true; seconds: number; fraction: number } | { ok: false; reason: string };

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

/** Checks an RFC 3339 date-time; on failure the reason says which part is wrong. */
export function checkDateTime(s: string): DateCheck {
  const m = RFC3339.exec(s);
  if (!m) return { ok: false, reason: explainShape(s) };
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = +m[6]!;
  if (month < 1 || month > 12) return { ok: false, reason: `month ${m[2]} is out of range (01-12)` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return {
      ok: false,
      reason:
        day < 1
          ? `day ${m[3]} is out of range`
          : `day ${m[3]} does not exist in ${MONTHS[month - 1]} ${m[1]} (it has ${daysInMonth(year, month)} days)`,
    };
  }
  if (hour > 23) return { ok: false, reason: `hour ${m[4]} is out of range (00-23; midnight is 00:00:00 of the next day)` };
  if (minute > 59) return { ok: false, reason: `minute ${m[5]} is out of range (00-59)` };
  if (second > 59) return { ok: false, reason: `second ${m[6]} is out of range (00-59)` };
  let offsetMinutes = 0;
  const off = m[8]!;
  if (off !== 'Z' && off !== 'z') {
    const oh = +off.slice(1, 3);
    const om = +off.slice(4, 6);
    if (oh > 23) return { ok: false, reason: `UTC offset hour ${off.slice(1, 3)} is out of range (00-23)` };
    if (om > 59) return { ok: false, reason: `UTC offset minute ${off.slice(4, 6)} is out of range (00-59)` };
    offsetMinutes = (oh * 60 + om) * (off[0] === '-' ? -1 : 1);
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  const fraction = m[7] ? Number(`0${m[7]}`) : 0;
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
