import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { BatchprepError, ErrorCode, fromFsError, throwIfAborted } from '../errors.js';
import { ROW_FIELDS, type ConsentRow, type FileFormat } from '../core/issues.js';
import type { AtomicOutput } from '../fs/atomic-output.js';

/** One finished part, as `manifest.json` lists it. */
export interface PartInfo {
  /** File name relative to the out dir. */
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  referenceId: string;
  /** The input's 1-based data row of the first and last row in this part. */
  firstRow: number;
  lastRow: number;
}

export interface PartWriterOptions {
  format: FileFormat;
  /** Part names are `<baseName>-0001.<ext>`. */
  baseName: string;
  /** Reference IDs are `<referenceBase>-0001`. */
  referenceBase: string;
  maxBytes: number;
  maxRows: number;
  signal?: AbortSignal;
}

const CSV_HEADER = `${ROW_FIELDS.join(',')}\n`;
const JSON_OPEN = '[\n';
const JSON_SEP = ',\n';
const JSON_CLOSE = '\n]\n';
const FLUSH_AT = 256 * 1024;

/** Characters that make csv-stringify quote a field. */
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell: quoted, with quotes doubled, only when it holds a quote, comma or line break. */
function csvCell(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Encodes one row as its CSV line, LF-terminated, quoting as csv-stringify does with its
 * defaults (a property test holds the two equal); written by hand because csv-stringify
 * checks its options on every call, which was a tenth of prepare's time on quoted rows.
 */
export function encodeCsvRow(row: Partial<ConsentRow>): string {
  const a = row.consentId ?? '';
  const b = row.fiDataRangeFrom ?? '';
  const c = row.fiDataRangeTo ?? '';
  const d = row.configId ?? '';
  if (NEEDS_QUOTES.test(a) || NEEDS_QUOTES.test(b) || NEEDS_QUOTES.test(c) || NEEDS_QUOTES.test(d)) {
    return `${csvCell(a)},${csvCell(b)},${csvCell(c)},${csvCell(d)}\n`;
  }
  return `${a},${b},${c},${d}\n`;
}

/** Encodes one row as a JSON object with canonical key order; absent fields are left out. */
export function encodeJsonRow(row: Partial<ConsentRow>): string {
  const o: Record<string, string> = {};
  for (const k of ROW_FIELDS) {
    const v = row[k];
    if (v !== undefined) o[k] = v;
  }
  return JSON.stringify(o);
}

/**
 * Writes rows into parts of at most `maxBytes` encoded bytes and `maxRows` rows, each a
 * complete file (CSV with its header, or a JSON array), sized exactly before writing: a row
 * goes to the next part when it would push this one over either cap.
 */
export class PartWriter {
  readonly parts: PartInfo[] = [];
  private stream: WriteStream | null = null;
  private hash: Hash | null = null;
  private buffer: string[] = [];
  private bufferBytes = 0;
  private current: PartInfo | null = null;
  private readonly fixed: number;
  private readonly sepBytes: number;
  private readonly encode: (row: Partial<ConsentRow>) => string;

  constructor(private readonly out: AtomicOutput, private readonly options: PartWriterOptions) {
    const csv = options.format === 'csv';
    this.fixed = csv ? Buffer.byteLength(CSV_HEADER) : JSON_OPEN.length + JSON_CLOSE.length;
    this.sepBytes = csv ? 0 : JSON_SEP.length;
    this.encode = csv ? encodeCsvRow : encodeJsonRow;
  }

  /**
   * Adds one effective row; `inputRow` is its 1-based data row in the input. Returns a
   * promise only when it had to write (a full buffer or a new part), so the usual row costs
   * no await.
   */
  add(row: Partial<ConsentRow>, inputRow: number): Promise<void> | undefined {
    const text = this.encode(row);
    return this.addEncoded(text, Buffer.byteLength(text), inputRow);
  }

  /**
   * Adds `rows` rows given as their canonical CSV lines, each ending in LF (a CSV part only),
   * copied as they are. When they all fit in the current part they go in as one piece;
   * otherwise line by line, sized the same way as encoded rows.
   */
  addLines(text: string, rows: number, firstRow: number): Promise<void> | undefined {
    const size = Buffer.byteLength(text);
    const part = this.current;
    if (part && part.rows + rows <= this.options.maxRows && part.bytes + size <= this.options.maxBytes) {
      this.push(text, size);
      part.rows += rows;
      part.lastRow = firstRow + rows - 1;
      return this.bufferBytes >= FLUSH_AT ? this.flush() : undefined;
    }
    if (rows === 1) return this.addEncoded(text, size, firstRow);
    return this.addEachLine(text, rows, firstRow);
  }

  /** Adds lines one by one (they cross a part boundary). */
  private async addEachLine(text: string, rows: number, firstRow: number): Promise<void> {
    let p = 0;
    for (let i = 0; i < rows; i++) {
      const nl = text.indexOf('\n', p);
      const line = text.slice(p, nl + 1);
      p = nl + 1;
      const pending = this.addEncoded(line, Buffer.byteLength(line), firstRow + i);
      if (pending) await pending;
    }
  }

  private addEncoded(text: string, size: number, inputRow: number): Promise<void> | undefined {
    const part = this.current;
    if (part && (part.rows >= this.options.maxRows || part.bytes + this.sepBytes + size + this.closing() > this.options.maxBytes)) {
      return this.closePart().then(() => this.addToNewPart(text, size, inputRow));
    }
    if (!part) return this.addToNewPart(text, size, inputRow);
    if (this.sepBytes) this.push(JSON_SEP);
    this.push(text, size);
    part.rows += 1;
    part.lastRow = inputRow;
    return this.bufferBytes >= FLUSH_AT ? this.flush() : undefined;
  }

  /** Starts the next part with this row (its header or opening bracket first). */
  private async addToNewPart(text: string, size: number, inputRow: number): Promise<void> {
    if (this.fixed + size > this.options.maxBytes) {
      throw new BatchprepError(
        ErrorCode.InputTooLarge,
        `row ${inputRow} alone needs ${this.fixed + size} bytes with its ${this.options.format === 'csv' ? 'header' : 'brackets'}, more than --max-bytes ${this.options.maxBytes}; raise --max-bytes`,
      );
    }
    const part = await this.openPart(inputRow);
    this.push(this.options.format === 'csv' ? CSV_HEADER : JSON_OPEN);
    this.push(text, size);
    part.rows += 1;
    part.lastRow = inputRow;
    if (this.bufferBytes >= FLUSH_AT) await this.flush();
  }

  /** Closes the last part; returns every part written. */
  async finish(): Promise<PartInfo[]> {
    if (this.current) await this.closePart();
    return this.parts;
  }

  /** Stops writing (the atomic output removes the files). */
  destroy(): void {
    this.stream?.destroy();
    this.stream = null;
  }

  /** Bytes the part still needs when it is closed (the JSON closing bracket). */
  private closing(): number {
    return this.options.format === 'json' ? JSON_CLOSE.length : 0;
  }

  private push(text: string, size = Buffer.byteLength(text)): void {
    this.buffer.push(text);
    this.bufferBytes += size;
    this.current!.bytes += size;
  }

  private async openPart(firstRow: number): Promise<PartInfo> {
    const n = this.parts.length + 1;
    const suffix = String(n).padStart(4, '0');
    const file = `${this.options.baseName}-${suffix}.${this.options.format}`;
    const part: PartInfo = { file, rows: 0, bytes: 0, sha256: '', referenceId: `${this.options.referenceBase}-${suffix}`, firstRow, lastRow: firstRow };
    const path = this.out.tempPath(file);
    this.stream = createWriteStream(path);
    this.stream.on('error', () => {});
    this.hash = createHash('sha256');
    this.current = part;
    return part;
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    throwIfAborted(this.options.signal);
    const text = this.buffer.join('');
    // As many UTF-8 bytes as characters: all ASCII, where latin1 gives the same bytes by a plain copy.
    const data = Buffer.from(text, text.length === this.bufferBytes ? 'latin1' : 'utf8');
    this.buffer = [];
    this.bufferBytes = 0;
    this.hash!.update(data);
    const stream = this.stream!;
    try {
      if (!stream.write(data)) await once(stream, 'drain');
    } catch (err) {
      throw fromFsError(err, this.out.dir, 'write');
    }
  }

  private async closePart(): Promise<void> {
    const part = this.current!;
    if (this.options.format === 'json') this.push(JSON_CLOSE);
    await this.flush();
    const stream = this.stream!;
    try {
      stream.end();
      await once(stream, 'close');
      if (stream.errored) throw stream.errored;
    } catch (err) {
      throw fromFsError(err, this.out.dir, 'write');
    }
    part.sha256 = this.hash!.digest('hex');
    this.parts.push(part);
    this.current = null;
    this.stream = null;
  }
}
