import { JsonRowReader, type JsonRow, type JsonRowSink } from './json-rows.js';

/**
 * A reader specialised for the shape consent exports have: a top-level array of flat objects
 * whose keys are the known FinPro fields and whose values are plain strings (no escapes) or
 * `null`. Such rows are read straight from the decoded text with `charCodeAt`/`indexOf`, which
 * is several times faster than stream-json's token stream. At the first thing outside that
 * shape (an escape, a number, an unknown or repeated key, a syntax error, a wrapper object, an
 * oversized value) it hands the rest of the input, from the last element boundary, to the
 * stream-json `JsonRowReader`, primed to the same state, so every rule, message and line
 * number stays that reader's. A property test holds both to the same sink calls.
 */

/** Where the reader stands between tokens of the rows array. */
const enum At {
  Start,
  AfterOpen,
  AfterValue,
  AfterComma,
  Done,
}

/** Text that puts stream-json's tokenizer into the state `At` names (its tokens are dropped). */
const PRIME: Record<At, string> = {
  [At.Start]: '',
  [At.AfterOpen]: '[',
  [At.AfterValue]: '[{}',
  [At.AfterComma]: '[{},',
  [At.Done]: '[]',
};

/** An unfinished element longer than this goes to the stream-json reader (keeps memory flat). */
const MAX_CARRY = 64 * 1024;
/** scanObject results besides an end index. */
const NEED_MORE = -1;
const OUTSIDE = -2;

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const NEWLINE = 10;

/** Bits of the keys seen in a row, so a repeated key leaves the fast shape. */
const KEY_BITS: Record<string, number> = { consentId: 1, consent_id: 2, fiDataRangeFrom: 4, fiDataRangeTo: 8, configId: 16 };

/** Same surface as `JsonRowReader`, which the engine drives. */
export class FastJsonRowReader {
  private slow: JsonRowReader | undefined;
  private carry = '';
  /** Physical line at the start of `carry`. */
  private line = 1;
  private at: At = At.Start;
  private rowCount = 0;
  // The object being scanned (scanObject's out-parameters, to avoid an allocation per row).
  private objLines = 0;
  private row: JsonRow | undefined;

  constructor(
    private readonly sink: JsonRowSink,
    private readonly maxValueLength: number,
    private readonly warning: 'warning' | 'error',
  ) {}

  /** Rows seen so far. */
  get rows(): number {
    return this.slow ? this.slow.rows : this.rowCount;
  }

  /** True once a syntax or shape error stopped reading. */
  get stopped(): boolean {
    return this.slow ? this.slow.stopped : false;
  }

  /** Feeds decoded text. */
  push(text: string): void {
    if (this.slow) {
      this.slow.push(text);
      return;
    }
    this.scan(this.carry.length ? this.carry + text : text);
  }

  /** Ends the input; whatever is not a finished array is the stream-json reader's to judge. */
  end(): void {
    if (!this.slow) {
      if (this.at === At.Done) return; // only blanks followed the array
      this.fallBack(this.carry, 0, this.line);
    }
    this.slow!.end();
  }

  /** Hands `s` from `p` (at physical line `line`) to a stream-json reader primed to the current state. */
  private fallBack(s: string, p: number, line: number): void {
    const slow = new JsonRowReader(this.sink, this.maxValueLength, this.warning);
    if (this.at !== At.Start) slow.resume(PRIME[this.at], line, this.rowCount, this.at === At.Done);
    this.slow = slow;
    this.carry = '';
    slow.push(p === 0 ? s : s.slice(p));
  }

  /** Reads whole elements of `s`; keeps an unfinished one as the carry for the next push. */
  private scan(s: string): void {
    const n = s.length;
    // Committed position: everything before it is read; a fallback restarts there.
    let p = 0;
    let line = this.line;
    for (;;) {
      // Blanks (in Start they stay uncommitted, so a fallback there starts from the top).
      let i = p;
      let l = line;
      let c = 0;
      while (i < n) {
        c = s.charCodeAt(i);
        if (c === 32 || c === NEWLINE || c === 13 || c === 9) {
          if (c === NEWLINE) l++;
          i++;
        } else break;
      }
      if (i === n) {
        if (this.at !== At.Start) {
          p = i;
          line = l;
        }
        break;
      }
      switch (this.at) {
        case At.Start:
          if (c !== OPEN_BRACKET) return this.fallBack(s, 0, this.line);
          this.at = At.AfterOpen;
          p = i + 1;
          line = l;
          continue;
        case At.AfterOpen:
        case At.AfterComma: {
          if (c === CLOSE_BRACKET && this.at === At.AfterOpen) {
            this.at = At.Done;
            p = i + 1;
            line = l;
            continue;
          }
          if (c !== OPEN_BRACE) return this.fallBack(s, p, line);
          const end = this.scanObject(s, i, l);
          if (end === OUTSIDE) return this.fallBack(s, p, line);
          if (end === NEED_MORE) break;
          this.at = At.AfterValue;
          p = end;
          line = l + this.objLines;
          this.rowCount++;
          const row = this.row!;
          this.row = undefined;
          this.sink.row(row);
          continue;
        }
        case At.AfterValue:
          if (c === COMMA) this.at = At.AfterComma;
          else if (c === CLOSE_BRACKET) this.at = At.Done;
          else return this.fallBack(s, p, line);
          p = i + 1;
          line = l;
          continue;
        case At.Done:
          return this.fallBack(s, p, line);
      }
      break; // NEED_MORE
    }
    this.line = line;
    this.carry = p === 0 ? s : p === n ? '' : s.slice(p);
    if (this.carry.length > MAX_CARRY) {
      const carry = this.carry;
      this.fallBack(carry, 0, line);
    }
  }

  /**
   * Reads one flat object starting at `s[start] === '{'` on line `line`. Returns the index after
   * its `}` (the row in `this.row`, its newlines in `this.objLines`), NEED_MORE when `s` ends
   * first, or OUTSIDE when it is not of the fast shape.
   */
  private scanObject(s: string, start: number, line: number): number {
    const n = s.length;
    const max = this.maxValueLength;
    const row: JsonRow = { row: this.rowCount + 1, line, issues: [], errors: 0 };
    let lines = 0;
    let seen = 0;
    let i = start + 1;
    let c = 0;
    // blanks, then '}' (empty object) or the first key
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c === NEWLINE) lines++;
      else if (c !== 32 && c !== 13 && c !== 9) break;
    }
    if (i === n) return NEED_MORE;
    if (c === CLOSE_BRACE) {
      this.objLines = lines;
      this.row = row;
      return i + 1;
    }
    for (;;) {
      if (c !== QUOTE) return OUTSIDE;
      const k = i + 1;
      const ke = s.indexOf('"', k);
      if (ke === -1) return n - k > 16 ? OUTSIDE : NEED_MORE;
      const key = keyAt(s, k, ke);
      if (key === undefined || ke - k > max) return OUTSIDE;
      const bit = KEY_BITS[key]!;
      if (seen & bit) return OUTSIDE;
      seen |= bit;
      i = ke + 1;
      // blanks ':' blanks
      for (; i < n; i++) {
        c = s.charCodeAt(i);
        if (c === NEWLINE) lines++;
        else if (c !== 32 && c !== 13 && c !== 9) break;
      }
      if (i === n) return NEED_MORE;
      if (c !== COLON) return OUTSIDE;
      for (i++; i < n; i++) {
        c = s.charCodeAt(i);
        if (c === NEWLINE) lines++;
        else if (c !== 32 && c !== 13 && c !== 9) break;
      }
      if (i === n) return NEED_MORE;
      if (c === QUOTE) {
        const v = i + 1;
        let j = v;
        for (; j < n; j++) {
          c = s.charCodeAt(j);
          if (c === QUOTE) break;
          if (c === BACKSLASH || c < 32) return OUTSIDE;
        }
        if (j === n) return NEED_MORE;
        if (j - v > max) return OUTSIDE;
        (row as unknown as Record<string, string>)[key] = s.slice(v, j);
        i = j + 1;
      } else if (c === 110 /* n */) {
        if (i + 4 > n) return s.startsWith('null'.slice(0, n - i), i) ? NEED_MORE : OUTSIDE;
        if (!s.startsWith('null', i)) return OUTSIDE;
        i += 4;
      } else return OUTSIDE;
      // blanks, then ',' and the next key, or '}'
      for (; i < n; i++) {
        c = s.charCodeAt(i);
        if (c === NEWLINE) lines++;
        else if (c !== 32 && c !== 13 && c !== 9) break;
      }
      if (i === n) return NEED_MORE;
      if (c === CLOSE_BRACE) {
        this.objLines = lines;
        this.row = row;
        return i + 1;
      }
      if (c !== COMMA) return OUTSIDE;
      for (i++; i < n; i++) {
        c = s.charCodeAt(i);
        if (c === NEWLINE) lines++;
        else if (c !== 32 && c !== 13 && c !== 9) break;
      }
      if (i === n) return NEED_MORE;
    }
  }
}

/** The known key spelled exactly by `s[k, e)`, else undefined. */
function keyAt(s: string, k: number, e: number): string | undefined {
  switch (e - k) {
    case 9:
      return s.startsWith('consentId', k) ? 'consentId' : undefined;
    case 10:
      return s.startsWith('consent_id', k) ? 'consent_id' : undefined;
    case 15:
      return s.startsWith('fiDataRangeFrom', k) ? 'fiDataRangeFrom' : undefined;
    case 13:
      return s.startsWith('fiDataRangeTo', k) ? 'fiDataRangeTo' : undefined;
    case 8:
      return s.startsWith('configId', k) ? 'configId' : undefined;
    default:
      return undefined;
  }
}
