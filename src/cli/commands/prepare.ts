import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BatchprepCommand } from '../command.js';
import { BatchprepError, ErrorCode, ExitCode, fromFsError } from '../../errors.js';
import { resolveDefaults, type GlobalDefaults } from '../../core/defaults.js';
import type { DateFormat } from '../../core/datetime.js';
import type { FileFormat } from '../../core/issues.js';
import { FINPRO_MAX_BYTES, prepareFile, prepareStream, type PrepareOptions, type PrepareResult } from '../../prepare/prepare.js';
import { formatReport, REPORT_KINDS, type ReportKind } from '../../report/format.js';
import type { CliContext } from '../context.js';
import { say } from '../context.js';
import { createProgress } from '../progress.js';

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
  report: ReportKind;
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
      .option('to', { type: 'string', describe: 'csv or json: convert the parts to that format; any other value is the fiDataRangeTo default (section 3)' })
      .option('output-format', { type: 'string', choices: ['csv', 'json'], describe: 'Part format, unambiguous form of --to csv|json (default: the input format)' })
      .option('format', { type: 'string', choices: ['auto', 'csv', 'json'], default: 'auto', describe: 'Input format' })
      .option('max-bytes', { type: 'number', default: FINPRO_MAX_BYTES, describe: 'Largest part in bytes' })
      .option('max-rows', { type: 'number', describe: 'Most rows per part (the JSON bulk API takes 10,000)' })
      .option('dedupe', { type: 'boolean', default: false, describe: 'Drop rows whose consentId appeared earlier (first wins)' })
      .option('strict', { type: 'boolean', default: false, describe: 'Warnings are errors (a duplicate is an error unless --dedupe)' })
      .option('date-format', { choices: ['rfc3339', 'iso8601'] as const, default: 'rfc3339' as const, describe: 'Date-times accepted: rfc3339 (default; the form of every example in the FinPro document) or iso8601 (also 2024-01-01, no offset, 20240101T000000Z; calendar-checked)' })
      .option('reference-id', { type: 'string', describe: 'Reference ID base: parts get BASE-0001, BASE-0002... (at most 55 chars of [A-Za-z0-9_-])' })
      .option('name', { type: 'string', describe: 'Part file base name: NAME-0001.csv (default: the input name)' })
      .option('reject-file', { type: 'string', describe: 'Write valid rows anyway; rejected rows with their issues go here (NDJSON)' })
      .option('force', { type: 'boolean', default: false, describe: 'Write into a non-empty --out-dir, replacing the previous run' })
      .option('report', { type: 'string', choices: REPORT_KINDS, default: 'text', describe: 'Report kind printed when the input is rejected' })
      .option('max-errors', { type: 'number', default: 1000, describe: 'Issues listed in the report' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the manifest on stdout' })
      .option('global-config', { type: 'string', describe: "Defaults as JSON ('{\"configId\":\"x\"}') or @file.json" })
      .option('from', { type: 'string', describe: 'Default fiDataRangeFrom' })
      .option('config-id', { type: 'string', describe: 'Default configId' })
      .example('$0 prepare consents.csv --out-dir parts --reference-id ACME_2024_06', 'parts/consents-0001.csv... and parts/manifest.json')
      .example('cat consents.json | $0 prepare - --out-dir parts --to csv --dedupe --max-rows 10000', 'from stdin, converted to CSV'),
  async run(args, ctx) {
    let to: FileFormat | undefined = args.outputFormat;
    let rangeTo: string | undefined;
    if (args.to === 'csv' || args.to === 'json') to = to ?? args.to;
    else rangeTo = args.to;
    const defaults = await readDefaults(args, rangeTo, ctx);
    const file = args.file === undefined || args.file === '-' || args.file === '' ? '-' : args.file;
    const progress = createProgress(ctx, 'prepare');
    const options: PrepareOptions = {
      outDir: resolve(ctx.cwd, args.outDir),
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
    try {
      result = file === '-' ? await prepareStream(ctx.stdin, { ...options, fileName: '-' }) : await prepareFile(resolve(ctx.cwd, file), { ...options, fileName: file });
    } finally {
      progress.done();
    }
    if (!result.ok) {
      const text = formatReport({ valid: false, files: [result.report] }, args.report, { color: ctx.color });
      if (args.report === 'text') ctx.stderr.write(text);
      else ctx.stdout.write(text);
      say(ctx, `batchprep: the input has errors; nothing was written${args.rejectFile ? '' : ' (use --reject-file FILE to write the valid rows and set the rejected ones aside)'}`);
      return ExitCode.Rejected;
    }
    const m = result.manifest!;
    const extra = [
      result.duplicatesDropped ? `${result.duplicatesDropped} duplicate${result.duplicatesDropped === 1 ? '' : 's'} dropped` : '',
      result.rejectedRows ? `${result.rejectedRows} rejected row${result.rejectedRows === 1 ? '' : 's'} in ${args.rejectFile}` : '',
    ].filter(Boolean);
    say(ctx, `prepared ${result.rowsWritten} of ${m.input.rows} rows into ${m.parts.length} part${m.parts.length === 1 ? '' : 's'} in ${args.outDir}${extra.length ? ` (${extra.join(', ')})` : ''}`);
    if (args.json) ctx.stdout.write(`${JSON.stringify(m)}\n`);
    return ExitCode.Ok;
  },
};

/** The defaults flags of SPEC section 3; a single flag overrides the same key of --global-config. */
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
