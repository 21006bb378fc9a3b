import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BatchprepCommand } from '../command.js';
import { BatchprepError, ErrorCode, ExitCode, fromFsError } from '../../errors.js';
import { resolveDefaults, type GlobalDefaults } from '../../core/defaults.js';
import { DATE_FORMAT_OPTION } from '../defaults-options.js';
import type { DateFormat } from '../../core/datetime.js';
import type { FileFormat } from '../../core/issues.js';
import { FINPRO_MAX_BYTES, prepareFile, prepareStream, type PrepareOptions, type PrepareResult } from '../../prepare/prepare.js';
import type { CliContext } from '../context.js';
import { hintIfStdinIdle, say, warn } from '../context.js';
import { createProgress } from '../progress.js';
import { parseReportTargets, REPORT_HELP, writeReports, type ReportTarget } from '../report-outputs.js';
import { parseSize, parseWhole } from '../size.js';
import { LOCAL_EPILOGUE, plural } from '../help.js';
import { removeIfNewAndEmpty, snapshotDir } from '../out-dir.js';

interface PrepareArgs {
  file?: string;
  outDir: string;
  to?: string;
  outputFormat?: FileFormat;
  format: FileFormat | 'auto';
  maxBytes: number;
  maxRows?: number;
  dedupe: boolean;
  strict: boolean;
  referenceId?: string;
  name?: string;
  rejectFile?: string;
  force: boolean;
  report: ReportTarget[];
  maxErrors: number;
  json: boolean;
  globalConfig?: string;
  from?: string;
  configId?: string;
  dateFormat: DateFormat;
}

export const prepareCommand: BatchprepCommand<PrepareArgs> = {
  command: 'prepare [file]',
  describe: 'Validate, normalise and split a consent file into upload-ready parts with a manifest',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'Consent file (CSV or JSON); `-` or none reads stdin' })
      .option('out-dir', { type: 'string', demandOption: true, describe: 'Directory for the parts and manifest.json' })
      .option('to', { type: 'string', describe: 'csv or json: convert the parts to that format; any other value is the fiDataRangeTo default (RFC 3339)' })
      .option('output-format', { type: 'string', choices: ['csv', 'json'], describe: 'Part format, unambiguous form of --to csv|json (default: the input format)' })
      .option('format', { type: 'string', choices: ['auto', 'csv', 'json'], default: 'auto', describe: 'Input format' })
      .option('max-bytes', { type: 'string', default: String(FINPRO_MAX_BYTES), coerce: (v: string) => parseSize(v, '--max-bytes'), describe: 'Largest part: bytes or with a unit (10MiB; 10MB = 10,000,000)' })
      .option('max-rows', { type: 'string', coerce: (v: string) => parseWhole(v, '--max-rows', 1), describe: 'Most rows per part (the JSON bulk API takes 10,000)' })
      .option('dedupe', { type: 'boolean', default: false, describe: 'Drop rows whose consentId appeared earlier (first wins)' })
      .option('strict', { type: 'boolean', default: false, describe: 'Warnings are errors (a duplicate is an error unless --dedupe)' })
      .option('reference-id', { type: 'string', describe: 'Reference ID base: parts get BASE-0001, BASE-0002... (at most 55 chars of [A-Za-z0-9_-])' })
      .option('name', { type: 'string', describe: 'Part file base name: NAME-0001.csv (default: the input name)' })
      .option('reject-file', { type: 'string', describe: 'Write valid rows anyway; rejected rows with their issues go here (NDJSON)' })
      .option('force', { type: 'boolean', default: false, describe: 'Write into a non-empty --out-dir, replacing the previous run' })
      .option('report', { type: 'string', default: 'text', coerce: parseReportTargets, describe: `When the input is rejected: ${REPORT_HELP} (text goes to stderr)` })
      .option('max-errors', { type: 'string', default: '1000', coerce: (v: string) => parseWhole(v, '--max-errors', 0), describe: 'Issues listed in the report (0: count only); file-level problems are always listed' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the manifest on stdout' })
      .option('global-config', { type: 'string', describe: "Defaults as JSON ('{\"configId\":\"x\"}') or @file.json" })
      .option('from', { type: 'string', describe: 'Default fiDataRangeFrom' })
      .option('date-format', DATE_FORMAT_OPTION)
      .option('config-id', { type: 'string', describe: 'Default configId' })
      .example('$0 prepare consents.csv --out-dir parts --reference-id ACME_2024_06', 'parts/consents-0001.csv... and parts/manifest.json')
      .example('cat consents.json | $0 prepare - --out-dir parts --to csv --dedupe --max-rows 10000', 'from stdin, converted to CSV')
      .example('$0 prepare big.csv --out-dir parts --max-bytes 5MiB --reject-file rejected.ndjson', 'parts of at most 5 MiB; rejected rows set aside')
      .check((a) => {
        // --to csv|json is the short form of --output-format: two different answers are a mistake.
        const to = a.to as string | undefined;
        if ((to === 'csv' || to === 'json') && a.outputFormat !== undefined && a.outputFormat !== to) {
          throw new BatchprepError(ErrorCode.UsageError, `--to ${to} and --output-format ${String(a.outputFormat)} contradict each other; give one of them. See --help.`);
        }
        return true;
      })
      .epilogue(`0: parts and manifest written; 1: the input was rejected (nothing written); 2: a flag was wrong or a file could not be read or written.\n${LOCAL_EPILOGUE}`),
  async run(args, ctx) {
    let to: FileFormat | undefined = args.outputFormat;
    let rangeTo: string | undefined;
    if (args.to === 'csv' || args.to === 'json') to = to ?? args.to;
    else rangeTo = args.to;
    const defaults = await readDefaults(args, rangeTo, ctx);
    const file = args.file === undefined || args.file === '-' || args.file === '' ? '-' : args.file;
    // The input's size, when it is a file, gives the progress a percentage and time left.
    const size = file === '-' ? undefined : await stat(resolve(ctx.cwd, file)).then((st) => (st.isFile() ? st.size : undefined), () => undefined);
    const progress = createProgress(ctx, `prepare ${file === '-' ? 'stdin' : file}`, size);
    const outDir = resolve(ctx.cwd, args.outDir);
    const before = await snapshotDir(outDir);
    const options: PrepareOptions = {
      outDir,
      format: args.format,
      to,
      maxBytes: args.maxBytes,
      maxRows: args.maxRows,
      dedupe: args.dedupe,
      strict: args.strict,
      dateFormat: args.dateFormat,
      defaults,
      referenceId: args.referenceId,
      name: args.name,
      rejectFile: args.rejectFile === undefined ? undefined : resolve(ctx.cwd, args.rejectFile),
      force: args.force,
      maxErrors: args.maxErrors,
      signal: ctx.signal,
      onProgress: (n) => progress.update(n),
    };
    let result: PrepareResult;
    const cancelHint = file === '-' ? hintIfStdinIdle(ctx, 'a consent file') : () => undefined;
    try {
      result = file === '-' ? await prepareStream(ctx.stdin, { ...options, fileName: '-' }) : await prepareFile(resolve(ctx.cwd, file), { ...options, fileName: file });
    } catch (err) {
      // A failed run leaves no new, empty --out-dir behind.
      await removeIfNewAndEmpty(outDir, before);
      throw err;
    } finally {
      cancelHint();
      progress.done();
    }
    if (!result.ok) {
      await removeIfNewAndEmpty(outDir, before);
      await writeReports({ valid: false, files: [result.report] }, args.report, ctx, { color: ctx.color, textTo: 'stderr' });
      warn(ctx, `batchprep: the input has errors; nothing was written${args.rejectFile ? '' : ' (use --reject-file FILE to write the valid rows and set the rejected ones aside)'}`);
      return ExitCode.Rejected;
    }
    const m = result.manifest!;
    const extra = [
      result.duplicatesDropped ? `${result.duplicatesDropped} duplicate${result.duplicatesDropped === 1 ? '' : 's'} dropped` : '',
      result.rejectedRows ? `${result.rejectedRows} rejected row${result.rejectedRows === 1 ? '' : 's'} in ${args.rejectFile}` : '',
    ].filter(Boolean);
    say(ctx, `prepared ${result.rowsWritten} of ${plural(m.input.rows, 'row')} into ${plural(m.parts.length, 'part')} in ${args.outDir}${extra.length ? ` (${extra.join(', ')})` : ''}`);
    if (args.json) ctx.stdout.write(`${JSON.stringify(m)}\n`);
    return ExitCode.Ok;
  },
};

/** The defaults flags; a single flag overrides the same key of --global-config. */
async function readDefaults(args: PrepareArgs, rangeTo: string | undefined, ctx: CliContext): Promise<GlobalDefaults | undefined> {
  let global: string | undefined = args.globalConfig;
  if (global !== undefined && global.startsWith('@')) {
    const path = resolve(ctx.cwd, global.slice(1));
    try {
      global = await readFile(path, 'utf8');
    } catch (err) {
      throw fromFsError(err, path, 'read');
    }
  }
  return resolveDefaults(global, { fiDataRangeFrom: args.from, fiDataRangeTo: rangeTo, configId: args.configId }, args.dateFormat);
}
