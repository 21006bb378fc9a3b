import { BatchprepError, ErrorCode, throwIfAborted } from '../errors.js';

export interface CsvRecordSplitterOptions {
  /** Largest record in bytes; a longer one (e.g. an unclosed quote) is an error, not unbounded memory. @default 67108864 */
  maxRecordBytes?: number;
  /** Name used in error messages. @default '-' */
  fileName?: string;
  /** Stops the work with code `Aborted`. */
  signal?: AbortSignal;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Cuts a CSV byte stream into whole records, quote-aware (RFC 4180: a newline inside quotes
 * does not end a record), keeping the exact bytes, line ends included. Works on bytes: `"`
 * and LF never occur inside a multi-byte UTF-8 sequence. Yields batches of records so that
 * a billion-row file does not cost a billion generator steps.
 */
export async function* splitCsvRecords(
  source: AsyncIterable<Uint8Array>,
  options: CsvRecordSplitterOptions = {},
): AsyncGenerator<Buffer[], void, void> {
  const maxRecord = options.maxRecordBytes ?? 64 * 1024 * 1024;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let inQuotes = false;
  let line = 1;
  for await (const raw of source) {
    throwIfAborted(options.signal);
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: Buffer[] = [];
    let pos = 0;
    let recStart = 0;
    let nextQuote = chunk.indexOf(QUOTE, 0);
    const n = chunk.length;
    while (pos < n) {
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = chunk.indexOf(QUOTE, pos);
      if (inQuotes) {
        if (nextQuote === -1) break;
        inQuotes = false;
        pos = nextQuote + 1;
        continue;
      }
      const nl = chunk.indexOf(LF, pos);
      if (nextQuote !== -1 && (nl === -1 || nextQuote < nl)) {
        inQuotes = true;
        pos = nextQuote + 1;
        continue;
      }
      if (nl === -1) break;
      const piece = chunk.subarray(recStart, nl + 1);
      if (carry.length > 0) {
        carry.push(piece);
        out.push(Buffer.concat(carry, carryBytes + piece.length));
        carry = [];
        carryBytes = 0;
      } else {
        out.push(piece);
      }
      line += 1;
      recStart = nl + 1;
      pos = recStart;
    }
    if (recStart < n) {
      const rest = chunk.subarray(recStart);
      carry.push(rest);
      carryBytes += rest.length;
      if (carryBytes > maxRecord) {
        throw new BatchprepError(
          ErrorCode.InputTooLarge,
          `${options.fileName ?? '-'}: the CSV record starting near line ${line} is longer than ${maxRecord} bytes${inQuotes ? ' (an unclosed quote?)' : ''}; fix the file`,
          { file: options.fileName },
        );
      }
    }
    if (out.length > 0) yield out;
  }
  if (carryBytes > 0) yield [Buffer.concat(carry, carryBytes)];
}

/** True for a record that is only a line end (a blank line, not a data row). */
export function isBlankRecord(record: Buffer): boolean {
  return record.length === 0 || (record.length === 1 && record[0] === LF) || (record.length === 2 && record[0] === CR && record[1] === LF);
}

/** The record with a line end: a last record without one gets the LF it needs before more rows follow. */
export function withLineEnd(record: Buffer): Buffer {
  return record.length > 0 && record[record.length - 1] === LF ? record : Buffer.concat([record, Buffer.from([LF])]);
}
