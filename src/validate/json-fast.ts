import { countNewlines } from './csv-scanner.js';
import { JsonRowReader, type JsonRow, type JsonRowSink } from './json-rows.js';

/**
 * A reader specialised for the shape consent exports have: a top-level array of flat objects
 * whose keys are the known FinPro fields and whose values are strings or `null`. Such rows are
 * read straight from the decoded text with `charCodeAt`/`indexOf` (`JSON.parse` only for a
 * string with escapes), which
 * is several times faster than stream-json's token stream. A row element outside that shape
 * (a number, an unknown or repeated key, a nested value, a syntax error) is handed, whole, to
 * the stream-json `JsonRowReader`, primed to the same state and line, and reading goes on fast
 * after it; anything else (a wrapper object, a non-object element, an element longer than
 * 64 KiB, an error) hands it the rest of the input. So every rule, message and line number
 * stays that reader's. A property test holds both to the same sink calls.
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

/** Text that takes the tokenizer from just after an element to the state `At` names. */
const FROM_VALUE: Partial<Record<At, string>> = { [At.AfterValue]: '', [At.AfterComma]: ',', [At.Done]: ']' };
/** Blanks past the tokenizer's look-ahead, so a handed-over element is judged on its own line. */
const PAD = ' '.repeat(20);

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

/**
 * A sink that can also check a clean row in place (the engine's `RowChecker.fastCheck`):
 * `plainRow` gets the value ranges of `s` (start === end: absent) and returns false when the
 * row needs the full check, which then gets it as a `JsonRow`.
 */
export interface FastJsonRowSink extends JsonRowSink {
  /** Must refuse (false) a row with a control character in a value; the reader then reports it as the stream-json reader does. */
  plainRow?: (s: string, idStart: number, idEnd: number, fromStart: number, fromEnd: number, toStart: number, toEnd: number, cfgStart: number, cfgEnd: number, row: number, line: number) => boolean;
}

/** What the engine drives of `JsonRowReader`'s surface: push, end, rows. */
export class FastJsonRowReader {
  /** The stream-json reader, made at the first element it must judge. */
  private slow: JsonRowReader | undefined;
  /** Its tokenizer's state: Start while unused, else just after an element (AfterValue). */
  private slowAt: At = At.Start;
  /** Once true, every further byte is the stream-json reader's. */
  private handedOver = false;
  private carry = '';
  /** Physical line at the start of `carry`. */
  private line = 1;
  private at: At = At.Start;
  private rowCount = 0;
  // The object being scanned (scanObject's out-parameters, to avoid an allocation per row),
  // by key index: consentId, consent_id, fiDataRangeFrom, fiDataRangeTo, configId.
  private objLines = 0;
  private present = 0;
  private escapedMask = 0;
  private readonly starts = new Int32Array(5);
  /** Where the next backslash of the scanned text is (its length when none). */
  private nextBackslash = -1;
  private readonly ends = new Int32Array(5);
  private readonly decoded: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];

  constructor(
    private readonly sink: FastJsonRowSink,
    private readonly maxValueLength: number,
    private readonly warning: 'warning' | 'error',
  ) {}

  /** Rows seen so far. */
  get rows(): number {
    return this.handedOver ? this.slow!.rows : this.rowCount;
  }

  /** Feeds decoded text. */
  push(text: string): void {
    if (this.handedOver) {
      this.slow!.push(text);
      return;
    }
    if (this.carry.length) {
      // Finish the carried element with the rest of its line first, so the big text is scanned
      // flat rather than as a concatenation (slower to index into).
      const m = text.indexOf('\n') + 1;
      if (m > 0 && m < text.length) {
        this.scan(this.carry + text.slice(0, m));
        if (this.handedOver) {
          this.slow!.push(text.slice(m));
          return;
        }
        text = text.slice(m);
      }
      if (this.carry.length) text = this.carry + text;
    }
    this.scan(text);
  }

  /** Ends the input; whatever is not a finished array is the stream-json reader's to judge. */
  end(): void {
    if (!this.handedOver) {
      if (this.at === At.Done) return; // only blanks followed the array
      this.fallBack(this.carry, 0, this.line);
    }
    this.slow!.end();
  }

  /** The stream-json reader, its tokenizer put into the state `this.at` names, at `line`. */
  private synced(line: number): JsonRowReader {
    if (!this.slow) this.slow = new JsonRowReader(this.sink, this.maxValueLength, this.warning);
    if (this.at !== At.Start) {
      const prime = this.slowAt === At.Start ? PRIME[this.at] : FROM_VALUE[this.at]!;
      this.slow.resume(prime, line, this.rowCount, this.at === At.Done);
    }
    return this.slow;
  }

  /** Hands `s` from `p` (at physical line `line`) and all later input to the stream-json reader. */
  private fallBack(s: string, p: number, line: number): void {
    const slow = this.synced(line);
    this.handedOver = true;
    this.carry = '';
    slow.push(p === 0 ? s : s.slice(p));
  }

  /**
   * Lets the stream-json reader judge one element, `s[p, end)` starting at `line`; false when
   * it stopped there (a syntax error), so the rest is its too.
   */
  private judgeElement(s: string, p: number, end: number, line: number): boolean {
    const slow = this.synced(line);
    slow.push(s.slice(p, end) + PAD);
    if (slow.stopped) {
      this.handedOver = true;
      this.carry = '';
      return false;
    }
    this.slowAt = At.AfterValue;
    this.rowCount = slow.rows;
    return true;
  }

  /** Reads whole elements of `s`; keeps an unfinished one as the carry for the next push. */
  private scan(s: string): void {
    const n = s.length;
    this.nextBackslash = -1;
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
          let end = this.scanObject(s, i);
          if (end === NEED_MORE) break;
          if (end !== OUTSIDE && !this.emit(s, l)) end = OUTSIDE;
          if (end === OUTSIDE) {
            const last = elementEnd(s, i);
            if (last === NEED_MORE) break;
            if (!this.judgeElement(s, p, last, line)) return;
            this.at = At.AfterValue;
            line = l + countNewlines(s, i, last);
            p = last;
            continue;
          }
          this.at = At.AfterValue;
          p = end;
          line = l + this.objLines;
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
   * Reads one flat object starting at `s[start] === '{'`. Returns the index after its `}` (its
   * values as ranges in `starts`/`ends`, or decoded strings in `decoded`; its newlines in
   * `objLines`), NEED_MORE when `s` ends first, or OUTSIDE when it is not of the fast shape.
   */
  private scanObject(s: string, start: number): number {
    const n = s.length;
    const max = this.maxValueLength;
    const starts = this.starts;
    const ends = this.ends;
    let lines = 0;
    let seen = 0;
    let nulls = 0;
    this.escapedMask = 0;
    let i = start + 1;
    let c = 0;
    // blanks, then '}' (empty object) or the first key
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c === NEWLINE) lines++;
      else if (c !== 32 && c !== 13 && c !== 9) break;
    }
    if (i === n) return NEED_MORE;
    if (c !== CLOSE_BRACE) {
      for (;;) {
        if (c !== QUOTE) return OUTSIDE;
        const k = i + 1;
        const ke = s.indexOf('"', k);
        if (ke === -1) return n - k > 16 ? OUTSIDE : NEED_MORE;
        const key = keyIndex(s, k, ke);
        if (key < 0 || ke - k > max) return OUTSIDE;
        const bit = 1 << key;
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
          let j = s.indexOf('"', v);
          let escaped = false;
          if (j === -1) j = n;
          // A value with a backslash is read char by char (to find its end and decode it); the
          // next backslash is remembered, so most values cost one native search. Control
          // characters are looked for in emit().
          if (this.nextBackslash < v) this.nextBackslash = indexOrEnd(s, '\\', v);
          if (this.nextBackslash < j) {
            for (j = v; j < n; j++) {
              c = s.charCodeAt(j);
              if (c === QUOTE) break;
              if (c === BACKSLASH) {
                escaped = true;
                j++;
              } else if (c < 32) return OUTSIDE;
            }
          }
          if (j >= n) return NEED_MORE;
          if (escaped) {
            // JSON.parse decodes escapes as stream-json does; a bad escape is the slow reader's to report.
            let text: string;
            try {
              text = JSON.parse(s.slice(v - 1, j + 1)) as string;
            } catch {
              return OUTSIDE;
            }
            if (text.length > max) return OUTSIDE;
            this.decoded[key] = text;
            this.escapedMask |= bit;
          } else if (j - v > max) return OUTSIDE;
          starts[key] = v;
          ends[key] = j;
          i = j + 1;
        } else if (c === 110 /* n */) {
          if (i + 4 > n) return s.startsWith('null'.slice(0, n - i), i) ? NEED_MORE : OUTSIDE;
          if (!s.startsWith('null', i)) return OUTSIDE;
          nulls |= bit; // null is absent (the key still counts for repeats)
          i += 4;
        } else return OUTSIDE;
        // blanks, then ',' and the next key, or '}'
        for (; i < n; i++) {
          c = s.charCodeAt(i);
          if (c === NEWLINE) lines++;
          else if (c !== 32 && c !== 13 && c !== 9) break;
        }
        if (i === n) return NEED_MORE;
        if (c === CLOSE_BRACE) break;
        if (c !== COMMA) return OUTSIDE;
        for (i++; i < n; i++) {
          c = s.charCodeAt(i);
          if (c === NEWLINE) lines++;
          else if (c !== 32 && c !== 13 && c !== 9) break;
        }
        if (i === n) return NEED_MORE;
      }
    }
    this.objLines = lines;
    this.present = seen & ~nulls;
    return i + 1;
  }

  /**
   * Passes the object `scanObject` read on: checked in place when the sink can, else as a row.
   * False (nothing passed on) when a value holds a control character: invalid JSON, which the
   * stream-json reader must report. A row the in-place check accepts has none (its contract).
   */
  private emit(s: string, line: number): boolean {
    const row = this.rowCount + 1;
    const present = this.present;
    const starts = this.starts;
    const ends = this.ends;
    const plain = this.sink.plainRow;
    // consent_id (bit 1) needs the conflict rule; escapes need the decoded strings.
    if (plain !== undefined && (present & 2) === 0 && (this.escapedMask & present) === 0) {
      // Absent values as empty ranges.
      if ((present & 1) === 0) starts[0] = ends[0] = 0;
      if ((present & 4) === 0) starts[2] = ends[2] = 0;
      if ((present & 8) === 0) starts[3] = ends[3] = 0;
      if ((present & 16) === 0) starts[4] = ends[4] = 0;
      if (plain(s, starts[0]!, ends[0]!, starts[2]!, ends[2]!, starts[3]!, ends[3]!, starts[4]!, ends[4]!, row, line)) {
        this.rowCount = row;
        return true;
      }
    }
    for (let k = 0; k < 5; k++) {
      if (((present >> k) & 1) === 0 || (this.escapedMask >> k) & 1) continue;
      for (let i = starts[k]!, e = ends[k]!; i < e; i++) if (s.charCodeAt(i) < 32) return false;
    }
    const value = (k: number): string | undefined =>
      ((present >> k) & 1) === 0 ? undefined : (this.escapedMask >> k) & 1 ? this.decoded[k] : s.slice(starts[k]!, ends[k]!);
    const r: JsonRow = { row, line, issues: [], errors: 0 };
    if (present & 1) r.consentId = value(0);
    if (present & 2) r.consent_id = value(1);
    if (present & 4) r.fiDataRangeFrom = value(2);
    if (present & 8) r.fiDataRangeTo = value(3);
    if (present & 16) r.configId = value(4);
    this.rowCount = row;
    this.sink.row(r);
    return true;
  }
}

/** The index in KEYS of the key spelled exactly by `s[k, e)`, else -1. */
function keyIndex(s: string, k: number, e: number): number {
  switch (e - k) {
    case 9:
      return s.startsWith('consentId', k) ? 0 : -1;
    case 10:
      return s.startsWith('consent_id', k) ? 1 : -1;
    case 15:
      return s.startsWith('fiDataRangeFrom', k) ? 2 : -1;
    case 13:
      return s.startsWith('fiDataRangeTo', k) ? 3 : -1;
    case 8:
      return s.startsWith('configId', k) ? 4 : -1;
    default:
      return -1;
  }
}

/**
 * The index after the object or array that starts at `s[start]`, by brackets outside strings
 * (escapes skipped), or NEED_MORE when `s` ends first. For valid JSON this is where the
 * tokenizer ends the element; for invalid JSON the tokenizer stops inside it.
 */
function elementEnd(s: string, start: number): number {
  const n = s.length;
  let depth = 0;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < n; i++) {
        const d = s.charCodeAt(i);
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    }
  }
  return NEED_MORE;
}

/** `s.indexOf(what, from)`, or `s.length` when it is not there. */
function indexOrEnd(s: string, what: string, from: number): number {
  const i = s.indexOf(what, from);
  return i === -1 ? s.length : i;
}
