import { Buffer } from 'node:buffer';
import { analyseHeader, type CsvLayout } from '../core/csv-header.js';
import { CsvScanner } from './csv-scanner.js';
import type { GlobalDefaults } from '../core/defaults.js';
import type { DateFormat } from '../core/datetime.js';
import { clipValue, FILE_LEVEL_CODES, IssueCode, UNPARSEABLE_CODES, type ApiErrorCode, type FileFormat, type FileReport, type Issue } from '../core/issues.js';
import { RowChecker } from '../core/row-rules.js';
import type { JsonRow } from './json-rows.js';
import { FastJsonRowReader } from './json-fast.js';
import { decideFormat, type FormatDecision } from './sniff.js';
import { Utf8Decoder } from './utf8.js';
import type { RowResult } from './faces.js';

/** Options after defaults and checks (see `ValidateOptions` for the meaning of each). */
export interface EngineOptions {
  format: FileFormat | 'auto';
  fileName: string;
  maxBytes: number;
  maxErrors: number;
  strict: boolean;
  duplicateCheck: boolean;
  defaults: GlobalDefaults | undefined;
  maxRecordLength: number;
  /** Size of the input when known (files): lets the duplicate index size itself once. */
  sizeHint?: number;
  /** Date-times accepted by the row rules. */
  dateFormat: DateFormat;
  /** Off: every CSV row takes the split path (for differential tests of the in-place path). @default true */
  fastPath?: boolean;
}

/**
 * Told, instead of getting row results, about clean CSV rows whose lines are already their
 * canonical CSV encoding: header order consentId,fiDataRangeFrom,fiDataRangeTo,configId, no
 * quotes, no CR, no issue, no default to fill in. `text` is `rows` adjacent lines from data row
 * `row` on, each ending in one LF (a CRLF or missing terminator becomes LF; such a line comes alone).
 */
export type CleanLineSink = (text: string, row: number, rows: number) => void;

/** How many CSV rows took each path (differential tests and benchmarks look at it). */
export interface PathCounts {
  /** Checked in place on the chunk (`RowChecker.fastCheck`). */
  inPlace: number;
  /** Split into strings and checked by `RowChecker.check`. */
  split: number;
}

/** Rows after which the duplicate index is sized from the average row length so far. */
const RESERVE_AFTER_ROWS = 2000;
/** Widest header the in-place path handles (wider files take the split path). */
const MAX_FAST_WIDTH = 32;

/**
 * The one validation engine: bytes in (`write`, `end`), issues and rows out. It checks the
 * size cap, BOM and UTF-8 as bytes pass, picks the format, scans CSV or JSON, applies the
 * defaults and the row rules. Synchronous and push-based, so every face (promise, async
 * iterable, Transform, CLI) is a thin adapter over it.
 */
export class ValidationEngine {
  private bytes = 0;
  private sampleChars = 0;
  /** The first rows go through the split path so their length sizes the duplicate index. */
  private sampling: boolean;
  private readonly starts = new Int32Array(MAX_FAST_WIDTH + 1);
  private readonly ends = new Int32Array(MAX_FAST_WIDTH + 1);
  private rows = 0;
  private errorCount = 0;
  private warningCount = 0;
  /** Errors whose code makes the content unparseable (InvalidFileContent). */
  private unparseable = 0;
  private readonly counts: Partial<Record<IssueCode, number>> = {};
  private readonly listed: Issue[] = [];
  /** Listed issues that count against `maxErrors` (not file-level ones). */
  private listedRowIssues = 0;
  readonly paths: PathCounts = { inPlace: 0, split: 0 };
  private truncated = false;
  private overCap = false;
  private unsupported = false;
  private stopped = false;
  private format: FileFormat | null = null;
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private started = false;
  private decoder: Utf8Decoder | undefined;
  private csv: CsvScanner | undefined;
  private layout: CsvLayout | undefined;
  private json: FastJsonRowReader | undefined;
  private readonly checker: RowChecker;
  private readonly warning: 'warning' | 'error';
  /** Issues of the row being checked, when rows are wanted. */
  private rowIssues: Issue[] | undefined;
  private readonly sink = { issue: (i: Issue) => this.add(i) };
  /** Clean lines may be handed over as text (onCleanLine set, canonical header). */
  private copyLines = false;
  /** The run of adjacent clean LF lines not yet handed over: [runStart, runEnd) of runText (runStart -1: none). */
  private runText = '';
  private runStart = -1;
  private runEnd = 0;
  private runRow = 0;
  private runRows = 0;
  /** The first CR in `crText` at or after the last line looked at (-1: none left). */
  private crText = '';
  private crAt = -1;

  constructor(
    private readonly options: EngineOptions,
    private readonly onRow?: (row: RowResult) => void,
    /** Told once, as soon as the format is decided (before any row). */
    private readonly onFormat?: (decision: FormatDecision) => void,
    /** With `onRow`: clean canonical CSV lines come here as text instead (see CleanLineSink). */
    private readonly onCleanLine?: CleanLineSink,
  ) {
    this.warning = options.strict ? 'error' : 'warning';
    this.sampling = Boolean(options.sizeHint) && options.duplicateCheck;
    this.checker = new RowChecker({ defaults: options.defaults, duplicateCheck: options.duplicateCheck, strict: options.strict, dateFormat: options.dateFormat });
  }

  /** Feeds the next bytes of the file. */
  write(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.bytes += chunk.byteLength;
    if (!this.overCap && this.bytes > this.options.maxBytes) {
      this.overCap = true;
      this.add({
        severity: 'error',
        code: IssueCode.FileTooLarge,
        message: `the file is larger than ${this.options.maxBytes.toLocaleString('en-US')} bytes (the upload limit); split it with 'batchprep prepare --max-bytes'`,
        offset: this.options.maxBytes,
      });
    }
    if (this.stopped) return;
    if (!this.started) {
      this.head.push(chunk);
      this.headBytes += chunk.byteLength;
      const head = this.head.length === 1 ? chunk : Buffer.concat(this.head);
      if (!this.begin(head, false)) return;
      this.head = [];
      return;
    }
    this.decode(chunk);
  }

  /** Ends the input and returns the report. */
  end(): FileReport {
    if (!this.stopped && !this.started) {
      const head = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
      this.head = [];
      this.begin(head, true);
    }
    if (!this.stopped && this.decoder && !this.decoder.end()) this.encodingError(this.decoder.badOffset!);
    if (!this.stopped) {
      this.csv?.end();
      this.flushRun();
      this.json?.end();
    }
    if (this.json) this.rows = this.json.rows;
    const stoppedByError = this.stopped && this.errorCount > 0;
    if (this.rows === 0 && !stoppedByError && !this.unsupported) {
      this.add({
        severity: 'error',
        code: IssueCode.EmptyFile,
        message:
          this.bytes === 0
            ? 'the file is empty; it needs a header and at least one consent row'
            : this.format === 'json'
              ? 'the file has no consent rows; add at least one object like {"consentId": "..."}'
              : 'the file has no data rows; add at least one consent row under the header',
      });
    }
    return this.report();
  }

  /** Decides BOM and format once enough of the head is known; false while more is needed. */
  private begin(head: Uint8Array, final: boolean): boolean {
    const decision = decideFormat(head, this.options.format, this.options.fileName, final);
    if (decision === undefined) return false;
    this.started = true;
    this.format = decision.format;
    this.onFormat?.(decision);
    if (decision.utf16) {
      this.encodingError(0, 'the file starts with a UTF-16/UTF-32 byte order mark; save it as UTF-8 (without BOM)');
      return true;
    }
    const format = decision.format;
    if (format === null) {
      this.unsupported = true;
      this.stopped = true;
      this.add({
        severity: 'error',
        code: IssueCode.UnsupportedFileType,
        message: `${this.options.fileName === '-' ? 'the input' : this.options.fileName} is not a CSV or JSON file; only .csv and .json consent files are accepted`,
      });
      return true;
    }
    const bom = decision.bom;
    if (bom) {
      if (format === 'csv') {
        this.add({ severity: 'error', code: IssueCode.BomNotAllowed, message: 'the CSV file starts with a UTF-8 byte order mark (BOM), which the API rejects; save it as UTF-8 without BOM', offset: 0 });
      } else {
        this.add({ severity: this.warning, code: IssueCode.BomInJson, message: 'the JSON file starts with a UTF-8 byte order mark (BOM); the API accepts it, but removing it is safer', offset: 0 });
      }
    }
    this.decoder = new Utf8Decoder(bom);
    if (format === 'csv') {
      this.csv = new CsvScanner(
        {
          record: (fields, line) => this.csvRecord(fields, line),
          plainLine: (text, start, end, line) => this.csvPlainLine(text, start, end, line),
          tooLarge: (line) => this.csvTooLarge(line),
          malformed: (line, reason) => {
            this.stopped = true;
            this.add({ severity: 'error', code: IssueCode.MalformedCsv, message: `malformed CSV at line ${line}: ${reason}`, line });
          },
        },
        this.options.maxRecordLength,
      );
    } else {
      this.json = new FastJsonRowReader(
        {
          row: (row) => this.jsonRow(row),
          fileIssue: (issue) => {
            if (issue.code === IssueCode.MalformedJson) this.stopped = true;
            this.add(issue);
          },
          // Validate only (no rows wanted): clean rows are checked in place, as CSV lines are.
          plainRow: this.onRow || this.options.fastPath === false ? undefined : (s, a, b, c, d, e, f, g, h, row, line) => this.checker.fastCheck(s, a, b, c, d, e, f, g, h, row, line, this.sink),
        },
        this.options.maxRecordLength,
        this.warning,
      );
    }
    this.decode(bom ? head.subarray(bom) : head);
    return true;
  }

  private decode(chunk: Uint8Array): void {
    const text = this.decoder!.write(chunk);
    if (text === undefined) {
      this.encodingError(this.decoder!.badOffset!);
      return;
    }
    if (this.csv) {
      this.csv.push(text);
      this.flushRun();
    }
    else this.json!.push(text);
  }

  private encodingError(offset: number, message?: string): void {
    this.stopped = true;
    this.csv?.stop();
    this.add({
      severity: 'error',
      code: IssueCode.InvalidEncoding,
      message: message ?? `invalid UTF-8 at byte offset ${offset}; the file must be UTF-8 encoded (re-export it as UTF-8)`,
      offset,
    });
  }

  /**
   * Counts a sampled row's length; once RESERVE_AFTER_ROWS rows are seen (whatever path or
   * verdict the last one had), estimates the row count and sizes the duplicate index once.
   */
  private sample(chars: number): void {
    this.sampleChars += chars;
    if (this.rows >= RESERVE_AFTER_ROWS) {
      this.sampling = false;
      this.checker.reserveIds(Math.ceil(this.options.sizeHint! / (this.sampleChars / this.rows)));
    }
  }

  private csvTooLarge(line: number): void {
    if (!this.layout) {
      this.stopped = true;
      this.csv!.stop();
      this.add({ severity: 'error', code: IssueCode.MalformedCsv, message: `malformed CSV at line ${line}: the header line is longer than ${this.options.maxRecordLength} characters`, line });
      return;
    }
    const row = ++this.rows;
    if (this.sampling) this.sample(this.options.maxRecordLength);
    this.beginRow();
    this.add({
      severity: 'error',
      code: IssueCode.RecordTooLarge,
      message: `the record is longer than ${this.options.maxRecordLength.toLocaleString('en-US')} characters and was skipped; a consent row is normally under 200`,
      row,
      line,
    });
    this.endRow(row, line, {}, undefined, 1);
  }

  /**
   * The hot path: a record without quotes, checked in place. Only when the row has a
   * problem (or rows are wanted) is it split into strings and checked the slow way.
   */
  private csvPlainLine(s: string, start: number, end: number, line: number): void {
    const layout = this.layout;
    if (layout === undefined || this.sampling || layout.width > MAX_FAST_WIDTH || this.options.fastPath === false) {
      this.csvRecord(s.slice(start, end).split(','), line);
      return;
    }
    const starts = this.starts;
    const ends = this.ends;
    let n = 0;
    let p = start;
    for (;;) {
      const c = s.indexOf(',', p);
      starts[n] = p;
      if (c === -1 || c >= end) {
        ends[n++] = end;
        break;
      }
      ends[n++] = c;
      p = c + 1;
      if (n === layout.width) {
        n++; // one field too many: the slow path reports it
        break;
      }
    }
    if (n !== layout.width || layout.consentId < 0) {
      this.csvRecord(s.slice(start, end).split(','), line);
      return;
    }
    const f = layout.fiDataRangeFrom;
    const t = layout.fiDataRangeTo;
    const k = layout.configId;
    const id = layout.consentId;
    const row = this.rows + 1;
    this.beginRow();
    if (
      this.checker.fastCheck(
        s,
        starts[id]!,
        ends[id]!,
        f < 0 ? -1 : starts[f]!,
        f < 0 ? -1 : ends[f]!,
        t < 0 ? -1 : starts[t]!,
        t < 0 ? -1 : ends[t]!,
        k < 0 ? -1 : starts[k]!,
        k < 0 ? -1 : ends[k]!,
        row,
        line,
        this.sink,
      )
    ) {
      this.rows = row;
      this.paths.inPlace++;
      if (this.onRow) {
        if (this.copyLines && this.rowIssues!.length === 0 && this.copyable(s, start, end)) {
          this.rowIssues = undefined;
          if (s.charCodeAt(end) === 10) {
            // LF-terminated: joins the run when it follows the run's last line directly.
            if (this.runStart >= 0 && this.runEnd === start && this.runText === s) {
              this.runEnd = end + 1;
              this.runRows++;
            } else {
              this.flushRun();
              this.runText = s;
              this.runStart = start;
              this.runEnd = end + 1;
              this.runRow = row;
              this.runRows = 1;
            }
          } else {
            this.flushRun();
            this.onCleanLine!(`${s.slice(start, end)}\n`, row, 1);
          }
        } else this.plainRowResult(s, n, row, line);
      }
      return;
    }
    this.csvRecord(s.slice(start, end).split(','), line);
  }

  /** Hands over the pending run of clean lines (before any later row, and at each chunk's end). */
  private flushRun(): void {
    if (this.runStart < 0) return;
    this.onCleanLine!(this.runText.slice(this.runStart, this.runEnd), this.runRow, this.runRows);
    this.runStart = -1;
    this.runText = '';
  }

  /**
   * Whether a clean plain line (canonical layout) is its own canonical encoding: no CR in it
   * (the encoder would quote one) and no empty cell that a default fills. The CR search is
   * remembered per chunk, so a chunk is scanned once however many lines it has.
   */
  private copyable(s: string, start: number, end: number): boolean {
    if (this.crText !== s || (this.crAt !== -1 && this.crAt < start)) {
      this.crText = s;
      this.crAt = s.indexOf('\r', start);
    }
    if (this.crAt !== -1 && this.crAt < end) return false;
    const d = this.options.defaults;
    if (d === undefined) return true;
    // Cells are ranges [starts[i], ends[i]); empty when they meet.
    if (d.fiDataRangeFrom !== undefined && this.starts[1] === this.ends[1]) return false;
    if (d.fiDataRangeTo !== undefined && this.starts[2] === this.ends[2]) return false;
    if (d.configId !== undefined && this.starts[3] === this.ends[3]) return false;
    return true;
  }

  /** The row result of a clean plain line, from the field ranges `csvPlainLine` found. */
  private plainRowResult(s: string, n: number, row: number, line: number): void {
    const layout = this.layout!;
    const fields = new Array<string>(n);
    for (let i = 0; i < n; i++) fields[i] = s.slice(this.starts[i]!, this.ends[i]!);
    const at = (i: number) => (i < 0 ? undefined : fields[i]);
    const values = this.checker.effective(at(layout.consentId), at(layout.fiDataRangeFrom), at(layout.fiDataRangeTo), at(layout.configId));
    // A clean row can only carry a duplicate warning (an error under --strict).
    const errors = this.rowIssues!.length > 0 && this.rowIssues![0]!.severity === 'error' ? 1 : 0;
    this.endRow(row, line, values, fields, errors);
  }

  private csvRecord(fields: string[], line: number): void {
    const layout = this.layout;
    if (!layout) {
      const { layout: l, issues } = analyseHeader(fields, line, this.warning);
      this.layout = l;
      this.copyLines =
        this.onCleanLine !== undefined && l.width === 4 && l.consentId === 0 && l.fiDataRangeFrom === 1 && l.fiDataRangeTo === 2 && l.configId === 3 && this.options.fastPath !== false;
      for (const i of issues) this.add(i);
      return;
    }
    const row = ++this.rows;
    this.paths.split++;
    if (this.sampling) {
      let chars = 0;
      for (const f of fields) chars += f.length + 1;
      this.sample(chars);
    }
    this.beginRow();
    if (fields.length !== layout.width) {
      this.add({
        severity: 'error',
        code: IssueCode.FieldCountMismatch,
        message: `the row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${layout.width}; quote values that contain commas`,
        row,
        line,
      });
      this.endRow(row, line, {}, fields, 1);
      return;
    }
    const id = layout.consentId >= 0 ? fields[layout.consentId] : undefined;
    const from = layout.fiDataRangeFrom >= 0 ? fields[layout.fiDataRangeFrom] : undefined;
    const to = layout.fiDataRangeTo >= 0 ? fields[layout.fiDataRangeTo] : undefined;
    const cfg = layout.configId >= 0 ? fields[layout.configId] : undefined;
    const errors = this.checker.check(row, line, id, from, to, cfg, this.sink, layout.consentId >= 0);
    if (this.onRow) this.endRow(row, line, this.checker.effective(id, from, to, cfg), fields, errors);
  }

  private jsonRow(r: JsonRow): void {
    this.beginRow();
    for (const i of r.issues) this.add(i);
    let errors = r.errors;
    const camel = r.consentId;
    const snake = r.consent_id;
    if (camel && snake && camel !== snake) {
      this.add({
        severity: 'error',
        code: IssueCode.ConflictingFields,
        message: `consentId ${JSON.stringify(clipValue(camel))} and consent_id ${JSON.stringify(clipValue(snake))} differ; keep one of them`,
        row: r.row,
        line: r.line,
        field: 'consent_id',
        value: clipValue(snake),
      });
      errors++;
    }
    const notObject = r.issues.some((i) => i.code === IssueCode.InvalidFieldType && i.field === undefined);
    const id = camel || snake;
    if (!notObject) {
      const idTypeError = r.issues.some((i) => i.field === 'consentId' || i.field === 'consent_id');
      errors += this.checker.check(r.row, r.line, id, r.fiDataRangeFrom, r.fiDataRangeTo, r.configId, this.sink, !idTypeError);
    }
    if (this.onRow) this.endRow(r.row, r.line, this.checker.effective(id, r.fiDataRangeFrom, r.fiDataRangeTo, r.configId), undefined, errors);
  }

  /** Starts collecting the next row's issues, when rows are wanted. */
  private beginRow(): void {
    if (this.onRow) this.rowIssues = [];
  }

  private endRow(row: number, line: number | undefined, values: RowResult['values'], fields: string[] | undefined, errors: number): void {
    if (!this.onRow) return;
    this.flushRun();
    const issues = this.rowIssues ?? [];
    this.rowIssues = undefined;
    // Only the fields that have a value, in canonical order.
    const clean: RowResult['values'] = {};
    if (values.consentId !== undefined) clean.consentId = values.consentId;
    if (values.fiDataRangeFrom !== undefined) clean.fiDataRangeFrom = values.fiDataRangeFrom;
    if (values.fiDataRangeTo !== undefined) clean.fiDataRangeTo = values.fiDataRangeTo;
    if (values.configId !== undefined) clean.configId = values.configId;
    const result: RowResult = fields ? { row, line, values: clean, fields, issues, valid: errors === 0 } : { row, line, values: clean, issues, valid: errors === 0 };
    this.onRow(result);
  }

  /**
   * Counts an issue and lists it: file-level issues always, others up to `maxErrors`. A
   * listed issue keeps its own copy of its strings, since a value cut from a decoded chunk
   * would keep the whole chunk (256 KiB) alive as long as the report.
   */
  private add(issue: Issue): void {
    if (issue.severity === 'error') {
      this.errorCount++;
      if (UNPARSEABLE_CODES.has(issue.code)) this.unparseable++;
    } else this.warningCount++;
    this.counts[issue.code] = (this.counts[issue.code] ?? 0) + 1;
    if (FILE_LEVEL_CODES.has(issue.code)) this.listed.push(ownStrings(issue));
    else if (this.listedRowIssues < this.options.maxErrors) {
      this.listedRowIssues++;
      this.listed.push(ownStrings(issue));
    } else this.truncated = true;
    this.rowIssues?.push(issue);
  }

  private report(): FileReport {
    let apiErrorCode: ApiErrorCode | null = null;
    if (this.overCap) apiErrorCode = 'FileTooLarge';
    else if (this.unsupported) apiErrorCode = 'UnsupportedFileType';
    else if (this.unparseable > 0) apiErrorCode = 'InvalidFileContent';
    return {
      file: this.options.fileName,
      format: this.format,
      valid: this.errorCount === 0,
      bytes: this.bytes,
      rows: this.rows,
      errorCount: this.errorCount,
      warningCount: this.warningCount,
      apiErrorCode,
      truncated: this.truncated,
      issues: this.listed,
      counts: { ...this.counts },
    };
  }
}

/** Shortest string V8 may make as a slice that points into its parent (SlicedString::kMinLength). */
const MIN_SLICE = 13;

/** A copy of a string that shares no storage with a larger one (a lossless UTF-16 round trip). */
function ownString(s: string): string {
  return s.length < MIN_SLICE ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

/** The issue with copies of its strings, for keeping in a report. */
function ownStrings(issue: Issue): Issue {
  const copy: Issue = { ...issue, message: ownString(issue.message) };
  if (issue.value !== undefined) copy.value = ownString(issue.value);
  if (issue.field !== undefined) copy.field = ownString(issue.field);
  return copy;
}
