import { checkDateTime, compareInstants, type DateCheck, type DateFormat } from './datetime.js';
import type { GlobalDefaults } from './defaults.js';
import { DuplicateIndex } from './dup-index.js';
import { clipValue, IssueCode, type Issue } from './issues.js';
import { describeBadUuid, parseUuid, parseUuidAt } from './uuid.js';

/**
 * The row rules of SPEC section 2, precompiled for the hot path: no allocation for a good
 * row, no `Date` objects, repeated date strings checked once (files repeat a handful of
 * ranges over millions of rows). Agreement with the zod schemas is a property test.
 */

export interface RowIssueSink {
  issue(issue: Issue): void;
}

export interface RowRuleOptions {
  /** Checked global defaults. */
  defaults?: GlobalDefaults;
  /** Keep the duplicate index. @default true */
  duplicateCheck?: boolean;
  /** Warnings become errors. @default false */
  strict?: boolean;
  /** Date-times accepted (see DateFormat). @default 'rfc3339' */
  dateFormat?: DateFormat;
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const DATE_CACHE_LIMIT = 4096;
/** Dates remembered per field for in-place matching (real batches use a handful of ranges). */
const RECENT_DATES = 6;

function describeControl(s: string): string {
  const m = CONTROL.exec(s)!;
  const code = m[0].charCodeAt(0);
  const name = code === 9 ? 'tab' : code === 10 ? 'line feed' : code === 13 ? 'carriage return' : code === 0 ? 'NUL' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `contains a control character (${name}) at position ${m.index + 1}; remove it`;
}

export class RowChecker {
  private readonly id = new Uint32Array(4);
  private readonly dates = new Map<string, DateCheck>();
  private readonly index: DuplicateIndex | undefined;
  private readonly defaultFrom: string | undefined;
  private readonly defaultTo: string | undefined;
  private readonly defaultConfig: string | undefined;
  private readonly warning: 'warning' | 'error';
  private readonly dateFormat: DateFormat;

  constructor(options: RowRuleOptions = {}) {
    this.dateFormat = options.dateFormat ?? 'rfc3339';
    this.index = options.duplicateCheck === false ? undefined : new DuplicateIndex();
    this.defaultFrom = options.defaults?.fiDataRangeFrom;
    this.defaultTo = options.defaults?.fiDataRangeTo;
    this.defaultConfig = options.defaults?.configId;
    this.warning = options.strict ? 'error' : 'warning';
  }

  /** Distinct IDs held by the duplicate index. */
  get distinctIds(): number {
    return this.index?.size ?? 0;
  }

  /** Fills absent or empty values from the defaults. */
  effective(consentId: string | undefined, from: string | undefined, to: string | undefined, configId: string | undefined) {
    return {
      consentId: consentId || undefined,
      fiDataRangeFrom: from || this.defaultFrom,
      fiDataRangeTo: to || this.defaultTo,
      configId: configId || this.defaultConfig,
    };
  }

  /**
   * Checks one row's own values (empty string or undefined = absent; defaults are applied
   * here). `checkId` is false when the file has no consentId column (reported once, not per
   * row). Returns the number of error-severity issues.
   */
  check(
    row: number,
    line: number | undefined,
    consentId: string | undefined,
    from: string | undefined,
    to: string | undefined,
    configId: string | undefined,
    sink: RowIssueSink,
    checkId = true,
  ): number {
    let errors = 0;
    if (checkId) {
      if (!consentId) {
        sink.issue({ severity: 'error', code: IssueCode.MissingConsentId, message: 'consentId is missing; every row needs a consent ID (a UUID)', row, line, field: 'consentId' });
        errors++;
      } else if (!parseUuid(consentId, this.id)) {
        sink.issue({
          severity: 'error',
          code: IssueCode.InvalidConsentId,
          message: `consentId ${JSON.stringify(clipValue(consentId))} is not a valid consent ID: it ${describeBadUuid(consentId)}`,
          row,
          line,
          field: 'consentId',
          value: clipValue(consentId),
        });
        errors++;
      } else if (this.index) {
        const first = this.index.addOrGet(this.id, row);
        if (first !== 0) {
          this.duplicate(consentId, first, row, line, sink);
          if (this.warning === 'error') errors++;
        }
      }
    }
    const f = from || this.defaultFrom;
    const t = to || this.defaultTo;
    const fc = f === undefined ? undefined : this.date(f);
    const tc = t === undefined ? undefined : this.date(t);
    if (fc && !fc.ok) {
      sink.issue(this.dateIssue('fiDataRangeFrom', f!, fc.reason, row, line, !from));
      errors++;
    }
    if (tc && !tc.ok) {
      sink.issue(this.dateIssue('fiDataRangeTo', t!, tc.reason, row, line, !to));
      errors++;
    }
    if (fc?.ok && tc?.ok && compareInstants(fc, tc) > 0) {
      sink.issue({
        severity: 'error',
        code: IssueCode.InvalidDateRange,
        message: `fiDataRangeFrom ${f} is later than fiDataRangeTo ${t}${!from || !to ? ' (one of them comes from the global defaults)' : ''}; swap them or fix the range`,
        row,
        line,
        field: 'fiDataRangeFrom',
        value: clipValue(f!),
      });
      errors++;
    }
    const c = configId || this.defaultConfig;
    if (c && CONTROL.test(c)) {
      sink.issue({
        severity: 'error',
        code: IssueCode.InvalidConfigId,
        message: `configId ${describeControl(c)}`,
        row,
        line,
        field: 'configId',
        value: clipValue(c),
      });
      errors++;
    }
    return errors;
  }

  /**
   * The clean-row fast path over ranges of a CSV line (`start === end` = empty cell, -1 =
   * no column): no substrings, dates matched against the last ones seen. Returns false as
   * soon as anything looks wrong, before touching the duplicate index, so the caller can
   * run `check` on real strings for the messages; returns true when the row is fully
   * checked (a duplicate warning included).
   */
  fastCheck(
    s: string,
    idStart: number,
    idEnd: number,
    fromStart: number,
    fromEnd: number,
    toStart: number,
    toEnd: number,
    cfgStart: number,
    cfgEnd: number,
    row: number,
    line: number,
    sink: RowIssueSink,
  ): boolean {
    if (idEnd - idStart !== 36 || !parseUuidAt(s, idStart, this.id)) return false;
    const fc = fromEnd > fromStart ? this.dateAt(s, fromStart, fromEnd, 0) : this.defaultFrom === undefined ? undefined : this.date(this.defaultFrom);
    if (fc !== undefined && !fc.ok) return false;
    const tc = toEnd > toStart ? this.dateAt(s, toStart, toEnd, 1) : this.defaultTo === undefined ? undefined : this.date(this.defaultTo);
    if (tc !== undefined && !tc.ok) return false;
    if (fc?.ok && tc?.ok && compareInstants(fc, tc) > 0) return false;
    for (let i = cfgStart; i < cfgEnd; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c === 127) return false;
    }
    if (this.index) {
      const first = this.index.addOrGet(this.id, row);
      if (first !== 0) this.duplicate(s.slice(idStart, idEnd), first, row, line, sink);
    }
    return true;
  }

  /**
   * Per-field memory of recent dates (index 0: from, 1: to), matched in place with
   * `startsWith`; a hit moves one place forward, so the common ranges are compared first.
   */
  private readonly recentKeys: string[][] = [new Array<string>(RECENT_DATES).fill(''), new Array<string>(RECENT_DATES).fill('')];
  private readonly recentChecks: DateCheck[][] = [new Array<DateCheck>(RECENT_DATES), new Array<DateCheck>(RECENT_DATES)];

  private dateAt(s: string, start: number, end: number, field: 0 | 1): DateCheck {
    const keys = this.recentKeys[field]!;
    const checks = this.recentChecks[field]!;
    const len = end - start;
    for (let i = 0; i < RECENT_DATES; i++) {
      const k = keys[i]!;
      if (k.length === len && s.startsWith(k, start)) {
        const c = checks[i]!;
        if (i > 0) {
          keys[i] = keys[i - 1]!;
          checks[i] = checks[i - 1]!;
          keys[i - 1] = k;
          checks[i - 1] = c;
        }
        return c;
      }
    }
    const str = s.slice(start, end);
    const r = this.date(str);
    keys[RECENT_DATES - 1] = str;
    checks[RECENT_DATES - 1] = r;
    return r;
  }

  private duplicate(consentId: string, first: number, row: number, line: number | undefined, sink: RowIssueSink): void {
    sink.issue({
      severity: this.warning,
      code: IssueCode.DuplicateConsentId,
      message: `consentId ${consentId} repeats the one first seen in row ${first}; remove the repeat (or use prepare --dedupe)`,
      row,
      line,
      field: 'consentId',
      value: consentId,
    });
  }

  /** Sizes the duplicate index for about `expected` IDs (see DuplicateIndex.reserve). */
  reserveIds(expected: number): void {
    this.index?.reserve(expected);
  }

  private date(s: string): DateCheck {
    let r = this.dates.get(s);
    if (r === undefined) {
      if (this.dates.size >= DATE_CACHE_LIMIT) this.dates.clear();
      r = checkDateTime(s, this.dateFormat);
      this.dates.set(s, r);
    }
    return r;
  }

  private dateIssue(field: string, value: string, reason: string, row: number, line: number | undefined, fromDefault: boolean): Issue {
    return {
      severity: 'error',
      code: IssueCode.InvalidDate,
      message: `${field} ${JSON.stringify(clipValue(value))} ${reason}${fromDefault ? ' (from the global defaults)' : ''}`,
      row,
      line,
      field,
      value: clipValue(value),
    };
  }
}
