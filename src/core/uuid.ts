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
  let word = 0;
  let acc = 0;
  let nibbles = 0;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const c = s.charCodeAt(at + i);
    const v = c < 128 ? HEX[c]! : -1;
    if (v < 0) return false;
    acc = (acc << 4) | v;
    if (++nibbles === 8) {
      out[word++] = acc >>> 0;
      acc = 0;
      nibbles = 0;
    }
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
