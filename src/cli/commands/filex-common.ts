import type { Argv } from 'yargs';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { checkPositive, checkRetries } from '../../submit/http/retry.js';
import { filexClientFromEnv } from '../../submit/filex/config.js';
import { configureNetwork } from '../../submit/http/network.js';
import type { FilexClient } from '../../submit/filex/client.js';
import type { CliContext } from '../context.js';

/** Options every `filex` subcommand shares. */
export interface CommonArgs {
  json?: boolean;
  retries: number;
  'retry-max-time': number;
  timeout?: number;
  /** filex track and upload: there `--timeout` is the --wait limit. */
  'request-timeout'?: number;
  'ca-file'?: string;
}

/** Adds --json and the retry flags (SPEC section 5's names, reused for fileX). */
export function commonOptions<T>(y: Argv<T>): Argv<T & CommonArgs> {
  return y
    .option('json', { type: 'boolean', describe: 'Print one JSON document on stdout instead of text' })
    .option('retries', { type: 'number', default: 4, describe: 'Retries after the first attempt for network errors, 429 and 5xx' })
    .option('retry-max-time', { type: 'number', default: 60, describe: 'Seconds all attempts and waits may take together (a deadline: it also stops the attempt in flight)' })
    .option('timeout', { type: 'number', describe: 'Seconds an attempt may go without a byte moving either way before it fails (Timeout) (default: 30; in filex upload and track this is --request-timeout)' })
    .option('ca-file', { type: 'string', describe: 'PEM file of extra CA certificates to trust, e.g. a corporate TLS-inspection CA (default: $BATCHPREP_CA_FILE)' }) as Argv<T & CommonArgs>;
}

/** Proxy variables, extra CAs, the idle timeout and FILEX_SFTP_PROXY for every transport of this command. */
export function networkFor(args: CommonArgs, ctx: CliContext): void {
  const flag = args['request-timeout'] !== undefined ? '--request-timeout' : '--timeout';
  const seconds = args['request-timeout'] ?? args.timeout ?? 30;
  if (!(Number.isFinite(seconds) && seconds > 0)) throw new BatchprepError(ErrorCode.InvalidOption, `${flag} ${seconds}: must be a positive number of seconds`);
  configureNetwork({ env: ctx.env, caFile: args['ca-file'] ?? ctx.env.BATCHPREP_CA_FILE, timeoutMs: seconds * 1000, sftpProxy: ctx.env.FILEX_SFTP_PROXY });
}

/** The REST client from the environment, with the retry flags checked. */
export function clientFor(args: CommonArgs, ctx: CliContext): FilexClient {
  // The library's rules (http/retry.ts), worded with the flags.
  checkRetries(args.retries, '--retries');
  checkPositive(args['retry-max-time'], '--retry-max-time');
  networkFor(args, ctx);
  return filexClientFromEnv(ctx.env, { retries: args.retries, retryMaxTimeMs: args['retry-max-time'] * 1000 });
}

/** The CLI's one size parser (src/cli/size.ts): `8388608`, `8MiB`, `8M`, `8MB` (= 8,000,000). */
export { parseSize } from '../size.js';

/** Writes one JSON document (one line) on stdout. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Pads columns for a plain-text table; server-supplied cells have their control characters escaped (printable). */
export function table(rows: string[][]): string {
  rows = rows.map((r) => r.map((c) => printable(String(c))));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

export { humanBytes } from '../progress.js';
/** Escapes C0/C1/DEL (and line-breaking) characters of server-supplied strings visibly. */
export { printable } from '../../report/shared.js';
import { printable } from '../../report/shared.js';
