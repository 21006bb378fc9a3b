import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { FileReport, Issue, ValidationReport } from '../../core/issues.js';
import { BatchprepError, ErrorCode, ExitCode, isBatchprepError } from '../../errors.js';
import { parseReportTargets, REPORT_HELP, writeReports, type ReportTarget } from '../report-outputs.js';
import { parseSize, parseWhole } from '../size.js';
import { LOCAL_EPILOGUE } from '../help.js';
import { hintIfStdinIdle, warn } from '../context.js';
import { DEFAULT_MAX_BYTES, openSized, resolveValidateOptions, validateStream } from '../../validate/faces.js';
import type { CliContext } from '../context.js';
import { addDefaultsOptions, readDefaults, type DefaultsArgs } from '../defaults-options.js';
import type { BatchprepCommand } from '../command.js';
import { createProgress, progressEnabled } from '../progress.js';

interface ValidateArgs extends DefaultsArgs {
  files?: string[];
  format: 'auto' | 'csv' | 'json';
  report: ReportTarget[];
  maxBytes: number;
  maxErrors: number;
  strict: boolean;
  duplicateCheck: boolean;
}

/** Counts bytes for the progress line as they pass (TTY only). */
async function* withProgress(source: Readable, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of source as AsyncIterable<Uint8Array>) {
    n += chunk.byteLength;
    onBytes(n);
    yield chunk;
  }
}

/**
 * The report entry of a file that could not be read (missing, a directory, unreadable,
 * gone while read): the other files are still checked and this one is listed with the
 * failure's code, so one report tells the whole story; the run exits 2.
 */
function unreadableEntry(file: string, err: BatchprepError): FileReport {
  return {
    file,
    format: null,
    valid: false,
    bytes: 0,
    rows: 0,
    errorCount: 1,
    warningCount: 0,
    apiErrorCode: null,
    truncated: false,
    issues: [{ severity: 'error', code: err.code as Issue['code'], message: err.message }],
  };
}

export const validateCommand: BatchprepCommand<ValidateArgs> = {
  command: 'validate [files..]',
  describe: 'Check consent files (CSV/JSON) against the FinPro upload rules; writes nothing',
  builder: (y) =>
    addDefaultsOptions(
      y
        .positional('files', { type: 'string', array: true, describe: "Consent files (.csv or .json); '-' or none reads stdin" })
        .option('format', { choices: ['auto', 'csv', 'json'] as const, default: 'auto' as const, describe: 'Input format; auto uses the extension, else sniffs the content' })
        .option('report', { type: 'string', default: 'text', coerce: parseReportTargets, describe: `${REPORT_HELP}. text is for people, json/ndjson for tools, github for Actions annotations, junit/sarif for CI dashboards` })
        .option('max-bytes', { type: 'string', default: String(DEFAULT_MAX_BYTES), coerce: (v: string) => parseSize(v, '--max-bytes'), describe: 'Size cap: bytes or with a unit (10MiB; 10MB = 10,000,000); the API limit is 10485760' })
        .option('max-errors', { type: 'string', default: '1000', coerce: (v: string) => parseWhole(v, '--max-errors', 0), describe: 'Issues listed per file (0: count only); more are counted, not listed. File-level problems are always listed' })
        .option('strict', { type: 'boolean', default: false, describe: 'Treat warnings (duplicate IDs, unknown fields, BOM in JSON) as errors' })
        .option('duplicate-check', { type: 'boolean', default: true, describe: 'Detect repeated consent IDs; --no-duplicate-check keeps memory flat for huge files' }),
    )
      .example('$0 validate examples/consents.csv', 'Check one file; exit 0 when the server would accept it')
      .example('cat batch.json | $0 validate --report json', 'Check stdin, machine-readable report on stdout')
      .example('$0 validate data/*.csv --report github', 'Annotate a GitHub Actions run at the failing lines')
      .example('$0 validate data/*.csv --report github --report junit=reports/junit.xml --report sarif=out.sarif', 'Annotations on stdout plus two report files from one run')
      .example("$0 validate batch.csv --from 2024-01-01T00:00:00Z --to 2024-12-31T23:59:59Z", 'Check rows as the server will see them with these defaults')
      .epilogue(`0: every file valid (warnings allowed); 1: a file was rejected; 2: a flag was wrong or a file could not be read (the report still lists every file).\n${LOCAL_EPILOGUE}`),
  async run(args, ctx) {
    const defaults = await readDefaults(args, ctx);
    // The library's rules, checked once before any file is read, worded with the flags.
    const { maxBytes, maxErrors } = resolveValidateOptions(
      { format: args.format, maxBytes: args.maxBytes, maxErrors: args.maxErrors },
      { format: '--format', maxBytes: '--max-bytes', maxErrors: '--max-errors' },
    );
    const files = args.files && args.files.length > 0 ? args.files.map(String) : ['-'];
    if (files.filter((f) => f === '-').length > 1) {
      throw new BatchprepError(ErrorCode.UsageError, "stdin ('-') can be named only once");
    }
    let unreadable = false;
    const reports: FileReport[] = [];
    for (const file of files) {
      const options = {
        format: args.format,
        fileName: file,
        maxBytes,
        maxErrors,
        strict: args.strict,
        dateFormat: args.dateFormat,
        duplicateCheck: args.duplicateCheck,
        defaults,
        signal: ctx.signal,
      };
      let source: Readable | undefined;
      let size: number | undefined;
      const progress = createProgress(ctx, `validating ${file === '-' ? 'stdin' : file}`);
      const cancelHint = file === '-' ? hintIfStdinIdle(ctx, 'a consent file') : () => undefined;
      try {
        if (file === '-') source = ctx.stdin;
        else ({ stream: source, size } = await openSized(resolve(ctx.cwd, file), file));
        const input = progressEnabled(ctx) ? withProgress(source, (n) => progress.update(n, size)) : source;
        reports.push(await validateStream(input, { ...options, sizeHint: size }));
      } catch (err) {
        // A file that cannot be read is an entry of the report; the others are still checked.
        if (!isBatchprepError(err) || err.exitCode !== ExitCode.Usage) throw err;
        reports.push(unreadableEntry(file, err));
        // Also said on stderr, for people reading a machine report's run.
        warn(ctx, `batchprep: ${err.code}: ${err.message}`);
        unreadable = true;
      } finally {
        cancelHint();
        progress.done();
        if (file !== '-') source?.destroy();
      }
    }
    const report: ValidationReport = { valid: reports.every((r) => r.valid), files: reports };
    await writeReports(report, args.report, ctx, { color: ctx.color && isTTY(ctx) });
    // 2 wins over 1: an unchecked file is a worse outcome than a rejected one.
    return unreadable ? ExitCode.Usage : report.valid ? ExitCode.Ok : ExitCode.Rejected;
  },
};

function isTTY(ctx: CliContext): boolean {
  return Boolean((ctx.stdout as { isTTY?: boolean }).isTTY);
}
