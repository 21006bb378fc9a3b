import { Buffer } from 'node:buffer';
import { analyseHeader, type CsvLayout } from '../core/csv-header.js';
import { CsvScanner } from './csv-scanner.js';
import type { GlobalDefaults } from '../core/defaults.js';
import { clipValue, IssueCode, type ApiErrorCode, type FileFormat, type FileReport, type Issue } from '../core/issues.js';
import { RowChecker } from '../core/row-rules.js';
import type { JsonRow } from './json-rows.js';
import { FastJsonRowReader } from './json-fast.js';
import { formatFromName, sniffFormat } from './sniff.js';
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
}

/** Rows after which the duplicate index is sized from the average row length so far. */
const RESERVE_AFTER_ROWS = 2000;
/** Widest header the in-place path handles (wider files take the split path). */
const MAX_FAST_WIDTH = 32;

/** Bytes looked at before deciding BOM and format: a fixed amount, so any chunking decides alike. */
const HEAD_BYTES = 4096;

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
  private readonly listed: Issue[] = [];
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

  constructor(
    private readonly options: EngineOptions,
    private readonly onRow?: (row: RowResult) => void,
  ) {
    this.warning = options.strict ? 'error' : 'warning';
    this.sampling = Boolean(options.sizeHint) && options.duplicateCheck;
    this.checker = new RowChecker({ defaults: options.defaults, duplicateCheck: options.duplicateCheck, strict: options.strict });
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
    if (!final && head.length < HEAD_BYTES) return false;
    // UTF-16/32 byte order marks: not UTF-8 at all.
    const b0 = head[0];
    const b1 = head[1];
    if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) || (b0 === 0 && b1 === 0 && head[2] === 0xfe && head[3] === 0xff)) {
      this.started = true;
      this.format = this.options.format === 'auto' ? formatFromName(this.options.fileName) === 'json' ? 'json' : 'csv' : this.options.format;
      this.encodingError(0, 'the file starts with a UTF-16/UTF-32 byte order mark; save it as UTF-8 (without BOM)');
      return true;
    }
    const bom = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    let format: FileFormat;
    if (this.options.format !== 'auto') format = this.options.format;
    else {
      const byName = formatFromName(this.options.fileName);
      if (byName === 'csv' || byName === 'json') format = byName;
      else {
        const sniffed = byName === 'unsupported' ? 'unsupported' : sniffFormat(head.subarray(bom, HEAD_BYTES), true);
        if (sniffed === 'unsupported' || sniffed === 'unknown') {
          this.started = true;
          this.unsupported = true;
          this.stopped = true;
          this.add({
            severity: 'error',
            code: IssueCode.UnsupportedFileType,
            message: `${this.options.fileName === '-' ? 'the input' : this.options.fileName} is not a CSV or JSON file; only .csv and .json consent files are accepted`,
          });
          return true;
        }
        format = sniffed ?? 'csv';
      }
    }
    this.started = true;
    this.format = format;
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
          plainRow: this.onRow ? undefined : (s, a, b, c, d, e, f, g, h, row, line) => this.checker.fastCheck(s, a, b, c, d, e, f, g, h, row, line, this.sink),
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
    if (this.csv) this.csv.push(text);
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

  /** Estimates the row count from the first rows' length and sizes the duplicate index once. */
  private sizeRows(fields: string[], row: number): void {
    for (const f of fields) this.sampleChars += f.length + 1;
    if (row === RESERVE_AFTER_ROWS) {
      this.sampling = false;
      this.checker.reserveIds(Math.ceil(this.options.sizeHint! / (this.sampleChars / row)));
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
    if (layout === undefined || this.sampling || layout.width > MAX_FAST_WIDTH) {
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
      if (this.onRow) this.plainRowResult(s, n, row, line);
      return;
    }
    this.csvRecord(s.slice(start, end).split(','), line);
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
      for (const i of issues) this.add(i);
      return;
    }
    const row = ++this.rows;
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
    if (this.sampling) this.sizeRows(fields, row);
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

  private add(issue: Issue): void {
    if (issue.severity === 'error') this.errorCount++;
    else this.warningCount++;
    if (this.listed.length < this.options.maxErrors) this.listed.push(issue);
    else this.truncated = true;
    this.rowIssues?.push(issue);
  }

  private report(): FileReport {
    let apiErrorCode: ApiErrorCode | null = null;
    if (this.overCap) apiErrorCode = 'FileTooLarge';
    else if (this.unsupported) apiErrorCode = 'UnsupportedFileType';
    else if (this.errorCount > 0) apiErrorCode = 'InvalidFileContent';
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
    };
  }
}
