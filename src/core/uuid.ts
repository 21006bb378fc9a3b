/**
 * Consent IDs: the 8-4-4-4-12 hexadecimal form, either case, without demanding RFC 4122/9562
 * version or variant bits (the API's own example has neither). Parsing also packs the ID
 * into 16 bytes (four 32-bit words) for the compact duplicate index.
 */

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

/** Two hex characters (char codes < 128) to their byte value, -1 when either is not hex. */
const PAIR = new Int16Array(128 * 128).fill(-1);
for (let a = 0; a < 128; a++) {
  for (let b = 0; b < 128; b++) {
    if (HEX[a]! >= 0 && HEX[b]! >= 0) PAIR[(a << 7) | b] = (HEX[a]! << 4) | HEX[b]!;
  }
}

/** Byte at `i` (two hex characters), or -1. */
function byteAt(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  return (a | b) < 128 ? PAIR[(a << 7) | b]! : -1;
}

/** Offsets of the 16 bytes of the 8-4-4-4-12 form. */
const BYTES = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** Positions of the hyphens in the 36-character form. */
const DASHES = [8, 13, 18, 23];

/**
 * Parses `s` as a UUID into `out` (four 32-bit words, case folded); false when `s` is not
 * in the 8-4-4-4-12 form. No allocation: this runs once per row.
 */
export function parseUuid(s: string, out: Uint32Array): boolean {
  return s.length === 36 && parseUuidAt(s, 0, out);
}

/** `parseUuid` on the 36 characters of `s` from `at` (the caller checked the length), so a CSV line needs no substring. */
export function parseUuidAt(s: string, at: number, out: Uint32Array): boolean {
  if (s.charCodeAt(at + 8) !== 45 || s.charCodeAt(at + 13) !== 45 || s.charCodeAt(at + 18) !== 45 || s.charCodeAt(at + 23) !== 45) return false;
  // Two hex characters per table look-up; any -1 makes the OR negative.
  for (let w = 0; w < 4; w++) {
    const o = at;
    const b0 = byteAt(s, o + BYTES[w * 4]!);
    const b1 = byteAt(s, o + BYTES[w * 4 + 1]!);
    const b2 = byteAt(s, o + BYTES[w * 4 + 2]!);
    const b3 = byteAt(s, o + BYTES[w * 4 + 3]!);
    if ((b0 | b1 | b2 | b3) < 0) return false;
    out[w] = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  }
  return true;
}

/** Explains why `s` is not a consent ID, for the issue message. */
export function describeBadUuid(s: string): string {
  if (s.trim() !== s) return 'has surrounding spaces; remove them';
  if (s.length !== 36) return `is ${s.length} characters long; a consent ID is a UUID of 36 characters like 54450ac0-8bcb-4b9c-ad74-29b4fabe18f7`;
  for (const d of DASHES) {
    if (s[d] !== '-') return `has no hyphen at position ${d + 1}; expected the 8-4-4-4-12 form like 54450ac0-8bcb-4b9c-ad74-29b4fabe18f7`;
  }
  const bad = [...s].findIndex((ch, i) => !DASHES.includes(i) && !/[0-9a-fA-F]/.test(ch));
  return `has a non-hexadecimal character '${s[bad]}' at position ${bad + 1}; only 0-9 and a-f are allowed`;
}

export { DASHES as UUID_DASH_POSITIONS };
