import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { BatchprepCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { hintIfStdinIdle, say, warn } from '../context.js';
import { generateReferenceId } from '../../submit/finpro/reference-id.js';
import { EXIT_CODES_HELP, FINPRO_ENV_HELP } from '../help.js';
import { reportFailure } from '../fail.js';
import { createProgress } from '../progress.js';
import { BatchprepError, ErrorCode, ExitCode, isBatchprepError } from '../../errors.js';
import type { FileReport, Issue } from '../../core/issues.js';
import { redact } from '../../redact.js';
import { submitToFinPro } from '../../submit/finpro/client.js';
import type { FinProSubmitResult, SubmitToFinProOptions } from '../../submit/finpro/client.js';
import { finProCredentialsFromEnv } from '../../submit/finpro/credentials.js';
import { finProProtocolFromEnv } from '../../submit/finpro/settings.js';
import { configureNetwork } from '../../submit/http/network.js';
import { submitManifest } from '../../submit/finpro/manifest-submit.js';
import { checkPositive, checkRetries } from '../../submit/http/retry.js';
import type { ManifestPartResult } from '../../submit/finpro/manifest-submit.js';
import type { GlobalDefaults } from '../../core/defaults.js';
import { addDefaultsOptions, readDefaults } from '../defaults-options.js';
import type { DateFormat } from '../../core/datetime.js';

export interface FinProSubmitArgs {
  file?: string;
  dateFormat?: DateFormat;
  endpoint?: string;
  referenceId?: string;
  name?: string;
  validate: boolean;
  strict: boolean;
  json: boolean;
  timeout: number;
  caFile?: string;
  retries: number;
  retryMaxTime: number;
  retryBaseDelay: number;
  debug?: boolean;
  globalConfig?: string;
  from?: string;
  to?: string;
  configId?: string;
}

/** The single default flags the user gave, sent as their own form fields. */
function singleDefaults(args: FinProSubmitArgs): GlobalDefaults | undefined {
  const single: GlobalDefaults = {};
  if (args.from !== undefined) single.fiDataRangeFrom = args.from;
  if (args.to !== undefined) single.fiDataRangeTo = args.to;
  if (args.configId !== undefined) single.configId = args.configId;
  return Object.keys(single).length ? single : undefined;
}

/** The options of `finpro submit`. */
export function addSubmitOptions(y: Argv): Argv {
  return addDefaultsOptions(
    y
      .positional('file', { type: 'string', describe: "Consent file (.csv/.json), '-' or none for stdin, or a prepare output DIR / its manifest.json" })
      .option('endpoint', { type: 'string', describe: 'FinPro base URL (default: $FINPRO_BASE_URL); https, or http for loopback only' })
      .option('reference-id', { type: 'string', describe: 'Batch reference ID, 5-60 of [A-Za-z0-9_-] (default: generated bp-<utc>-<hex>)' })
      .option('name', { type: 'string', describe: "File name sent to the server (default: the file's name; stdin.csv/stdin.json for stdin)" })
      .option('validate', { type: 'boolean', default: true, describe: 'Validate locally first (--no-validate skips it and lets the server decide)' })
      .option('strict', { type: 'boolean', default: false, describe: 'Validation: warnings are errors' })
      .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object on stdout (see README)' })
      .option('timeout', { type: 'number', default: 30, describe: 'Seconds an attempt may wait without a byte moving (connect, reply) before it fails (Timeout)' })
      .option('ca-file', { type: 'string', describe: 'PEM file of extra CA certificates to trust, e.g. a corporate TLS-inspection CA (default: $BATCHPREP_CA_FILE)' })
      .option('retries', { type: 'number', default: 4, describe: 'Retries after the first attempt (network errors, timeouts, 429, 5xx)' })
      .option('retry-max-time', { type: 'number', default: 60, describe: 'Seconds all attempts and waits may take together (a deadline: it also stops the attempt in flight)' })
      .option('retry-base-delay', { type: 'number', default: 500, hidden: true, describe: 'First backoff delay in ms (doubles, full jitter)' }),
  );
}

/** The first ~20 issues as `file:line: code: message` lines, then a count of the rest. */
export function issueLines(report: FileReport, shownName: string, limit = 20): string[] {
  const ordered: Issue[] = [...report.issues.filter((i) => i.severity === 'error'), ...report.issues.filter((i) => i.severity !== 'error')];
  const lines = ordered.slice(0, limit).map((i) => {
    const where = i.line !== undefined ? `${shownName}:${i.line}` : shownName;
    return `${where}: ${i.severity === 'warning' ? 'warning ' : ''}${i.code}: ${i.message}`;
  });
  const total = report.errorCount + report.warningCount;
  const more = Math.max(total, ordered.length) - Math.min(limit, ordered.length);
  if (more > 0) lines.push(`and ${more} more`);
  return lines;
}

/** The `--json` failure object (README, finpro submit); `referenceId` says what to check or re-run with. */
function errorJson(err: BatchprepError, referenceId: string | null) {
  return {
    // SPEC section 5: a rejection shows the server's own errorCode, even one we do not know.
    code: err.code === ErrorCode.Rejected && err.serverCode ? err.serverCode : err.code,
    referenceId,
    status: err.status ?? null,
    message: redact(err.message),
    txnid: err.txnid ?? null,
    retryable: err.retryable,
  };
}

/** The `--json` success object (exactly these keys). */
function successJson(r: Pick<FinProSubmitResult, 'referenceId' | 'batchId' | 'status' | 'storageType' | 'txnid' | 'attempts' | 'duplicateOnRetry'>) {
  return {
    referenceId: r.referenceId,
    batchId: r.batchId,
    status: r.status,
    storageType: r.storageType,
    txnid: r.txnid,
    attempts: r.attempts,
    duplicateOnRetry: r.duplicateOnRetry,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One human line for an accepted upload; `step` is the `[i/n] ` of a manifest part. */
function successLine(shown: string, r: Pick<FinProSubmitResult, 'referenceId' | 'batchId' | 'status' | 'txnid' | 'attempts' | 'duplicateOnRetry'>, step = ''): string {
  if (r.duplicateOnRetry) {
    return `finpro: ${step}${shown} landed as ${r.referenceId}: the reply to an earlier attempt was lost and the retry was answered 409 DuplicateReferenceId (txnid ${r.txnid ?? '-'}, ${plural(r.attempts, 'attempt')})`;
  }
  return `finpro: ${step}submitted ${shown} as ${r.referenceId}: batch ${r.batchId}, ${r.status ?? 'accepted'} (txnid ${r.txnid ?? '-'}, ${plural(r.attempts, 'attempt')})`;
}

/** How far the upload got: what a failure or Ctrl-C must tell the user. */
interface SendState {
  referenceId: string | null;
  /** File bytes sent in the attempt that got furthest, and the file's size. */
  sent: number;
  total?: number;
  /** Some attempt sent the whole file: FinPro may have stored the batch. */
  fullySent: boolean;
}

/** The line after a failure that says what happened to the batch, so the user can check or re-run with the same ID. */
function sendStateLine(state: SendState): string | undefined {
  if (!state.referenceId) return undefined;
  const id = state.referenceId;
  if (state.fullySent) {
    return `finpro: reference ID ${id}: the whole file was sent, so FinPro may have stored the batch; check with FinPro, or re-run with --reference-id ${id} (a stored batch answers 409 DuplicateReferenceId, nothing is stored twice)`;
  }
  if (state.sent > 0) {
    return `finpro: reference ID ${id}: the file was not fully sent (${state.sent} of ${state.total ?? '?'} bytes), so FinPro did not store it; re-run with --reference-id ${id}`;
  }
  return `finpro: reference ID ${id}: nothing was sent`;
}

/** Prints a failure: issue lines for a validation failure, the coded line on stderr, what was sent, the JSON object on stdout. */
function fail(err: unknown, args: FinProSubmitArgs, ctx: CliContext, shown: string, state: SendState = { referenceId: null, sent: 0, fullySent: false }): number {
  if (isBatchprepError(err) && err.code === ErrorCode.ValidationFailed && err.errorDetails) {
    for (const line of issueLines(err.errorDetails as FileReport, shown)) warn(ctx, line);
  }
  const code = reportFailure(err, ctx, Boolean(args.debug));
  // Said when it matters: something was sent, or the user interrupted (and may wonder).
  const interrupted = isBatchprepError(err) && err.code === ErrorCode.Aborted;
  const line = state.sent > 0 || state.fullySent || interrupted ? sendStateLine(state) : undefined;
  if (line) warn(ctx, line);
  if (args.json) {
    const e = isBatchprepError(err) ? err : new BatchprepError(ErrorCode.IoError, String((err as Error)?.message ?? err));
    ctx.stdout.write(`${JSON.stringify({ error: errorJson(e, state.referenceId), attempts: e.attempts ?? 0, bodySent: state.fullySent })}\n`);
  }
  return code;
}

/** A file target is a manifest when it is a directory or is named manifest.json. */
async function isManifestTarget(path: string): Promise<boolean> {
  if (basename(path) === 'manifest.json') return true;
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Reads the flags into library options; every problem is a coded usage error. */
async function buildOptions(args: FinProSubmitArgs, ctx: CliContext): Promise<SubmitToFinProOptions> {
  // The library's rules, worded with the flags (values are in seconds here, ms there).
  checkPositive(args.timeout, '--timeout');
  checkPositive(args.retryMaxTime, '--retry-max-time');
  checkRetries(args.retries, '--retries');
  // Proxy variables and extra CAs, for the FinPro connection as for every transport.
  configureNetwork({ env: ctx.env, caFile: args.caFile ?? ctx.env.BATCHPREP_CA_FILE, timeoutMs: args.timeout * 1000 });
  const defaults = await readDefaults(args, ctx);
  const protocol = finProProtocolFromEnv(ctx.env);
  if (args.endpoint !== undefined && protocol.uploadUrl !== undefined) {
    throw new BatchprepError(ErrorCode.UsageError, '--endpoint sets the base URL, but FINPRO_UPLOAD_URL (the full upload URL, from the environment or the profile) is set too; use one of them (to override the upload URL of a profile, set FINPRO_UPLOAD_URL or FINPRO_BASE_URL in the environment)');
  }
  const baseUrl = args.endpoint ?? protocol.baseUrl;
  if (!baseUrl && !protocol.uploadUrl) {
    throw new BatchprepError(ErrorCode.MissingCredential, 'FINPRO_BASE_URL is not set: export the FinPro base URL (or the full FINPRO_UPLOAD_URL), set it in a profile, or pass --endpoint URL');
  }
  const credentials = finProCredentialsFromEnv(ctx.env);
  return {
    ...protocol,
    baseUrl,
    credentials,
    referenceId: args.referenceId,
    fileName: args.name,
    globalConfig: defaults,
    singleFields: singleDefaults(args),
    validate: args.validate,
    strict: args.strict,
    dateFormat: args.dateFormat,
    timeoutMs: args.timeout * 1000,
    retries: args.retries,
    retryMaxTimeMs: args.retryMaxTime * 1000,
    retryBaseDelayMs: args.retryBaseDelay,
    signal: ctx.signal,
    onRetry: ({ attempt, delayMs, error }) => {
      say(ctx, redact(`finpro: attempt ${attempt} failed: ${error.code}${error.status ? ` (${error.status})` : ''}: ${error.message}; retrying in ${(delayMs / 1000).toFixed(1)} s`));
    },
  };
}

/** One file (or stdin): validate, upload, print one line and, with --json, one object. */
async function submitOne(args: FinProSubmitArgs, ctx: CliContext, options: SubmitToFinProOptions): Promise<number> {
  const file = args.file ?? '-';
  const stdin = file === '-';
  const shown = stdin ? '-' : file;
  // The reference ID is fixed before anything is sent, so a failure or Ctrl-C can name it.
  const state: SendState = { referenceId: args.referenceId ?? generateReferenceId(), sent: 0, fullySent: false };
  const cancelHint = stdin ? hintIfStdinIdle(ctx, 'a consent file') : () => undefined;
  try {
    const progress = createProgress(ctx, 'finpro: uploading');
    let result: FinProSubmitResult;
    try {
      result = await submitToFinPro(stdin ? ctx.stdin : resolve(ctx.cwd, file), {
        ...options,
        referenceId: state.referenceId!,
        onValidated: (report) => {
          cancelHint();
          for (const line of issueLines(report, shown)) warn(ctx, line);
        },
        onProgress: (sent, total) => {
          cancelHint();
          state.sent = Math.max(state.sent, sent);
          state.total = total;
          if (sent >= total) state.fullySent = true;
          progress.update(sent, total);
        },
        onRetry: (info) => {
          progress.done();
          options.onRetry?.(info);
        },
      });
    } finally {
      cancelHint();
      progress.done();
    }
    say(ctx, successLine(stdin ? 'stdin' : shown, result));
    if (args.json) ctx.stdout.write(`${JSON.stringify(successJson(result))}\n`);
    return ExitCode.Ok;
  } catch (err) {
    // A reference ID the library refused (InvalidReferenceId) is not one to re-run with.
    if (isBatchprepError(err) && err.code === ErrorCode.InvalidReferenceId) state.referenceId = null;
    return fail(err, args, ctx, shown, state);
  }
}

/** A prepare manifest or directory: parts in order, resumable, stop at the first failure. */
async function submitParts(args: FinProSubmitArgs, ctx: CliContext, options: SubmitToFinProOptions): Promise<number> {
  if (args.referenceId !== undefined || args.name !== undefined) {
    throw new BatchprepError(ErrorCode.UsageError, '--reference-id and --name do not apply to a manifest: each part has its own reference ID (set at prepare time with --reference-id)');
  }
  const result = await submitManifest(resolve(ctx.cwd, args.file!), {
    ...options,
    onPart: (part: ManifestPartResult, i, total) => {
      const n = `[${i + 1}/${total}]`;
      if (part.outcome === 'skipped') say(ctx, `finpro: ${n} ${part.file}: already submitted as ${part.referenceId} (batch ${part.batchId ?? '-'}), skipped`);
      else if (part.outcome === 'submitted') say(ctx, successLine(part.file, part, `${n} `));
      else if (part.error?.code === ErrorCode.ValidationFailed && part.error.errorDetails) {
        for (const line of issueLines(part.error.errorDetails as FileReport, part.file)) warn(ctx, line);
      }
    },
  });
  const landed = result.parts.filter((p) => p.outcome === 'submitted' || p.outcome === 'skipped');
  const json = {
    parts: result.parts.map((p) => ({
      file: p.file,
      outcome: p.outcome,
      ...successJson(p),
      ...(p.error ? { error: errorJson(p.error, p.referenceId) } : {}),
    })),
    submitted: result.submitted,
    skipped: result.skipped,
  };
  if (result.error) {
    const code = reportFailure(result.error, ctx, Boolean(args.debug));
    const failed = result.parts.find((p) => p.outcome === 'failed');
    warn(ctx, `finpro: stopped at ${failed ? `${failed.file} (reference ID ${failed.referenceId})` : 'a part'}; landed ${landed.length} of ${result.parts.length} parts: ${landed.map((p) => `${p.file} (${p.referenceId})`).join(', ') || 'none'}. Fix the problem and run the same command again: landed parts are skipped`);
    if (args.json) ctx.stdout.write(`${JSON.stringify(json)}\n`);
    return code;
  }
  say(ctx, `finpro: all ${result.parts.length} parts landed (${result.submitted} submitted now, ${result.skipped} already submitted)`);
  if (args.json) ctx.stdout.write(`${JSON.stringify(json)}\n`);
  return ExitCode.Ok;
}

export const finproSubmitCommand: BatchprepCommand<FinProSubmitArgs> = {
  command: 'submit [file]',
  describe: 'Upload a consent file (or every part of a prepare manifest) to the FinPro File Upload API',
  builder: (y) =>
    addSubmitOptions(y)
      .example('$0 finpro submit consents.csv', 'validate locally, then upload; prints the batch ID')
      .example('cat consents.json | $0 finpro submit --json', 'upload stdin; one JSON object on stdout')
      .example('$0 finpro submit parts/', 'every part of a prepare run, in order; re-run to resume')
      .example('$0 finpro submit consents.csv --reference-id ACME_2024_06_01', 're-run with the reference ID a failure printed: a stored batch is never stored twice')
      .epilogue(
        `${FINPRO_ENV_HELP}\n` +
          'A failure or Ctrl-C prints the reference ID and whether the whole file was sent.\n' +
          EXIT_CODES_HELP,
      ),
  run: async (args, ctx) => {
    let options: SubmitToFinProOptions;
    const manifest = args.file !== undefined && args.file !== '-' && (await isManifestTarget(resolve(ctx.cwd, args.file)));
    try {
      options = await buildOptions(args, ctx);
      if (manifest) return await submitParts(args, ctx, options);
    } catch (err) {
      return fail(err, args, ctx, args.file ?? '-');
    }
    return submitOne(args, ctx, options);
  },
};
