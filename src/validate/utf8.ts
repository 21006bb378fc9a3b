import { Buffer, isAscii, isUtf8 } from 'node:buffer';

/**
 * UTF-8 checking and decoding as bytes pass: sequences cut by a chunk boundary are carried
 * to the next chunk; the first invalid byte is reported with its file offset.
 */
export class Utf8Decoder {
  private pending: Buffer | undefined;
  /** Bytes decoded so far (file offset of the next byte, after any BOM the caller skipped). */
  private offset = 0;
  /** Set when the input is not UTF-8: the offset of the first bad byte. */
  badOffset: number | undefined;

  constructor(startOffset = 0) {
    this.offset = startOffset;
  }

  /** Decodes a chunk; returns undefined (and sets `badOffset`) on invalid UTF-8. */
  write(chunk: Uint8Array): string | undefined {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const start = this.offset - (this.pending?.length ?? 0);
    if (this.pending) {
      buf = Buffer.concat([this.pending, buf]);
      this.pending = undefined;
    }
    const tail = incompleteTail(buf);
    const body = tail ? buf.subarray(0, buf.length - tail) : buf;
    if (tail) this.pending = Buffer.from(buf.subarray(buf.length - tail));
    this.offset += chunk.byteLength;
    // ASCII (the usual consent file) decodes faster as latin1, which is the same bytes.
    if (isAscii(body)) return body.toString('latin1');
    if (!isUtf8(body)) {
      this.badOffset = start + firstInvalid(body);
      return undefined;
    }
    return body.toString('utf8');
  }

  /** Ends the input: a sequence left open is invalid. */
  end(): boolean {
    if (this.pending && this.pending.length > 0) {
      this.badOffset = this.offset - this.pending.length;
      return false;
    }
    return true;
  }
}

/** How many bytes at the end of `b` begin a multi-byte sequence that the chunk cut short. */
function incompleteTail(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const c = b[n - k]!;
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/** Offset of the first byte that breaks UTF-8 (only called once we know one does). */
export function firstInvalid(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need > n - 1) return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}
