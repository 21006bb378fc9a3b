import type { FileFormat } from '../core/issues.js';

/** Extensions that are certainly not consent files (the server answers UnsupportedFileType). */
const NOT_CONSENT = new Set(['pdf', 'xlsx', 'xls', 'xlsm', 'ods', 'zip', 'gz', 'tgz', 'bz2', '7z', 'rar', 'doc', 'docx', 'png', 'jpg', 'jpeg', 'gif', 'parquet', 'avro', 'xml', 'exe']);

export type FormatGuess = FileFormat | 'unsupported' | 'unknown';

/** The format implied by a file name's extension (case-insensitive). */
export function formatFromName(name: string | undefined): FormatGuess {
  if (!name || name === '-') return 'unknown';
  const m = /\.([A-Za-z0-9]+)$/.exec(name);
  if (!m) return 'unknown';
  const ext = m[1]!.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'json') return 'json';
  return NOT_CONSENT.has(ext) ? 'unsupported' : 'unknown';
}

const MAGIC: number[][] = [
  [0x50, 0x4b, 0x03, 0x04], // zip, xlsx, docx
  [0x25, 0x50, 0x44, 0x46], // %PDF
  [0xd0, 0xcf, 0x11, 0xe0], // OLE2 (xls, doc)
  [0x1f, 0x8b], // gzip
  [0x89, 0x50, 0x4e, 0x47], // PNG
];

/**
 * Sniffs the format from the whole head (after any BOM): `[` or `{` as the first non-blank
 * character means JSON; known binary signatures or NUL bytes mean unsupported; anything
 * else, a blank head too, is read as CSV.
 */
function sniffFormat(head: Uint8Array): FileFormat | 'unsupported' {
  for (const sig of MAGIC) {
    if (head.length >= sig.length && sig.every((b, i) => head[i] === b)) return 'unsupported';
  }
  if (head.includes(0)) return 'unsupported';
  for (let i = 0; i < head.length; i++) {
    const c = head[i]!;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x5b || c === 0x7b ? 'json' : 'csv';
  }
  return 'csv';
}

/** Bytes looked at before deciding BOM and format: a fixed amount, so any chunking decides alike. */
export const HEAD_BYTES = 4096;

/** What the engine decided about a file before reading its content, and why. */
export interface FormatDecision {
  /** The format read; null when the file is not a consent file at all (UnsupportedFileType). */
  format: FileFormat | null;
  /** `option` (format given), `extension` (file name), `content` (sniffed from the head). */
  by: 'option' | 'extension' | 'content';
  /** Length of a UTF-8 byte order mark at the start (0 or 3). */
  bom: 0 | 3;
  /** The file starts with a UTF-16/UTF-32 byte order mark (not UTF-8 at all). */
  utf16: boolean;
}

/**
 * The one format decision (engine, prepare and FinPro submit all get it from here): the
 * format option, else the extension, else the first `HEAD_BYTES` bytes. Returns undefined
 * while fewer than `HEAD_BYTES` bytes are known and the input has not ended (`final`).
 */
export function decideFormat(head: Uint8Array, format: FileFormat | 'auto', fileName: string, final: boolean): FormatDecision | undefined {
  if (!final && head.length < HEAD_BYTES) return undefined;
  const b0 = head[0];
  const b1 = head[1];
  const utf16 = (b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) || (b0 === 0 && b1 === 0 && head[2] === 0xfe && head[3] === 0xff);
  const bom: 0 | 3 = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  if (format !== 'auto') return { format, by: 'option', bom, utf16 };
  const byName = formatFromName(fileName);
  if (byName === 'csv' || byName === 'json') return { format: byName, by: 'extension', bom, utf16 };
  // A UTF-16 file is reported as an encoding error, read as CSV (the content is not sniffable).
  if (utf16) return { format: 'csv', by: byName === 'unsupported' ? 'extension' : 'content', bom, utf16 };
  if (byName === 'unsupported') return { format: null, by: 'extension', bom, utf16 };
  const sniffed = sniffFormat(head.subarray(bom, HEAD_BYTES));
  return { format: sniffed === 'unsupported' ? null : sniffed, by: 'content', bom, utf16 };
}
