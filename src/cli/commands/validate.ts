import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { FileReport, ValidationReport } from '../../core/issues.js';
import { BatchprepError, ErrorCode, ExitCode } from '../../errors.js';
import { formatReport, REPORT_KINDS, type ReportKind } from '../../report/format.js';
import { DEFAULT_MAX_BYTES, openSized, resolveValidateOptions, validateStream } from '../../validate/faces.js';
import type { CliContext } from '../context.js';
import { addDefaultsOptions, readDefaults, type DefaultsArgs } from '../defaults-options.js';
import type { BatchprepCommand } from '../command.js';
import { createProgress } from '../progress.js';

interface ValidateArgs extends DefaultsArgs {
  files?: string[];
  format: 'auto' | 'csv' | 'json';
  report: ReportKind;
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

export const validateCommand: BatchprepCommand<ValidateArgs> = {
  command: 'validate [files..]',
  describe: 'Check consent files (CSV/JSON) against the FinPro upload rules; writes nothing',
  builder: (y) =>
    addDefaultsOptions(
      y
        .positional('files', { type: 'string', array: true, describe: "Consent files (.csv or .json); '-' or none reads stdin" })
        .option('format', { choices: ['auto', 'csv', 'json'] as const, default: 'auto' as const, describe: 'Input format; auto uses the extension, else sniffs the content' })
        .option('report', { choices: REPORT_KINDS, default: 'text' as const, describe: 'Report on stdout: text for people, json/ndjson for tools, github for Actions annotations, junit/sarif for CI dashboards' })
        .option('max-bytes', { type: 'number', default: DEFAULT_MAX_BYTES, describe: 'Size cap in bytes (the API limit is 10485760)' })
        .option('max-errors', { type: 'number', default: 1000, describe: 'Row issues listed per file (0: none); more are counted, not listed; file-level errors are always listed' })
        .option('strict', { type: 'boolean', default: false, describe: 'Treat warnings (duplicate IDs, unknown fields, BOM in JSON) as errors' })
        .option('date-format', { choices: ['rfc3339', 'iso8601'] as const, default: 'rfc3339' as const, describe: 'Date-times accepted: rfc3339 (default; the form of every example in the FinPro document) or iso8601 (also 2024-01-01, no offset, 20240101T000000Z; calendar-checked)' })
        .option('duplicate-check', { type: 'boolean', default: true, describe: 'Detect repeated consent IDs; --no-duplicate-check keeps memory flat for huge files' }),
    )
      .example('$0 validate examples/consents.csv', 'Check one file; exit 0 when the server would accept it')
      .example('cat batch.json | $0 validate --report json', 'Check stdin, machine-readable report on stdout')
      .example('$0 validate data/*.csv --report github', 'Annotate a GitHub Actions run at the failing lines')
      .example("$0 validate batch.csv --from 2024-01-01T00:00:00Z --to 2024-12-31T23:59:59Z", 'Check rows as the server will see them with these defaults')
      .epilogue('Exit codes: 0 every file valid (warnings allowed), 1 a file was rejected, 2 usage or I/O error.'),
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
      let source: Readable;
      let size: number | undefined;
      if (file === '-') source = ctx.stdin;
      else ({ stream: source, size } = await openSized(resolve(ctx.cwd, file), file));
      const progress = createProgress(ctx, `validating ${file === '-' ? 'stdin' : file}`, size);
      try {
        const input = ctx.stderrIsTTY ? withProgress(source, (n) => progress.update(n)) : source;
        reports.push(await validateStream(input, { ...options, sizeHint: size }));
      } finally {
        progress.done();
        if (file !== '-') source.destroy();
      }
    }
    const report: ValidationReport = { valid: reports.every((r) => r.valid), files: reports };
    ctx.stdout.write(formatReport(report, args.report, { color: ctx.color && args.report === 'text' && isTTY(ctx) }));
    return report.valid ? ExitCode.Ok : ExitCode.Rejected;
  },
};

function isTTY(ctx: CliContext): boolean {
  return Boolean((ctx.stdout as { isTTY?: boolean }).isTTY);
}
