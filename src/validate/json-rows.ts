import { createRequire } from 'node:module';
import { clipValue, IssueCode, type Issue } from '../core/issues.js';

/**
 * Turns the token stream of stream-json's parser into consent rows: a top-level array of
 * objects, or an object with a `consents_list` array. The parser is driven synchronously
 * (its function from stream-chain's function list) and fed line by line, so every row and
 * every syntax error knows its physical line. Strings arrive in chunks and are capped, so a
 * 1 GB string never grows memory.
 */

const require = createRequire(import.meta.url);
type Token = { name: string; value?: string };
type Flushable = (chunk: unknown) => unknown;
const streamJsonParser = require('stream-json/parser.js') as (o: object) => unknown;
const defs = require('stream-chain/defs.js') as {
  none: unknown;
  getFunctionList(f: unknown): Flushable[];
  isMany(v: unknown): boolean;
  getManyValues(v: unknown): Token[];
};

/** The synchronous tokenizer inside stream-json's parser pipeline (the pipeline's last function). */
function makeTokenizer(): Flushable {
  const fns = defs.getFunctionList(streamJsonParser({ packValues: false, streamValues: true }));
  return fns[fns.length - 1]!;
}

/** A row object as read, before the rules. */
export interface JsonRow {
  row: number;
  line: number;
  consentId?: string;
  consent_id?: string;
  fiDataRangeFrom?: string;
  fiDataRangeTo?: string;
  configId?: string;
  /** Problems found while reading the row (wrong types, unknown keys, oversized values). */
  issues: Issue[];
  /** Row-level error count among `issues`. */
  errors: number;
}

export interface JsonRowSink {
  row(row: JsonRow): void;
  /** A file-level issue (shape, syntax, unknown top-level key). */
  fileIssue(issue: Issue): void;
}

const KNOWN_KEYS = new Set(['consentId', 'consent_id', 'fiDataRangeFrom', 'fiDataRangeTo', 'configId']);
const MAX_DEPTH = 64;
/** Longer than the tokenizer's look-ahead (16 characters). */
const LINE_PAD = ' '.repeat(20);

type Mode = 'top' | 'wrapper' | 'rows' | 'row' | 'after';

export class JsonRowReader {
  private readonly tokenize = makeTokenizer();
  private line = 1;
  private mode: Mode = 'top';
  private rowCount = 0;
  private current: JsonRow | undefined;
  private key: string | undefined;
  private expectValue = false;
  private sawList = false;
  /** Line of the first top-level "consents_list" key (a second one is an error). */
  private listKeyLine = 0;
  // string accumulation
  private inString = false;
  private isKey = false;
  private text = '';
  private tooLong = false;
  // skipping a value (nested containers, unwanted strings/numbers)
  private skipDepth = 0;
  private skippingScalar = false;
  private sawToken = false;
  private sawText = false;
  stopped = false;

  constructor(
    private readonly sink: JsonRowSink,
    private readonly maxValueLength: number,
    private readonly warning: 'warning' | 'error',
  ) {}

  /** Rows seen so far. */
  get rows(): number {
    return this.rowCount;
  }

  /**
   * Feeds decoded text; lines are fed one at a time so tokens know their line. Each line
   * end is followed by blanks (insignificant between JSON tokens, and a line end cannot be
   * inside a valid string), so the tokenizer decides on a token before the next line and a
   * syntax error is caught on its own line.
   */
  push(text: string): void {
    let pos = 0;
    const n = text.length;
    while (pos < n && !this.stopped) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) {
        this.feed(pos === 0 ? text : text.slice(pos));
        return;
      }
      this.feed(text.slice(pos, nl + 1) + LINE_PAD);
      if (!this.stopped) this.line++;
      pos = nl + 1;
    }
  }

  /**
   * Continues where the fast reader (json-fast.ts) left the rows array: `prime` puts the
   * tokenizer in the same state (its tokens are dropped), then reading goes on at `line`
   * after `rows` rows, inside the array or (`done`) after it.
   */
  resume(prime: string, line: number, rows: number, done: boolean): void {
    this.tokenize(prime + LINE_PAD);
    this.sawToken = true;
    this.mode = done ? 'after' : 'rows';
    this.rowCount = rows;
    this.line = line;
  }

  /** Ends the input: unfinished JSON is a syntax error, a missing `consents_list` a shape error. */
  end(): void {
    if (this.stopped) return;
    // Nothing but whitespace: not malformed; the engine reports EmptyFile.
    if (this.mode === 'top' && !this.sawToken && !this.sawText) return;
    this.feed(defs.none);
    if (this.stopped) return;
    if (this.mode === 'wrapper' && !this.sawList) {
      this.fail('the top-level object has no "consents_list" array; use an array of consent objects or {"consents_list": [...]}');
    }
  }

  /** Runs the tokenizer on one piece; a syntax error is reported at the line being fed. */
  private feed(chunk: unknown): void {
    let out: unknown;
    try {
      out = this.tokenize(chunk);
    } catch (err) {
      const why = (err as Error).message.replace(/^Parser (cannot parse input: |has )/, '');
      this.fail(`invalid JSON at line ${this.line}: ${why}`);
      return;
    }
    if (out === defs.none || out === undefined) {
      if (!this.sawToken && !this.sawText && typeof chunk === 'string' && /\S/.test(chunk)) this.sawText = true;
      return;
    }
    this.sawToken = true;
    const tokens = defs.isMany(out) ? defs.getManyValues(out) : [out as Token];
    for (let i = 0; i < tokens.length && !this.stopped; i++) this.token(tokens[i]!);
  }

  private fail(message: string): void {
    this.stopped = true;
    this.sink.fileIssue({ severity: 'error', code: IssueCode.MalformedJson, message, line: this.line });
  }

  private token(t: Token): void {
    const name = t.name;
    // Strings (and keys) arrive as start / chunks / end; accumulate with a cap.
    if (this.inString) {
      if (name === 'stringChunk') {
        if (!this.tooLong) {
          if (this.text.length + t.value!.length > this.maxValueLength) {
            this.tooLong = true;
            this.text = '';
          } else this.text += t.value!;
        }
        return;
      }
      if (name === 'endString' || name === 'endKey') {
        this.inString = false;
        if (this.isKey) this.onKey(this.text, this.tooLong);
        else this.onScalar('string', this.text, this.tooLong);
        this.text = '';
        return;
      }
      return;
    }
    if (this.skippingScalar) {
      if (name === 'endString' || name === 'endNumber') this.skippingScalar = false;
      return;
    }
    if (this.skipDepth > 0) {
      if (name === 'startObject' || name === 'startArray') {
        if (++this.skipDepth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels at line ${this.line}`);
      } else if (name === 'endObject' || name === 'endArray') {
        --this.skipDepth;
      }
      return;
    }
    switch (name) {
      case 'startKey':
        this.inString = true;
        this.isKey = true;
        this.text = '';
        this.tooLong = false;
        return;
      case 'startString':
        this.inString = true;
        this.isKey = false;
        this.text = '';
        this.tooLong = false;
        return;
      case 'startNumber':
        this.onScalar('number', '', false);
        return;
      case 'trueValue':
      case 'falseValue':
        this.onScalar('boolean', '', false);
        return;
      case 'nullValue':
        this.onScalar('null', '', false);
        return;
      case 'startObject':
        this.onOpen('object');
        return;
      case 'startArray':
        this.onOpen('array');
        return;
      case 'endObject':
        this.onCloseObject();
        return;
      case 'endArray':
        this.onCloseArray();
        return;
      default:
        return; // numberChunk, endNumber of a number we do not keep
    }
  }

  /** Skips the rest of the value that the current token starts (a scalar other than a number is already whole). */
  private skipValue(kind: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null'): void {
    if (kind === 'object' || kind === 'array') this.skipDepth = 1;
    else if (kind === 'number') this.skippingScalar = true;
  }

  private onOpen(kind: 'object' | 'array'): void {
    switch (this.mode) {
      case 'top':
        if (kind === 'array') this.mode = 'rows';
        else this.mode = 'wrapper';
        return;
      case 'wrapper':
        if (this.key === 'consents_list' && kind === 'array') {
          this.sawList = true;
          this.mode = 'rows';
          return;
        }
        if (this.key === 'consents_list') {
          this.fail('"consents_list" must be an array of consent objects');
          return;
        }
        this.skipValue(kind);
        return;
      case 'rows':
        this.rowCount++;
        if (kind === 'object') {
          this.current = { row: this.rowCount, line: this.line, issues: [], errors: 0 };
          this.mode = 'row';
          this.key = undefined;
          return;
        }
        this.emitNotObject(kind);
        this.skipValue(kind);
        return;
      case 'row':
        this.badType(kind);
        this.skipValue(kind);
        return;
      case 'after':
        return;
    }
  }

  private onCloseObject(): void {
    if (this.mode === 'row') {
      const row = this.current!;
      this.current = undefined;
      this.mode = 'rows';
      this.sink.row(row);
    } else if (this.mode === 'wrapper') {
      this.mode = 'after';
      if (!this.sawList) {
        this.fail('the top-level object has no "consents_list" array; use an array of consent objects or {"consents_list": [...]}');
      }
    }
  }

  private onCloseArray(): void {
    if (this.mode === 'rows') this.mode = this.sawList ? 'wrapper' : 'after';
  }

  private onKey(key: string, tooLong: boolean): void {
    this.key = tooLong ? '(oversized key)' : key;
    if (this.mode === 'wrapper' && key === 'consents_list') {
      // JSON.parse-style servers keep only the last of two equal keys; the file means
      // different rows to them and to us, so it is refused rather than read either way.
      if (this.listKeyLine > 0) {
        this.fail(`the top-level key "consents_list" appears twice (lines ${this.listKeyLine} and ${this.line}); a JSON reader keeps only the last one, so merge the two lists into one`);
        return;
      }
      this.listKeyLine = this.line;
    }
    if (this.mode === 'wrapper' && key !== 'consents_list') {
      this.sink.fileIssue({
        severity: this.warning,
        code: IssueCode.UnknownField,
        message: `top-level key ${JSON.stringify(clipValue(this.key))} is ignored (only "consents_list" is read)`,
        line: this.line,
        field: clipValue(this.key),
      });
    }
    if (this.mode === 'row' && !KNOWN_KEYS.has(this.key)) {
      const row = this.current!;
      row.issues.push({
        severity: this.warning,
        code: IssueCode.UnknownField,
        message: `key ${JSON.stringify(clipValue(this.key))} is not a FinPro field and will be ignored (known: consentId, consent_id, fiDataRangeFrom, fiDataRangeTo, configId)`,
        row: row.row,
        line: this.line,
        field: clipValue(this.key),
      });
      if (this.warning === 'error') row.errors++;
      this.key = undefined; // its value is skipped
    }
  }

  private onScalar(kind: 'string' | 'number' | 'boolean' | 'null', value: string, tooLong: boolean): void {
    if (this.mode === 'top') {
      this.fail(`the file is a single ${kind}; expected an array of consent objects or {"consents_list": [...]}`);
      return;
    }
    if (this.mode === 'rows') {
      this.rowCount++;
      this.emitNotObject(kind);
      if (kind === 'number') this.skippingScalar = true;
      return;
    }
    if (this.mode === 'wrapper') {
      if (this.key === 'consents_list') {
        this.fail('"consents_list" must be an array of consent objects');
        return;
      }
      if (kind === 'number') this.skippingScalar = true;
      return;
    }
    if (this.mode !== 'row') return;
    const row = this.current!;
    const key = this.key;
    if (key === undefined) {
      if (kind === 'number') this.skippingScalar = true;
      return;
    }
    if (kind === 'null') return;
    if (kind !== 'string') {
      this.badType(kind);
      if (kind === 'number') this.skippingScalar = true;
      return;
    }
    if (tooLong) {
      row.issues.push({
        severity: 'error',
        code: IssueCode.RecordTooLarge,
        message: `${key} is longer than ${this.maxValueLength} characters; no FinPro field is that long`,
        row: row.row,
        line: this.line,
        field: key,
      });
      row.errors++;
      return;
    }
    (row as unknown as Record<string, string>)[key] = value;
  }


  private badType(kind: string): void {
    const row = this.current!;
    const key = this.key;
    if (key === undefined) return;
    row.issues.push({
      severity: 'error',
      code: IssueCode.InvalidFieldType,
      message: `${key} is a${kind === 'array' || kind === 'object' ? 'n' : ''} ${kind}; it must be a string (or null for absent)`,
      row: row.row,
      line: this.line,
      field: key,
    });
    row.errors++;
  }

  private emitNotObject(kind: string): void {
    this.sink.row({
      row: this.rowCount,
      line: this.line,
      issues: [
        {
          severity: 'error',
          code: IssueCode.InvalidFieldType,
          message: `row ${this.rowCount} is a${kind === 'array' ? 'n' : ''} ${kind}; each element must be an object like {"consentId": "..."}`,
          row: this.rowCount,
          line: this.line,
        },
      ],
      errors: 1,
    });
  }
}
