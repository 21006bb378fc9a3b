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
 * Sniffs the format from the first bytes (after any BOM): `[` or `{` as the first non-blank
 * character means JSON; known binary signatures or NUL bytes mean unsupported; anything
 * else is read as CSV. Returns undefined when `head` is all whitespace and more may come.
 */
export function sniffFormat(head: Uint8Array, final: boolean): FormatGuess | undefined {
  for (const sig of MAGIC) {
    if (head.length >= sig.length && sig.every((b, i) => head[i] === b)) return 'unsupported';
  }
  if (head.includes(0)) return 'unsupported';
  for (let i = 0; i < head.length; i++) {
    const c = head[i]!;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x5b || c === 0x7b ? 'json' : 'csv';
  }
  return final ? 'csv' : undefined;
}
