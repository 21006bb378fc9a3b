/**
 * Small helpers for the validator tests: validate a string or bytes through the streaming
 * engine, pick issues out of a report, and run the built CLI as a child process.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { validateStream, validateRows, type RowResult, type ValidateOptions } from '../../src/validate/faces.js';
import type { FileReport, Issue } from '../../src/core/issues.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

/** A few valid consent IDs (the first is the API's own example: no version/variant bits). */
export const U1 = '9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d';
export const U2 = '123e4567-e89b-12d3-a456-426614174000';
export const U3 = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
export const U4 = '54450ac0-8bcb-4b9c-ad74-29b4fabe18f7';
export const HEADER = 'consentId,fiDataRangeFrom,fiDataRangeTo,configId';

/** A deterministic valid UUID for row `i` (distinct for distinct i). */
export function uuidFor(i: number): string {
  const h = i.toString(16).padStart(12, '0');
  return `0000abcd-0000-4000-8000-${h}`;
}

/** Turns a string into UTF-8 bytes; bytes pass through. */
export function toBytes(input: string | Uint8Array): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
}

/** Validates `input` fed as one chunk (default file name `-`, i.e. sniffed like stdin). */
export function check(input: string | Uint8Array, options: ValidateOptions = {}): Promise<FileReport> {
  return checkChunks([toBytes(input)], options);
}

/** Validates `input` fed as the given chunks (zero-length chunks are dropped). */
export function checkChunks(chunks: Uint8Array[], options: ValidateOptions = {}): Promise<FileReport> {
  return validateStream(Readable.from(chunks.filter((c) => c.length > 0).map((c) => Buffer.from(c))), options);
}

/** Validates `input` as a file named `test.csv` (format from the extension). */
export function csv(input: string | Uint8Array, options: ValidateOptions = {}): Promise<FileReport> {
  return check(input, { fileName: 'test.csv', ...options });
}

/** Validates `input` as a file named `test.json` (format from the extension). */
export function json(input: string | Uint8Array, options: ValidateOptions = {}): Promise<FileReport> {
  return check(input, { fileName: 'test.json', ...options });
}

/** Validates a JS value serialised as JSON, as `test.json`. */
export function jsonValue(value: unknown, options: ValidateOptions = {}): Promise<FileReport> {
  return json(JSON.stringify(value, null, 2), options);
}

/** Runs `validateRows` to the end: the rows it yielded and the report it returned. */
export async function rowsOf(
  input: string | Uint8Array,
  options: ValidateOptions = {},
): Promise<{ rows: RowResult[]; report: FileReport }> {
  const gen = validateRows(Readable.from([toBytes(input)]), options);
  const rows: RowResult[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { rows, report: next.value };
    rows.push(next.value);
  }
}

/** The issue codes of a report, in report order. */
export function codes(report: FileReport): string[] {
  return report.issues.map((i) => i.code);
}

/** The issues with a given code. */
export function issuesOf(report: FileReport, code: string): Issue[] {
  return report.issues.filter((i) => i.code === code);
}

/** The one issue with `code`; fails the test (with the whole report) when there is not exactly one. */
export function only(report: FileReport, code: string): Issue {
  const found = issuesOf(report, code);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${code}, got ${found.length}: ${JSON.stringify(report.issues, null, 1)}`);
  }
  return found[0]!;
}

/** Issues of error severity. */
export function errors(report: FileReport): Issue[] {
  return report.issues.filter((i) => i.severity === 'error');
}

/** A CSV file from a header and rows of cells (cells are written as given, no quoting). */
export function csvText(rows: string[][], header = HEADER, eol = '\n'): string {
  return [header, ...rows.map((r) => r.join(','))].join(eol) + eol;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Bytes written to the child's stdin (stdin is closed either way). */
  stdin?: string | Uint8Array;
  /** Extra environment variables (merged over a copy of this process's environment, NO_COLOR set). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the child after this many ms. @default 30000 */
  timeoutMs?: number;
}

/** Spawns `node dist/cli/bin.js ...args` and collects its exit code and output. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {
      /* the child may exit before reading all of stdin */
    });
    child.stdin.end(options.stdin === undefined ? undefined : Buffer.from(options.stdin));
  });
}
