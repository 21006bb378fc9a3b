/**
 * The CSV record scanner: RFC 4180 (comma, quoted fields with doubled quotes and embedded
 * newlines, LF or CRLF, blank lines skipped), fed decoded text in chunks of any size, with the
 * exact physical line where each record starts. Pure: it knows nothing of streams or bytes.
 *
 * Why not csv-parse on the hot path: see ARCHITECTURE.md ("CSV parser"). csv-parse stays the
 * reference: a property test checks that both give the same records for any input.
 */

export interface CsvScanSink {
  /** A complete record; `line` is the 1-based physical line where it starts. */
  record(fields: string[], line: number): void;
  /**
   * A record without quotes, as the range [start, end) of `text` (no line terminator), so
   * that the caller can check it without splitting. When absent, `record` gets it split.
   */
  plainLine?(text: string, start: number, end: number, line: number): void;
  /** A record longer than the cap was skipped (its content is not kept). */
  tooLarge(line: number): void;
  /** An unrecoverable syntax error; the scanner stops. */
  malformed(line: number, reason: string): void;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

type QuotedResult = { fields: string[]; next: number } | 'incomplete' | { error: string };

export class CsvScanner {
  private carry = '';
  private line = 1;
  private skipping = false;
  private skipInQuote = false;
  /** Line where the record being skipped starts (an unclosed quote in it is reported there). */
  private skipLine = 0;
  stopped = false;

  constructor(
    private readonly sink: CsvScanSink,
    private readonly maxRecordLength = 1_048_576,
  ) {}

  /** Scans as many complete records as `text` (after what was carried over) holds. */
  push(text: string): void {
    if (this.stopped) return;
    const s = this.carry.length > 0 ? this.carry + text : text;
    this.carry = '';
    const n = s.length;
    let pos = 0;
    if (this.skipping) {
      pos = this.skip(s, 0);
      if (this.skipping) return;
    }
    let nextQuote = -2;
    while (pos < n) {
      const nl = s.indexOf('\n', pos);
      if (nextQuote < pos && nextQuote !== -1) nextQuote = s.indexOf('"', pos);
      if (nl === -1) {
        // The last, incomplete line: keep it unless it is already too long.
        if (n - pos > this.maxRecordLength) this.startSkip(s, pos);
        else this.carry = s.slice(pos);
        return;
      }
      if (nextQuote === -1 || nextQuote > nl) {
        let end = nl;
        if (end > pos && s.charCodeAt(end - 1) === CR) end--;
        if (end > pos && !isBlank(s, pos, end)) {
          if (end - pos > this.maxRecordLength) this.sink.tooLarge(this.line);
          else if (this.sink.plainLine) this.sink.plainLine(s, pos, end, this.line);
          else this.sink.record(s.slice(pos, end).split(','), this.line);
          if (this.stopped) return;
        }
        this.line++;
        pos = nl + 1;
        continue;
      }
      const r = parseQuotedRecord(s, pos);
      if (r === 'incomplete') {
        if (n - pos > this.maxRecordLength) this.startSkip(s, pos);
        else this.carry = s.slice(pos);
        return;
      }
      if ('error' in r) {
        this.stopped = true;
        this.sink.malformed(this.line, r.error);
        return;
      }
      const startLine = this.line;
      this.line += countNewlines(s, pos, r.next);
      if (r.next - pos > this.maxRecordLength) this.sink.tooLarge(startLine);
      else this.sink.record(r.fields, startLine);
      if (this.stopped) return;
      pos = r.next;
      nextQuote = -2;
    }
  }

  /** Flushes the last record (a file need not end with a newline); an open quote is malformed. */
  end(): void {
    if (this.stopped) return;
    if (this.skipping) {
      if (this.skipInQuote) {
        this.stopped = true;
        this.sink.malformed(this.skipLine, 'a quoted field is never closed (add the closing ")');
      }
      return;
    }
    if (this.carry.length === 0) return;
    const last = this.carry;
    this.carry = '';
    this.push(`${last}\n`);
    if (this.carry.length > 0 && !this.stopped) {
      this.stopped = true;
      this.sink.malformed(this.line, 'a quoted field is never closed (add the closing ")');
    }
  }

  /** Stops the scanner (the caller hit an error it treats as final). */
  stop(): void {
    this.stopped = true;
  }

  private startSkip(s: string, pos: number): void {
    this.skipLine = this.line;
    this.sink.tooLarge(this.line);
    this.skipping = true;
    this.skipInQuote = false;
    this.skip(s, pos);
  }

  /** Discards text up to the end of the oversized record, keeping quote parity and line count. */
  private skip(s: string, from: number): number {
    const n = s.length;
    for (let i = from; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === QUOTE) this.skipInQuote = !this.skipInQuote;
      else if (c === LF) {
        this.line++;
        if (!this.skipInQuote) {
          this.skipping = false;
          return i + 1;
        }
      }
    }
    return n;
  }
}

/** A line of only spaces and tabs counts as blank (checked only when it starts with one). */
function isBlank(s: string, start: number, end: number): boolean {
  const c = s.charCodeAt(start);
  if (c !== 32 && c !== 9) return false;
  for (let i = start + 1; i < end; i++) {
    const d = s.charCodeAt(i);
    if (d !== 32 && d !== 9) return false;
  }
  return true;
}

/** Line ends in `s[from, to)`. */
export function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  let i = s.indexOf('\n', from);
  while (i !== -1 && i < to) {
    count++;
    i = s.indexOf('\n', i + 1);
  }
  return count;
}

/** Parses one record that contains a quote, from `pos` to its terminating newline (exclusive of what follows). */
function parseQuotedRecord(s: string, pos: number): QuotedResult {
  const n = s.length;
  const fields: string[] = [];
  let i = pos;
  for (;;) {
    if (i < n && s.charCodeAt(i) === QUOTE) {
      let value = '';
      let start = i + 1;
      let j = start;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q === -1 || q + 1 >= n) return 'incomplete';
        if (s.charCodeAt(q + 1) === QUOTE) {
          value += s.slice(start, q + 1);
          j = q + 2;
          start = j;
          continue;
        }
        value += s.slice(start, q);
        i = q + 1;
        break;
      }
      fields.push(value);
      const c = s.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === LF) return { fields, next: i + 1 };
      if (c === CR) {
        if (i + 1 >= n) return 'incomplete';
        if (s.charCodeAt(i + 1) === LF) return { fields, next: i + 2 };
      }
      return { error: `unexpected character ${JSON.stringify(s[i])} after a closing quote (a quoted field must end at a comma or the end of the line; double a quote inside quotes as "")` };
    }
    // An unquoted field: up to the next comma or line end; a quote inside it is an error.
    let j = i;
    for (; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c === COMMA || c === LF) break;
      if (c === QUOTE) {
        return { error: 'a quote inside an unquoted field (quote the whole field and double the inner quote: "a""b")' };
      }
    }
    if (j >= n) return 'incomplete';
    const c = s.charCodeAt(j);
    let end = j;
    if (c === LF && end > i && s.charCodeAt(end - 1) === CR) end--;
    fields.push(s.slice(i, end));
    if (c === COMMA) {
      i = j + 1;
      continue;
    }
    return { fields, next: j + 1 };
  }
}
